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
import type { PlanInput, StepOutcome } from '../backend';
import { now, type Work } from '../core/kernels';
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
  /**
   * Slot arenas by name (m, v, velocity, ...), each two arrays the size of the parameter arena,
   * made on first use: an update reads the current one (index `flip`) and writes the other, which
   * becomes current if it is applied; a refused update leaves the current one as it was. So
   * undoing a step costs no copy, and as much memory again as the slots.
   */
  private readonly slots = new Map<string, [Float32Array, Float32Array]>();
  private flip: 0 | 1 = 0;
  /** What each slot starts at (Adagrad's accumulator: initialAccumulatorValue). */
  private readonly initialValues = new Map<string, number>();
  private slotVersion = 0;
  /** A running product over the steps taken (Nadam's u_1 ... u_t); 1 for the others. */
  protected product = 1;

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
    return this.learningRateAt(this.iterations);
  }

  /** The rate of the update after `step` earlier ones, checked as float32. */
  private learningRateAt(step: number): number {
    if (typeof this.rate === 'number') return this.rate;
    const value = this.rate(step);
    if (typeof value !== 'number' || !Number.isFinite(Math.fround(value)) || value < 0) {
      throw new ArgumentRangeError({ argument: `learningRate schedule at step ${step}`, expected: 'a number >= 0 that float32 can hold', received: describe(value) });
    }
    return value;
  }

  /**
   * The numbers of the next `count` updates, if each is applied: what an update reads besides the
   * arrays, and what changes from one step to the next. No state changes.
   */
  stepNumbers(count: number): StepNumbers[] {
    const numbers: StepNumbers[] = [];
    let product = this.product;
    for (let ahead = 0; ahead < count; ahead++) {
      const step = this.iterations + ahead + 1;
      product *= this.productFactor(step);
      numbers.push({ learningRate: this.learningRateAt(step - 1), step, uProduct: product, swap: (this.flip + ahead) % 2 });
    }
    return numbers;
  }

  /** Counts `applied` updates as made: the step count, the running product, which array of each slot is current. */
  advance(applied: number): void {
    const numbers = applied > 0 ? this.stepNumbers(applied) : [];
    this.iterations += applied;
    this.product = numbers[numbers.length - 1]?.uProduct ?? this.product;
    this.flip = ((this.flip + applied) % 2) as 0 | 1;
  }

  /**
   * The clipping and the update of the next step through `w` (run now, or added to a plan): clips
   * grads in place as configured, then updates params; grads then hold the params as they were
   * (the kernel keeps them there to undo a refused update). Both arenas have the model's layout;
   * segments are the arena's tensor boundaries (tensor i is [segments[i], segments[i + 1])). The
   * numbers of the step are w's inputs (now, those of the next step). Returns the update's
   * outcome: 1, or NaN when it was refused because a weight or a slot would not be finite (then
   * params and the current slots are as they were). Counts nothing: the caller calls advance()
   * for what was applied. @internal
   */
  addUpdate<S extends number>(w: Work<S>, params: Float32Array, grads: Float32Array, segments: Uint32Array): S {
    if (this.clipValue !== undefined || this.clipNorm !== undefined || this.globalClipNorm !== undefined) {
      w.k.clipGradients(grads, segments, this.clipNorm ?? 0, this.globalClipNorm ?? 0, this.clipValue ?? 0);
    }
    const next = this.stepNumbers(1)[0] as StepNumbers;
    return this.update(w, params, grads, {
      learningRate: w.input('learningRate', next.learningRate),
      step: w.input('step', next.step),
      uProduct: w.input('uProduct', next.uProduct),
      swap: w.input('swap', next.swap),
    });
  }

  /** One update now (addUpdate, then advance when applied): its outcome, 1 or NaN. */
  applyGradients(params: Float32Array, grads: Float32Array, segments: Uint32Array): StepOutcome {
    const outcome = this.addUpdate(now, params, grads, segments);
    if (Number.isFinite(outcome)) this.advance(1);
    return outcome;
  }

  /**
   * The update proper, through w's kernels: reads each slot's current array and writes the other
   * (slot() gives them in the order the kernels take, and `swap` picks which is which).
   */
  protected abstract update<S extends number>(w: Work<S>, params: Float32Array, grads: Float32Array, numbers: UpdateNumbers): S;

  /** u_t for Nadam's running product; 1 (no product) for the others. */
  protected productFactor(_step: number): number {
    return 1;
  }

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
   * Slot `name`'s two arrays, each the size of params, as an update passes them: `out` and `in`,
   * swapped by the update's `swap` when the other one is current. Made on first use (the current
   * one filled with `initial`), kept while the arena's size stays the same.
   */
  protected slot(name: string, params: Float32Array, initial = 0): SlotArrays {
    const existing = this.slots.get(name);
    if (existing !== undefined && existing[0].length === params.length) return { out: existing[1], in: existing[0] };
    const made: [Float32Array, Float32Array] = [new Float32Array(params.length), new Float32Array(params.length)];
    (made[this.flip] as Float32Array).fill(initial);
    this.initialValues.set(name, initial);
    this.slots.set(name, made);
    this.slotVersion++;
    return { out: made[1], in: made[0] };
  }

  /**
   * Moves each slot's values with their parameters when the model lays out its arena anew
   * (moves: runs of `size` values from `from` to `to`); values of new parameters start as a new
   * slot's do. @internal
   */
  remapSlots(moves: readonly { from: number; to: number; size: number }[], length: number): void {
    for (const [name, pair] of this.slots) {
      const current = pair[this.flip] as Float32Array;
      const made: [Float32Array, Float32Array] = [new Float32Array(length), new Float32Array(length)];
      const target = made[this.flip] as Float32Array;
      target.fill(this.initialValues.get(name) ?? 0);
      for (const { from, to, size } of moves) target.set(current.subarray(from, from + size), to);
      this.slots.set(name, made);
    }
    if (this.slots.size > 0) this.slotVersion++;
  }

  /** Changes whenever a slot's arrays are replaced: a plan that holds the old ones is out of date. @internal */
  get slotsVersion(): number {
    return this.slotVersion;
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
      const values = this.slots.get(name)?.[this.flip];
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
    this.flip = 0;
    this.slotVersion++;
    for (const { name, values } of state.slots) this.slots.set(name, [values.slice(), new Float32Array(values.length)]);
    this.restoreScalars({ ...state.scalars });
  }
}

/** A slot's two arrays as an update passes them (see Optimizer#slot). */
export interface SlotArrays {
  readonly out: Float32Array;
  readonly in: Float32Array;
}

/** The numbers of one update, besides its arrays: they change from step to step. */
export interface StepNumbers {
  readonly learningRate: number;
  /** t, the update's number counted from 1. */
  readonly step: number;
  /** Nadam's u_1 ... u_t; 1 for the others. */
  readonly uProduct: number;
  /** 1 when each slot's `out` array is the current one (see Optimizer#slot). */
  readonly swap: number;
}

/** StepNumbers as an update passes them: numbers now, plan inputs in a plan (lib/core/kernels.ts). */
export type UpdateNumbers = { readonly [K in keyof StepNumbers]: number | PlanInput };

/** An optimizer's step count, slot arenas and scalars; see Optimizer#getState. */
export interface OptimizerState {
  readonly iterations: number;
  readonly slots: readonly { readonly name: string; readonly values: Float32Array }[];
  readonly scalars: Readonly<Record<string, number>>;
}
