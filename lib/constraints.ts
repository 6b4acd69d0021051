/**
 * Weight constraints, as keras.constraints: a layer projects its weights in place after each
 * optimizer step. Norms are taken along `axis` of the row-major (rows, cols) view: axis 0 gives
 * each column (a Dense unit's incoming weights) its own norm, axis 1 each row. One native call
 * per projection (native/kernels/constraints.h).
 */
import { now, type Kernels } from './core/kernels';
import { ArgumentRangeError, ArgumentTypeError } from './errors';
import { describe, float32In, knownOptions, oneOf, plainObject } from './validate';

export interface Constraint {
  readonly className: string;
  getConfig(): Record<string, unknown>;
  /** Projects a row-major (rows, cols) weight view in place; a bias is (n, 1). */
  apply(view: Float32Array, rows: number, cols: number): void;
}

function options(config: unknown, name: string, known: readonly string[]): Record<string, unknown> {
  const value = plainObject(config, `${name} config`);
  knownOptions(value, `${name} config`, known);
  return value;
}

function axisValue(value: unknown): 0 | 1 {
  if (typeof value !== 'number') throw new ArgumentTypeError({ argument: 'axis', expected: '0 or 1', received: describe(value) });
  if (value !== 0 && value !== 1) throw new ArgumentRangeError({ argument: 'axis', expected: '0 or 1', received: describe(value) });
  return value;
}

/**
 * keras.constraints.MinMaxNorm: n = the L2 norm along axis, w = w * desired / (1e-7 + n) with
 * desired = rate * clip(n, minValue, maxValue) + (1 - rate) * n. MaxNorm and UnitNorm are its
 * special cases, as in Keras.
 */
class NormConstraint implements Constraint {
  constructor(
    readonly className: 'MaxNorm' | 'UnitNorm' | 'MinMaxNorm',
    private readonly config: Record<string, number>,
    private readonly axis: 0 | 1,
    private readonly minValue: number,
    private readonly maxValue: number,
    private readonly rate: number,
  ) {}

  getConfig(): Record<string, unknown> {
    return { ...this.config };
  }

  apply(view: Float32Array, rows: number, cols: number): void {
    this.applyWith(now.k, view, rows, cols);
  }

  applyWith<S extends number>(k: Kernels<S>, view: Float32Array, rows: number, cols: number): void {
    k.minMaxNorm(view, rows, cols, this.axis, this.minValue, this.maxValue, this.rate);
  }
}

const NON_NEGATIVE = { min: 0, max: Infinity, maxInclusive: false } as const;

/** Each norm along axis is at most maxValue (Srivastava et al. 2014, max-norm with dropout). */
export function maxNorm(config: { maxValue?: number; axis?: number } = {}): Constraint {
  const o = options(config, 'maxNorm', ['maxValue', 'axis']);
  const maxValue = float32In(o['maxValue'] ?? 2, 'maxValue', NON_NEGATIVE);
  const axis = axisValue(o['axis'] ?? 0);
  return new NormConstraint('MaxNorm', { maxValue, axis }, axis, 0, maxValue, 1);
}

/** Each norm along axis is 1. */
export function unitNorm(config: { axis?: number } = {}): Constraint {
  const o = options(config, 'unitNorm', ['axis']);
  const axis = axisValue(o['axis'] ?? 0);
  return new NormConstraint('UnitNorm', { axis }, axis, 1, 1, 1);
}

/** Each norm along axis moved into [minValue, maxValue], by the fraction rate per step. */
export function minMaxNorm(config: { minValue?: number; maxValue?: number; rate?: number; axis?: number } = {}): Constraint {
  const o = options(config, 'minMaxNorm', ['minValue', 'maxValue', 'rate', 'axis']);
  const minValue = float32In(o['minValue'] ?? 0, 'minValue', NON_NEGATIVE);
  const maxValue = float32In(o['maxValue'] ?? 1, 'maxValue', { min: minValue, max: Infinity, maxInclusive: false });
  const rate = float32In(o['rate'] ?? 1, 'rate', { min: 0, max: 1 });
  const axis = axisValue(o['axis'] ?? 0);
  return new NormConstraint('MinMaxNorm', { minValue, maxValue, rate, axis }, axis, minValue, maxValue, rate);
}

class NonNeg implements Constraint {
  readonly className = 'NonNeg';

  getConfig(): Record<string, unknown> {
    return {};
  }

  apply(view: Float32Array): void {
    this.applyWith(now.k, view);
  }

  applyWith<S extends number>(k: Kernels<S>, view: Float32Array): void {
    k.nonNeg(view);
  }
}

/** Weights below 0 set to 0. */
export function nonNeg(): Constraint {
  return new NonNeg();
}

/**
 * Whether a constraint is one of these, whose work is a kernel call: a model with only such
 * constraints can make its training step a plan and run it off the main thread (lib/core/plan.ts).
 */
export function isBuiltInConstraint(value: Constraint | null | undefined): value is NormConstraint | NonNeg {
  return value instanceof NormConstraint || value instanceof NonNeg;
}

/** Applies `constraint` through `k` when it is built in; a constraint of the user's runs now, in JavaScript. */
export function applyConstraint<S extends number>(k: Kernels<S>, constraint: Constraint, view: Float32Array, rows: number, cols: number): void {
  if (isBuiltInConstraint(constraint)) constraint.applyWith(k, view, rows, cols);
  else constraint.apply(view, rows, cols);
}

const byName = { maxNorm, nonNeg, unitNorm, minMaxNorm } as const;
export type ConstraintName = keyof typeof byName;
const classNames: Record<string, ConstraintName> = { MaxNorm: 'maxNorm', NonNeg: 'nonNeg', UnitNorm: 'unitNorm', MinMaxNorm: 'minMaxNorm' };

/** A constraint from a name (with Keras's defaults) or a constraint object; null stays null. */
export function getConstraint(value: unknown, argument: string): Constraint | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return byName[oneOf(value, argument, Object.keys(byName) as ConstraintName[])]();
  const obj = plainObject(value, argument);
  // The serialized form a layer's getConfig() writes: { className, config }.
  const serialized = typeof obj['className'] === 'string' && typeof obj['apply'] !== 'function' ? classNames[obj['className'] as keyof typeof classNames] : undefined;
  if (serialized !== undefined) return (byName[serialized] as (config: unknown) => Constraint)(obj['config'] ?? {});
  if (typeof obj['apply'] !== 'function' || typeof obj['className'] !== 'string') {
    throw new ArgumentTypeError({ argument, expected: "a constraint name ('maxNorm', 'nonNeg', 'unitNorm', 'minMaxNorm') or a constraint object, e.g. constraints.maxNorm({ maxValue: 3 })", received: describe(value) });
  }
  return obj as unknown as Constraint;
}
