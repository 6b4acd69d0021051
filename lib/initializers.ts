/**
 * Weight initializers, with Keras's names, defaults and formulas, drawing from the one seedable
 * generator (lib/random.ts). Every fan-based initializer is a case of varianceScaling
 * (keras.initializers.VarianceScaling): with n = fanIn, fanOut or (fanIn + fanOut) / 2 by mode,
 *   truncatedNormal:   N(0, s^2) cut at +-2 s, s = sqrt(scale / n) / 0.87962566103423978
 *                      (the stddev of a unit normal truncated at +-2, so the variance stays scale / n)
 *   untruncatedNormal: N(0, scale / n)
 *   uniform:           U(-l, l), l = sqrt(3 scale / n)
 *   glorot (Glorot & Bengio, 2010): scale 1, fanAvg;  he (He et al., 2015): scale 2, fanIn;
 *   lecun (LeCun et al., 1998): scale 1, fanIn; each with a uniform and a truncated-normal form.
 */
import { ArgumentRangeError, ArgumentTypeError } from './errors';
import { globalRandom } from './random';
import { describe, FINITE, float32In, knownOptions, oneOf, plainObject } from './validate';

export interface Initializer {
  readonly className: InitializerName;
  /** Fills a parameter view. fanIn and fanOut are those of the weight matrix it belongs to. */
  fill(view: Float32Array, fanIn: number, fanOut: number): void;
  getConfig(): Record<string, unknown>;
}

export const initializerNames = [
  'zeros', 'ones', 'constant', 'randomUniform', 'randomNormal', 'truncatedNormal', 'varianceScaling',
  'glorotUniform', 'glorotNormal', 'heUniform', 'heNormal', 'lecunUniform', 'lecunNormal',
] as const;
export type InitializerName = (typeof initializerNames)[number];

export const fanModes = ['fanIn', 'fanOut', 'fanAvg'] as const;
export type FanMode = (typeof fanModes)[number];
export const distributions = ['truncatedNormal', 'untruncatedNormal', 'uniform'] as const;
export type Distribution = (typeof distributions)[number];

export interface ConstantArgs {
  /** The value of every element (default 0). */
  value?: number;
}
export interface RandomUniformArgs {
  minval?: number;
  maxval?: number;
}
export interface RandomNormalArgs {
  mean?: number;
  stddev?: number;
}
export interface VarianceScalingArgs {
  scale?: number;
  mode?: FanMode;
  distribution?: Distribution;
}

/** The standard deviation of a unit normal truncated at +-2: dividing by it restores the variance. */
const TRUNCATED_NORMAL_STDDEV = 0.87962566103423978;

type Fill = Initializer['fill'];

function make(className: InitializerName, config: Record<string, unknown>, fill: Fill): Initializer {
  return { className, fill, getConfig: () => ({ ...config }) };
}

function drawUniform(view: Float32Array, low: number, high: number): void {
  for (let i = 0; i < view.length; i++) view[i] = low + (high - low) * globalRandom.uniform();
}

function drawNormal(view: Float32Array, mean: number, stddev: number): void {
  for (let i = 0; i < view.length; i++) view[i] = mean + stddev * globalRandom.normal();
}

/** N(mean, stddev^2) with draws beyond 2 stddev redrawn, as tf.random.truncated_normal. */
function drawTruncatedNormal(view: Float32Array, mean: number, stddev: number): void {
  for (let i = 0; i < view.length; i++) {
    let z = globalRandom.normal();
    while (Math.abs(z) > 2) z = globalRandom.normal();
    view[i] = mean + stddev * z;
  }
}

/** The variance-scaling draw; the named initializers below only fix its three parameters. */
function varianceScalingFill(scale: number, mode: FanMode, distribution: Distribution): Fill {
  return (view, fanIn, fanOut) => {
    const fan = mode === 'fanIn' ? fanIn : mode === 'fanOut' ? fanOut : (fanIn + fanOut) / 2;
    const variance = scale / Math.max(1, fan);
    if (distribution === 'uniform') {
      const limit = Math.sqrt(3 * variance);
      drawUniform(view, -limit, limit);
    } else if (distribution === 'truncatedNormal') {
      drawTruncatedNormal(view, 0, Math.sqrt(variance) / TRUNCATED_NORMAL_STDDEV);
    } else {
      drawNormal(view, 0, Math.sqrt(variance));
    }
  };
}

/** The options object of a factory: undefined means {}, unknown keys are refused. */
function options(args: unknown, name: string, known: readonly string[]): Record<string, unknown> {
  if (args === undefined) return {};
  const obj = plainObject(args, `${name} args`);
  knownOptions(obj, `${name} args`, known);
  return obj;
}

const positive = { min: 0, max: Infinity, minInclusive: false, maxInclusive: false } as const;

export function zeros(): Initializer {
  return make('zeros', {}, (view) => view.fill(0));
}

export function ones(): Initializer {
  return make('ones', {}, (view) => view.fill(1));
}

export function constant(args?: ConstantArgs): Initializer {
  const o = options(args, 'constant', ['value']);
  const value = float32In(o['value'] ?? 0, 'value', FINITE);
  return make('constant', { value }, (view) => view.fill(value));
}

/** U(minval, maxval); defaults -0.05 and 0.05 as Keras. */
export function randomUniform(args?: RandomUniformArgs): Initializer {
  const o = options(args, 'randomUniform', ['minval', 'maxval']);
  const minval = float32In(o['minval'] ?? -0.05, 'minval', FINITE);
  const maxval = float32In(o['maxval'] ?? 0.05, 'maxval', FINITE);
  if (!(minval < maxval)) {
    throw new ArgumentRangeError({ argument: 'maxval', expected: `a number greater than minval (${minval})`, received: describe(maxval) });
  }
  return make('randomUniform', { minval, maxval }, (view) => drawUniform(view, minval, maxval));
}

function normalArgs(args: unknown, name: string): { mean: number; stddev: number } {
  const o = options(args, name, ['mean', 'stddev']);
  return { mean: float32In(o['mean'] ?? 0, 'mean', FINITE), stddev: float32In(o['stddev'] ?? 0.05, 'stddev', positive) };
}

/** N(mean, stddev^2); defaults 0 and 0.05 as Keras. */
export function randomNormal(args?: RandomNormalArgs): Initializer {
  const { mean, stddev } = normalArgs(args, 'randomNormal');
  return make('randomNormal', { mean, stddev }, (view) => drawNormal(view, mean, stddev));
}

/** N(mean, stddev^2) redrawn beyond 2 stddev (no variance correction, as Keras's TruncatedNormal). */
export function truncatedNormal(args?: RandomNormalArgs): Initializer {
  const { mean, stddev } = normalArgs(args, 'truncatedNormal');
  return make('truncatedNormal', { mean, stddev }, (view) => drawTruncatedNormal(view, mean, stddev));
}

/** Keras's VarianceScaling; defaults scale 1, mode 'fanIn', distribution 'truncatedNormal'. */
export function varianceScaling(args?: VarianceScalingArgs): Initializer {
  const o = options(args, 'varianceScaling', ['scale', 'mode', 'distribution']);
  const scale = float32In(o['scale'] ?? 1, 'scale', positive);
  const mode = oneOf(o['mode'] ?? 'fanIn', 'mode', fanModes);
  const distribution = oneOf(o['distribution'] ?? 'truncatedNormal', 'distribution', distributions);
  return make('varianceScaling', { scale, mode, distribution }, varianceScalingFill(scale, mode, distribution));
}

/** A named case of varianceScaling: it takes no options. */
function scaled(className: InitializerName, args: unknown, scale: number, mode: FanMode, distribution: Distribution): Initializer {
  options(args, className, []);
  return make(className, {}, varianceScalingFill(scale, mode, distribution));
}

export const glorotUniform = (args?: Record<string, never>): Initializer => scaled('glorotUniform', args, 1, 'fanAvg', 'uniform');
export const glorotNormal = (args?: Record<string, never>): Initializer => scaled('glorotNormal', args, 1, 'fanAvg', 'truncatedNormal');
export const heUniform = (args?: Record<string, never>): Initializer => scaled('heUniform', args, 2, 'fanIn', 'uniform');
export const heNormal = (args?: Record<string, never>): Initializer => scaled('heNormal', args, 2, 'fanIn', 'truncatedNormal');
export const lecunUniform = (args?: Record<string, never>): Initializer => scaled('lecunUniform', args, 1, 'fanIn', 'uniform');
export const lecunNormal = (args?: Record<string, never>): Initializer => scaled('lecunNormal', args, 1, 'fanIn', 'truncatedNormal');

const factories: Record<InitializerName, (args?: never) => Initializer> = {
  zeros, ones, constant, randomUniform, randomNormal, truncatedNormal, varianceScaling,
  glorotUniform, glorotNormal, heUniform, heNormal, lecunUniform, lecunNormal,
};

/**
 * An initializer from a name ('heNormal', with its defaults), a serialized { className, config }
 * (what getConfig() gives, as Keras serializes), or an initializer object; `argument` names it in errors.
 */
export function getInitializer(value: unknown, argument: string): Initializer {
  if (typeof value === 'string') return factories[oneOf(value, argument, initializerNames)]();
  const obj = plainObject(value, argument);
  if (typeof obj['fill'] === 'function' && typeof obj['className'] === 'string') return obj as unknown as Initializer;
  if (typeof obj['className'] === 'string' && !('fill' in obj)) {
    knownOptions(obj, argument, ['className', 'config']);
    const factory = factories[oneOf(obj['className'], `${argument}.className`, initializerNames)];
    return factory(obj['config'] as never);
  }
  throw new ArgumentTypeError({ argument, expected: `an initializer name (${initializerNames.join(', ')}), { className, config } or an initializer object`, received: describe(value) });
}
