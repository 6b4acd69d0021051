/**
 * Weight penalties, as keras.regularizers (and tfjs's regularizers.l1 / l2 / l1l2): a layer adds
 * `apply(weights, grads, scale)` to its loss and the penalty's gradient to its weights' gradient.
 * The sums and the gradient are one native call over the weight view (native/kernels/regularizers.h).
 */
import { now, type Kernels } from './core/kernels';
import { ArgumentTypeError } from './errors';
import { describe, float32In, knownOptions, oneOf, plainObject } from './validate';

export interface Regularizer {
  readonly className: string;
  getConfig(): Record<string, unknown>;
  /** scale * (l1 sum|v| + l2 sum v^2); adds its gradient, scale * (l1 sign(v) + 2 l2 v), into grads unless null. */
  apply(values: Float32Array, grads: Float32Array | null, scale: number): number;
}

const COEFFICIENT = { min: 0, max: Infinity, maxInclusive: false } as const;

class L1L2 implements Regularizer {
  constructor(
    readonly className: 'L1' | 'L2' | 'L1L2',
    readonly l1: number,
    readonly l2: number,
  ) {}

  getConfig(): Record<string, unknown> {
    if (this.className === 'L1') return { l1: this.l1 };
    if (this.className === 'L2') return { l2: this.l2 };
    return { l1: this.l1, l2: this.l2 };
  }

  apply(values: Float32Array, grads: Float32Array | null, scale: number): number {
    return this.applyWith(now.k, values, grads, scale);
  }

  applyWith<S extends number>(k: Kernels<S>, values: Float32Array, grads: Float32Array | null, scale: number): S {
    return k.regularize(grads, values, this.l1, this.l2, scale);
  }
}

/**
 * Whether a regularizer is one of these, whose work is a kernel call: a model with only such
 * regularizers can make its training step a plan and run it off the main thread (lib/core/plan.ts).
 */
export function isBuiltInRegularizer(value: Regularizer | null | undefined): value is L1L2 {
  return value instanceof L1L2;
}

/**
 * The penalty of `regularizer` through `k` when it is built in; a regularizer of the user's runs
 * now, in JavaScript, and only ever so (a model with one makes no plan), so its number is S.
 */
export function applyRegularizer<S extends number>(k: Kernels<S>, regularizer: Regularizer, values: Float32Array, grads: Float32Array | null, scale: number): S {
  return isBuiltInRegularizer(regularizer) ? regularizer.applyWith(k, values, grads, scale) : (regularizer.apply(values, grads, scale) as S);
}

function coefficients(config: unknown, name: string, known: readonly ('l1' | 'l2')[]): { l1: number; l2: number } {
  const options = plainObject(config, `${name} config`);
  knownOptions(options, `${name} config`, known);
  const read = (key: 'l1' | 'l2'): number => (known.includes(key) ? float32In(options[key] ?? 0.01, key, COEFFICIENT) : 0);
  return { l1: read('l1'), l2: read('l2') };
}

/** Lasso: l1 * sum |v|. */
export function l1(config: { l1?: number } = {}): Regularizer {
  const { l1: a } = coefficients(config, 'l1', ['l1']);
  return new L1L2('L1', a, 0);
}

/** Ridge (weight decay through the loss): l2 * sum v^2. */
export function l2(config: { l2?: number } = {}): Regularizer {
  const { l2: b } = coefficients(config, 'l2', ['l2']);
  return new L1L2('L2', 0, b);
}

/** Elastic net: l1 * sum |v| + l2 * sum v^2. */
export function l1l2(config: { l1?: number; l2?: number } = {}): Regularizer {
  const { l1: a, l2: b } = coefficients(config, 'l1l2', ['l1', 'l2']);
  return new L1L2('L1L2', a, b);
}

const byName = { l1, l2, l1l2 } as const;
export type RegularizerName = keyof typeof byName;
const classNames: Record<string, RegularizerName> = { L1: 'l1', L2: 'l2', L1L2: 'l1l2' };

/** A regularizer from a name (with Keras's default 0.01) or a regularizer object; null stays null. */
export function getRegularizer(value: unknown, argument: string): Regularizer | null {
  if (value === undefined || value === null) return null;
  if (typeof value === 'string') return byName[oneOf(value, argument, Object.keys(byName) as RegularizerName[])]();
  const obj = plainObject(value, argument);
  // The serialized form a layer's getConfig() writes: { className, config }.
  const serialized = typeof obj['className'] === 'string' && typeof obj['apply'] !== 'function' ? classNames[obj['className'] as keyof typeof classNames] : undefined;
  if (serialized !== undefined) return (byName[serialized] as (config: unknown) => Regularizer)(obj['config'] ?? {});
  if (typeof obj['apply'] !== 'function' || typeof obj['className'] !== 'string') {
    throw new ArgumentTypeError({ argument, expected: "a regularizer name ('l1', 'l2', 'l1l2') or a regularizer object, e.g. regularizers.l2({ l2: 1e-4 })", received: describe(value) });
  }
  return obj as unknown as Regularizer;
}
