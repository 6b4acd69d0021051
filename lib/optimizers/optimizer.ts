/**
 * What every optimizer is: one update over the whole parameter arena from the gradient arena,
 * with its slots (momentum, moments, ...) in arenas of the same layout, made on first use. The
 * base class owns what all of them share, as Keras's BaseOptimizer does: the learning rate (a
 * number or a schedule of the step), the step count and gradient clipping.
 *
 * An update is all or nothing (native/kernels/optimizers.h): each slot is a pair of arenas, the
 * current one, which the update reads, and the next, which it writes; the next becomes current
 * only once the update is known to be applied, so a refused one leaves every slot as it was. This
 * doubles the slots' memory: it is what undoing one step needs, kept without a copy.
 */
import { native, type StepOutcome } from '../backend';
import { ArgumentRangeError, ArgumentTypeError } from '../errors';
import type { LearningRateSchedule } from '../schedules';
import { describe, FINITE, float32In, knownOptions, nonNegativeInteger, numberIn, plainObject } from '../validate';

/** A number, or a function of the step such as a schedule from `schedules`. */
export type LearningRate = number | ((step: number) => number);

/** Options every optimizer takes besides its own. */
export interface OptimizerConfig {
  learningRate?: LearningRate;
  /** Each gradient element clamped to [-clipValue, clipValue]. */
  clipValue?: number;
  /** Each tensor's gradient rescaled to an L2 norm of at most clipNorm. */
  clipNorm?: number;
  /** All gradients rescaled together to a global L2 norm of at most globalClipNorm. */
  globalClipNorm?: number;
}

const COMMON_OPTIONS = ['learningRate', 'clipValue', 'clipNorm', 'globalClipNorm'] as const;
const POSITIVE = { min: 0, max: Infinity, minInclusive: false, maxInclusive: false } as const;

/** A decay rate (momentum, rho, beta1, beta2) in [0, 1), with its default. */
export function decayRate(options: Record<string, unknown>, key: string, fallback: number): number {
  return float32In(options[key] ?? fallback, key, { min: 0, max: 1, maxInclusive: false });
}

/** The epsilon that keeps a denominator away from 0: > 0, Keras's 1e-7 by default. */
export function epsilonOption(options: Record<string, unknown>): number {
  return float32In(options['epsilon'] ?? 1e-7, 'epsilon', POSITIVE);
}

/** The config object of an optimizer, checked for unknown options (its own and the common ones). */
export function optimizerOptions(config: unknown, name: string, own: readonly string[]): Record<string, unknown> {
  const options = plainObject(config, `${name} config`);
  knownOptions(options, `${name} config`, [...COMMON_OPTIONS, ...own]);
  return options;
}

function learningRateValue(value: unknown): LearningRate {
  if (typeof value === 'function') return value as (step: number) => number;
  if (typeof value !== 'number') {
    throw new ArgumentTypeError({ argument: 'learningRate', expected: 'a number > 0 or a schedule', received: describe(value) });
  }
  return float32In(value, 'learningRate', POSITIVE);
}

function optionalBound(value: unknown, argument: string): number | undefined {
  return value === undefined ? undefined : float32In(value, argument, POSITIVE);
}

export abstract class Optimizer {
  abstract readonly className: string;
  /** Updates applied so far (Keras's `iterations`); schedules and bias corrections count from it. */
  iterations = 0;
  readonly clipValue: number | undefined;
  readonly clipNorm: number | undefined;
  readonly globalClipNorm: number | undefined;
  private rate: LearningRate;
  /** Slot arenas by name (m, v, velocity, ...), each pair the size of the parameter arena, made on first use. */
  private readonly slots = new Map<string, SlotArenas>();

  /** options: already checked by optimizerOptions; defaultLearningRate: Keras's for this optimizer. */
  protected constructor(options: Record<string, unknown>, defaultLearningRate: number) {
    this.rate = learningRateValue(options['learningRate'] ?? defaultLearningRate);
    this.clipValue = optionalBound(options['clipValue'], 'clipValue');
    this.clipNorm = optionalBound(options['clipNorm'], 'clipNorm');
    this.globalClipNorm = optionalBound(options['globalClipNorm'], 'globalClipNorm');
    if (this.clipNorm !== undefined && this.globalClipNorm !== undefined) {
      throw new ArgumentRangeError(
        { argument: 'globalClipNorm', expected: 'no globalClipNorm when clipNorm is set', received: describe(this.globalClipNorm) },
        'Clip each tensor (clipNorm) or all of them together (globalClipNorm), not both, as Keras allows only one.',
      );
    }
  }

  /** The learning rate: a number > 0 or a function of the step. Callbacks may set a new number. */
  get learningRate(): LearningRate {
    return this.rate;
  }

  set learningRate(value: LearningRate) {
    this.rate = learningRateValue(value);
  }

  /** The rate of the next update: the number, or the schedule evaluated at `iterations`. */
  currentLearningRate(): number {
    if (typeof this.rate === 'number') return this.rate;
    const value = this.rate(this.iterations);
    if (typeof value !== 'number' || !Number.isFinite(Math.fround(value)) || value < 0) {
      throw new ArgumentRangeError({ argument: `learningRate schedule at step ${this.iterations}`, expected: 'a number >= 0 that float32 can hold', received: describe(value) });
    }
    return value;
  }

  /**
   * One step: clips grads in place as configured, then updates params; grads then hold the
   * params as they were before the step (the kernel keeps them there to undo it). Both arenas
   * have the model's layout; segments are the arena's tensor boundaries (tensor i is
   * [segments[i], segments[i + 1])). Returns the update's outcome: 1, or NaN when it was refused
   * because a weight or a slot would not be finite: then params, the slots and the step count are
   * as they were.
   */
  applyGradients(params: Float32Array, grads: Float32Array, segments: Uint32Array): StepOutcome {
    const update = this.beginUpdate(params, grads, segments);
    update.settle(update.outcome === 1);
    return update.outcome;
  }

  /**
   * applyGradients, for a caller that learns the outcome later: a step recorded into a program,
   * whose run decides it (lib/program.ts). The step counts its update and writes the next arena of
   * each slot; the caller then calls settle() once, before the next step: settle(true) when the
   * update was applied makes those arenas current, settle(false) when it was refused or its program
   * stopped short of it puts the step count and scalars back. @internal
   */
  beginUpdate(params: Float32Array, grads: Float32Array, segments: Uint32Array): PendingUpdate {
    if (this.clipValue !== undefined || this.clipNorm !== undefined || this.globalClipNorm !== undefined) {
      native.clipGradients(grads, segments, this.clipNorm ?? 0, this.globalClipNorm ?? 0, this.clipValue ?? 0);
    }
    const learningRate = this.currentLearningRate();
    const [iterations, scalars] = [this.iterations, this.scalars()];
    this.iterations += 1;
    const outcome = this.update(params, grads, learningRate);
    const written = this.slotNames().map((name) => [name, this.slots.get(name) as SlotArenas] as const);
    return {
      outcome,
      settle: (applied) => {
        if (applied) {
          for (const [name, { current, next }] of written) this.slots.set(name, { current: next, next: current });
        } else {
          this.iterations = iterations;
          this.restoreScalars(scalars);
        }
      },
    };
  }

  /**
   * The update proper, with this step's learning rate; `iterations` already counts it. It reads
   * the current arena of each slot in slotNames() and writes the next one (see slot()).
   */
  protected abstract update(params: Float32Array, grads: Float32Array, learningRate: number): StepOutcome;

  /** The options that recreate this optimizer (a schedule appears as its className and config). */
  abstract getConfig(): Record<string, unknown>;

  /** The common options, for the subclasses' getConfig. */
  protected baseConfig(): Record<string, unknown> {
    const rate = this.rate as LearningRate & Partial<Pick<LearningRateSchedule, 'className' | 'getConfig'>>;
    const config: Record<string, unknown> = {
      learningRate: typeof rate === 'number' || rate.getConfig === undefined ? rate : { className: rate.className, config: rate.getConfig() },
    };
    if (this.clipValue !== undefined) config['clipValue'] = this.clipValue;
    if (this.clipNorm !== undefined) config['clipNorm'] = this.clipNorm;
    if (this.globalClipNorm !== undefined) config['globalClipNorm'] = this.globalClipNorm;
    return config;
  }

  /**
   * The arenas of slot `name`, each the size of params: `current`, filled with `initial` when made,
   * which the update reads, and `next`, which it writes. Kept while the arena's size stays the same.
   */
  protected slot(name: string, params: Float32Array, initial = 0): SlotArenas {
    const existing = this.slots.get(name);
    if (existing !== undefined && existing.current.length === params.length) return existing;
    const made = { current: new Float32Array(params.length).fill(initial), next: new Float32Array(params.length) };
    this.slots.set(name, made);
    return made;
  }

  /** The slots this optimizer, as configured, makes on its first update and writes in every one, in a fixed order. */
  abstract slotNames(): string[];

  /**
   * The slots that hold running sums or averages of squares (or of magnitudes): never negative in
   * training, and a negative value would reach a square root or a denominator. A restored state
   * is checked against it.
   */
  protected nonNegativeSlots(): readonly string[] {
    return [];
  }

  /** Numbers besides the slots that the next update depends on (Nadam's uProduct); none by default. */
  protected scalars(): Record<string, number> {
    return {};
  }

  /** Restores what scalars() gave; called only with its keys, each a finite number. */
  protected restoreScalars(_values: Record<string, number>): void {}

  /**
   * What the next update depends on besides the config: the step count, the slot arenas made so
   * far (the current arrays themselves, by name, in slotNames() order; the next applied update
   * makes the other of each pair current) and scalars. A checkpoint saves it.
   */
  getState(): OptimizerState {
    const slots = this.slotNames().flatMap((name) => {
      const values = this.slots.get(name)?.current;
      return values === undefined ? [] : [{ name, values }];
    });
    return { iterations: this.iterations, slots, scalars: this.scalars() };
  }

  /**
   * Restores a getState() of an optimizer of the same class and config, for a parameter arena of
   * `parameterCount` values; checks everything before changing anything.
   */
  setState(state: OptimizerState, parameterCount: number): void {
    const iterations = nonNegativeInteger(state.iterations, 'optimizer state iterations');
    const known = this.slotNames();
    const seen = new Set<string>();
    for (const { name, values } of state.slots) {
      if (!known.includes(name) || seen.has(name)) {
        throw new ArgumentRangeError({ argument: 'optimizer state slots', expected: `distinct slots among ${known.map((k) => `'${k}'`).join(', ') || 'none'} for ${this.className}`, received: `'${name}'` });
      }
      seen.add(name);
      if (!(values instanceof Float32Array) || values.length !== parameterCount) {
        throw new ArgumentRangeError({ argument: `optimizer slot '${name}'`, expected: `a Float32Array of ${parameterCount} values, one per parameter`, received: describe(values) });
      }
      const negative = this.nonNegativeSlots().includes(name) ? values.findIndex((v) => !(v >= 0)) : -1;
      if (negative >= 0) {
        throw new ArgumentRangeError({ argument: `optimizer slot '${name}'[${negative}]`, expected: `a value >= 0 (${this.className} keeps a running sum or average of squares there)`, received: describe(values[negative]) });
      }
    }
    const expectedScalars = Object.keys(this.scalars());
    const given = Object.keys(state.scalars);
    if (given.length !== expectedScalars.length || given.some((k) => !expectedScalars.includes(k))) {
      throw new ArgumentRangeError({ argument: 'optimizer state scalars', expected: `the keys ${expectedScalars.join(', ') || '(none)'}`, received: `the keys ${given.join(', ') || '(none)'}` });
    }
    for (const [key, value] of Object.entries(state.scalars)) numberIn(value, `optimizer state scalars.${key}`, FINITE);
    this.iterations = iterations;
    this.slots.clear();
    for (const { name, values } of state.slots) this.slots.set(name, { current: values.slice(), next: new Float32Array(values.length) });
    this.restoreScalars({ ...state.scalars });
  }
}

/** The two arenas of a slot: an update reads `current` and writes `next`. */
export interface SlotArenas {
  readonly current: Float32Array;
  readonly next: Float32Array;
}

/** A step begun by Optimizer#beginUpdate: its outcome (or its scalar's index, recorded), and settle(). @internal */
export interface PendingUpdate {
  readonly outcome: StepOutcome;
  settle(applied: boolean): void;
}

/** An optimizer's step count, slot arenas and scalars; see Optimizer#getState. */
export interface OptimizerState {
  readonly iterations: number;
  readonly slots: readonly { readonly name: string; readonly values: Float32Array }[];
  readonly scalars: Readonly<Record<string, number>>;
}
