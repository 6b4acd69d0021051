/**
 * Learning-rate schedules, as keras.optimizers.schedules: each is a function of the step (the
 * optimizer's `iterations` when the update is applied, counting from 0) and can be passed as any
 * optimizer's `learningRate`:
 *
 *   optimizers.adam({ learningRate: schedules.cosineDecay({ initialLearningRate: 1e-3, decaySteps: 1000 }) })
 */
import { ArgumentRangeError, ArgumentTypeError } from './errors';
import { boolean, describe, float32In, knownOptions, nonNegativeInteger, oneOf, plainObject, positiveInteger } from './validate';

export interface LearningRateSchedule {
  /** The learning rate for the update applied after `step` earlier ones. */
  (step: number): number;
  readonly className: string;
  getConfig(): Record<string, unknown>;
}

function makeSchedule(className: string, config: Record<string, unknown>, rate: (step: number) => number): LearningRateSchedule {
  return Object.assign((step: number) => rate(step), { className, getConfig: () => ({ ...config }) });
}

const positive = { min: 0, max: Infinity, minInclusive: false, maxInclusive: false } as const;
const nonNegative = { min: 0, max: Infinity, maxInclusive: false } as const;

function options(config: unknown, name: string, known: readonly string[]): Record<string, unknown> {
  const value = plainObject(config, `${name} config`);
  knownOptions(value, `${name} config`, known);
  return value;
}

export interface ExponentialDecayConfig {
  initialLearningRate: number;
  decaySteps: number;
  decayRate: number;
  staircase?: boolean;
}

/** initialLearningRate * decayRate^(step / decaySteps); with staircase the exponent is floored. */
export function exponentialDecay(config: ExponentialDecayConfig): LearningRateSchedule {
  const o = options(config, 'exponentialDecay', ['initialLearningRate', 'decaySteps', 'decayRate', 'staircase']);
  const initialLearningRate = float32In(o['initialLearningRate'], 'initialLearningRate', positive);
  const decaySteps = positiveInteger(o['decaySteps'], 'decaySteps');
  const decayRate = float32In(o['decayRate'], 'decayRate', positive);
  const staircase = boolean(o['staircase'] ?? false, 'staircase');
  return makeSchedule('ExponentialDecay', { initialLearningRate, decaySteps, decayRate, staircase }, (step) => {
    const exponent = staircase ? Math.floor(step / decaySteps) : step / decaySteps;
    return initialLearningRate * decayRate ** exponent;
  });
}

export interface StepDecayConfig {
  initialLearningRate: number;
  dropEvery: number;
  factor: number;
}

/** initialLearningRate * factor^floor(step / dropEvery): the rate drops by `factor` every `dropEvery` steps. */
export function stepDecay(config: StepDecayConfig): LearningRateSchedule {
  const o = options(config, 'stepDecay', ['initialLearningRate', 'dropEvery', 'factor']);
  const initialLearningRate = float32In(o['initialLearningRate'], 'initialLearningRate', positive);
  const dropEvery = positiveInteger(o['dropEvery'], 'dropEvery');
  const factor = float32In(o['factor'], 'factor', positive);
  return makeSchedule('StepDecay', { initialLearningRate, dropEvery, factor }, (step) => initialLearningRate * factor ** Math.floor(step / dropEvery));
}

export interface CosineDecayConfig {
  initialLearningRate: number;
  decaySteps: number;
  alpha?: number;
  warmupTarget?: number;
  warmupSteps?: number;
}

/**
 * Keras 3's CosineDecay (Loshchilov & Hutter 2017, SGDR without restarts): with a warmupTarget,
 * a linear warmup from initialLearningRate to warmupTarget over warmupSteps, then
 *   peak * ((1 - alpha) * 0.5 * (1 + cos(pi * s / decaySteps)) + alpha),  s = min(step - warmupSteps, decaySteps)
 * where peak is warmupTarget (initialLearningRate without warmup): the rate ends at alpha * peak.
 */
export function cosineDecay(config: CosineDecayConfig): LearningRateSchedule {
  const o = options(config, 'cosineDecay', ['initialLearningRate', 'decaySteps', 'alpha', 'warmupTarget', 'warmupSteps']);
  const warmupTarget = o['warmupTarget'] === undefined ? undefined : float32In(o['warmupTarget'], 'warmupTarget', positive);
  // With a warmup the schedule may start from 0, as Keras's examples do.
  const initialLearningRate = float32In(o['initialLearningRate'], 'initialLearningRate', warmupTarget === undefined ? positive : nonNegative);
  const decaySteps = positiveInteger(o['decaySteps'], 'decaySteps');
  const alpha = float32In(o['alpha'] ?? 0, 'alpha', { min: 0, max: 1 });
  const warmupSteps = nonNegativeInteger(o['warmupSteps'] ?? 0, 'warmupSteps');
  const peak = warmupTarget ?? initialLearningRate;
  const warmup = warmupTarget === undefined ? 0 : warmupSteps;
  const configOut: Record<string, unknown> = { initialLearningRate, decaySteps, alpha, warmupSteps };
  if (warmupTarget !== undefined) configOut['warmupTarget'] = warmupTarget;
  return makeSchedule('CosineDecay', configOut, (step) => {
    if (step < warmup) return initialLearningRate + (peak - initialLearningRate) * (step / warmup);
    const fraction = Math.min(step - warmup, decaySteps) / decaySteps;
    return peak * ((1 - alpha) * 0.5 * (1 + Math.cos(Math.PI * fraction)) + alpha);
  });
}

export interface PiecewiseConstantConfig {
  boundaries: readonly number[];
  values: readonly number[];
}

/**
 * values[0] while step <= boundaries[0], values[i] while boundaries[i - 1] < step <= boundaries[i],
 * and the last value after the last boundary, as keras.optimizers.schedules.PiecewiseConstantDecay.
 */
export function piecewiseConstant(config: PiecewiseConstantConfig): LearningRateSchedule {
  const o = options(config, 'piecewiseConstant', ['boundaries', 'values']);
  const boundaries = numberList(o['boundaries'], 'boundaries');
  const values = numberList(o['values'], 'values');
  boundaries.forEach((b, i) => {
    const previous = i === 0 ? -Infinity : (boundaries[i - 1] as number);
    if (!Number.isFinite(b) || b <= previous) {
      throw new ArgumentRangeError({ argument: `boundaries[${i}]`, expected: 'finite numbers in increasing order', received: describe(b) });
    }
  });
  values.forEach((v, i) => float32In(v, `values[${i}]`, nonNegative));
  if (values.length !== boundaries.length + 1) {
    throw new ArgumentRangeError({
      argument: 'values',
      expected: `one more value than boundaries (${boundaries.length + 1} for ${boundaries.length} boundaries)`,
      received: `${values.length} values`,
    });
  }
  return makeSchedule('PiecewiseConstantDecay', { boundaries: [...boundaries], values: [...values] }, (step) => {
    const index = boundaries.findIndex((b) => step <= b);
    return values[index === -1 ? boundaries.length : index] as number;
  });
}

function numberList(value: unknown, argument: string): number[] {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'number')) {
    throw new ArgumentTypeError({ argument, expected: 'an array of numbers', received: describe(value) });
  }
  return value as number[];
}

const scheduleFactories: Record<string, (config: never) => LearningRateSchedule> = {
  ExponentialDecay: exponentialDecay,
  StepDecay: stepDecay,
  CosineDecay: cosineDecay,
  PiecewiseConstantDecay: piecewiseConstant,
};

/** A schedule from its serialized form { className, config }, as an optimizer's getConfig() writes it. */
export function scheduleFromConfig(value: unknown, argument: string): LearningRateSchedule {
  const obj = plainObject(value, argument);
  knownOptions(obj, argument, ['className', 'config']);
  const className = oneOf(obj['className'], `${argument}.className`, Object.keys(scheduleFactories));
  return (scheduleFactories[className] as (config: unknown) => LearningRateSchedule)(obj['config']);
}
