/**
 * An activation as a layer of its own (tf.layers.activation), keeping its input width, and the
 * thin factories Keras and TensorFlow.js users know: leakyReLU (alpha 0.3, the layer default;
 * the activation name 'leakyRelu' alone means tf.leakyRelu's 0.2), elu and softmax (over the
 * last axis). The math is the native activation kernels'; the derivative reads the layer's input
 * x (= z) or output y, as the activation needs.
 */
import { activationCode, activationNames, defaultAlpha, parseActivation, type ActivationName } from '../activations';
import { ArgumentRangeError, ArgumentTypeError } from '../errors';
import { describe, float32In, knownOptions, plainObject } from '../validate';
import { parseInputShape } from './dense';
import { layerName, ParameterlessLayer } from './layer';
import type { Kernels } from '../core/kernels';

export interface ActivationConfig {
  activation: ActivationName | 'silu';
  /** leakyRelu's negative slope or elu's scale, >= 0; defaults as defaultAlpha (0.2 and 1). */
  alpha?: number;
  /** Features per sample, for the first layer of a model: [features]. */
  inputShape?: readonly number[];
  name?: string;
  /** Whether training updates the layer's weights (default true); see Layer#trainable. */
  trainable?: boolean;
}

/** The activations that read alpha. */
const takesAlpha: readonly ActivationName[] = ['leakyRelu', 'elu'];

function parseAlpha(value: unknown, activation: ActivationName): number {
  if (value === undefined) return defaultAlpha(activation);
  if (!takesAlpha.includes(activation)) {
    throw new ArgumentRangeError({ argument: 'alpha', expected: `no alpha: only ${takesAlpha.join(' and ')} take one`, received: `alpha with activation '${activation}'` });
  }
  return float32In(value, 'alpha', { min: 0, max: Infinity, maxInclusive: false });
}

export class Activation extends ParameterlessLayer {
  readonly className = 'Activation';
  readonly activation: ActivationName;
  readonly alpha: number;

  /** prefix names the layer when no name is given (leaky_re_lu_1 for layers.leakyReLU). */
  constructor(config: ActivationConfig, prefix = 'activation') {
    const options = plainObject(config, 'activation config');
    knownOptions(options, 'activation config', ['activation', 'alpha', 'inputShape', 'name', 'trainable']);
    super(layerName(options['name'], prefix), parseInputShape(options['inputShape'], 'inputShape'), options['trainable']);
    if (options['activation'] === undefined) {
      throw new ArgumentTypeError({ argument: 'activation', expected: `one of ${activationNames.map((a) => `'${a}'`).join(', ')}`, received: describe(undefined) });
    }
    this.activation = parseActivation(options['activation'], 'activation');
    this.alpha = parseAlpha(options['alpha'], this.activation);
  }

  forward<S extends number>(k: Kernels<S>, x: Float32Array, y: Float32Array, n: number): void {
    k.activationForward(y, x, n, this.inputUnits, activationCode(this.activation), this.alpha);
  }

  backward<S extends number>(k: Kernels<S>, dy: Float32Array, dx: Float32Array | null, x: Float32Array, y: Float32Array, n: number): void {
    if (dx === null) return;
    k.activationBackward(dx, dy, x, y, n, this.inputUnits, activationCode(this.activation), this.alpha);
  }

  protected layerConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, activation: this.activation };
    if (takesAlpha.includes(this.activation)) config['alpha'] = this.alpha;
    if (this.declaredInputUnits !== undefined) config['inputShape'] = [this.declaredInputUnits];
    return config;
  }
}

export function activation(config: ActivationConfig): Activation {
  return new Activation(config);
}

export interface LeakyReLUConfig {
  /** The negative slope, >= 0; default 0.3 as Keras's and tfjs's LeakyReLU layer. */
  alpha?: number;
  inputShape?: readonly number[];
  name?: string;
  /** Whether training updates the layer's weights (default true); see Layer#trainable. */
  trainable?: boolean;
}

/** Options of a factory over Activation, passed on with the activation fixed. */
function fixedActivation(config: unknown, argument: string, activationName: ActivationName, known: readonly string[]): ActivationConfig {
  const options = plainObject(config ?? {}, argument);
  knownOptions(options, argument, known);
  return { ...options, activation: activationName } as ActivationConfig;
}

export function leakyReLU(config: LeakyReLUConfig = {}): Activation {
  const options = fixedActivation(config, 'leakyReLU config', 'leakyRelu', ['alpha', 'inputShape', 'name', 'trainable']);
  return new Activation({ ...options, alpha: options.alpha ?? 0.3 }, 'leaky_re_lu');
}

export interface ELUConfig {
  /** The scale of the negative part, >= 0; default 1. */
  alpha?: number;
  inputShape?: readonly number[];
  name?: string;
  /** Whether training updates the layer's weights (default true); see Layer#trainable. */
  trainable?: boolean;
}

export function elu(config: ELUConfig = {}): Activation {
  return new Activation(fixedActivation(config, 'elu config', 'elu', ['alpha', 'inputShape', 'name', 'trainable']), 'elu');
}

export interface SoftmaxConfig {
  inputShape?: readonly number[];
  name?: string;
  /** Whether training updates the layer's weights (default true); see Layer#trainable. */
  trainable?: boolean;
}

/** Softmax over the last axis (the features of each sample). */
export function softmax(config: SoftmaxConfig = {}): Activation {
  return new Activation(fixedActivation(config, 'softmax config', 'softmax', ['inputShape', 'name', 'trainable']), 'softmax');
}
