/**
 * Randomized leaky ReLU (Xu et al. 2015, arXiv:1505.00853; torch.nn.RReLU): y = x > 0 ? x : a x.
 * While training, each element's slope a is drawn uniformly from [lower, upper) by the seedable
 * generator and kept in scratch for the backward; at inference a = (lower + upper) / 2, a plain
 * leaky ReLU. Training runs the PReLU kernels over the batch as one row with a slope per element.
 */
import { ActivationCode } from '../backend';
import { ArgumentRangeError } from '../errors';
import { fillUniform } from '../random';
import { describe, float32In, knownOptions, plainObject } from '../validate';
import { parseInputShape } from './dense';
import { layerName, ParameterlessLayer } from './layer';
import type { Kernels } from '../core/kernels';

export interface RReLUConfig {
  /** Smallest negative slope, >= 0; default 1/8 as torch. */
  lower?: number;
  /** Largest negative slope, >= lower; default 1/3 as torch. */
  upper?: number;
  /** Features per sample, for the first layer of a model: [features]. */
  inputShape?: readonly number[];
  name?: string;
  /** Whether training updates the layer's weights (default true); see Layer#trainable. */
  trainable?: boolean;
}

export class RReLU extends ParameterlessLayer {
  readonly className = 'RReLU';
  readonly lower: number;
  readonly upper: number;
  /** Whether the last forward drew slopes (training) or used their mean (inference). */
  private sampled = false;

  constructor(config: RReLUConfig = {}) {
    const options = plainObject(config, 'rrelu config');
    knownOptions(options, 'rrelu config', ['lower', 'upper', 'inputShape', 'name', 'trainable']);
    super(layerName(options['name'], 'r_re_lu'), parseInputShape(options['inputShape'], 'inputShape'), options['trainable']);
    this.lower = options['lower'] === undefined ? 1 / 8 : float32In(options['lower'], 'lower', { min: 0, max: Infinity, maxInclusive: false });
    this.upper = options['upper'] === undefined ? 1 / 3 : float32In(options['upper'], 'upper', { min: 0, max: Infinity, maxInclusive: false });
    if (this.lower > this.upper) {
      throw new ArgumentRangeError({ argument: 'upper', expected: `a number >= lower (${this.lower})`, received: describe(this.upper) });
    }
  }

  /** The slope at inference. */
  get meanSlope(): number {
    return (this.lower + this.upper) / 2;
  }

  forward<S extends number>(k: Kernels<S>, x: Float32Array, y: Float32Array, n: number, training: boolean): void {
    const count = n * this.inputUnits;
    this.sampled = training;
    if (!training) {
      k.activationForward(y, x, n, this.inputUnits, ActivationCode.leakyRelu, this.meanSlope);
      return;
    }
    const slopes = this.scratch('slopes', count);
    fillUniform(slopes, this.lower, this.upper, k);
    k.preluForward(y, x, slopes, 1, count);
  }

  /** dx = dy * (x > 0 ? 1 : a), with the slopes of the last forward. */
  backward<S extends number>(k: Kernels<S>, dy: Float32Array, dx: Float32Array | null, x: Float32Array, y: Float32Array, n: number): void {
    if (dx === null) return;
    const count = n * this.inputUnits;
    if (this.sampled) k.preluBackward(dx, null, dy, x, this.scratch('slopes', count), 1, count);
    else k.activationBackward(dx, dy, null, y, n, this.inputUnits, ActivationCode.leakyRelu, this.meanSlope);
  }

  protected layerConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, lower: this.lower, upper: this.upper };
    if (this.declaredInputUnits !== undefined) config['inputShape'] = [this.declaredInputUnits];
    return config;
  }
}

export function rrelu(config: RReLUConfig = {}): RReLU {
  return new RReLU(config);
}
