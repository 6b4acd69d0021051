/**
 * GaussianNoise (Keras): adds N(0, stddev^2) noise while training, a regularizer; the identity
 * at inference. The noise comes from the seedable generator (fillNormal). dy passes through
 * unchanged, since the noise does not depend on x.
 */
import { fillNormal } from '../random';
import { float32In, knownOptions, plainObject } from '../validate';
import { parseInputShape } from './dense';
import { layerName, ParameterlessLayer } from './layer';
import type { Kernels } from '../core/kernels';

export interface GaussianNoiseConfig {
  /** Standard deviation of the noise, >= 0. */
  stddev: number;
  /** Features per sample, for the first layer of a model: [features]. */
  inputShape?: readonly number[];
  name?: string;
  /** Whether training updates the layer's weights (default true); see Layer#trainable. */
  trainable?: boolean;
}

export class GaussianNoise extends ParameterlessLayer {
  readonly className = 'GaussianNoise';
  readonly stddev: number;

  constructor(config: GaussianNoiseConfig) {
    const options = plainObject(config, 'gaussianNoise config');
    knownOptions(options, 'gaussianNoise config', ['stddev', 'inputShape', 'name', 'trainable']);
    super(
      layerName(options['name'], 'gaussian_noise'),
      parseInputShape(options['inputShape'], 'inputShape'),
      options['trainable'],
    );
    this.stddev = float32In(options['stddev'], 'stddev', { min: 0, max: Infinity, maxInclusive: false });
  }

  forward<S extends number>(k: Kernels<S>, x: Float32Array, y: Float32Array, _n: number, training: boolean): void {
    if (!training || this.stddev === 0) {
      k.copy(y, x);
      return;
    }
    fillNormal(y, 0, this.stddev, k);
    k.addElementwise(y, y, x);
  }

  backward<S extends number>(k: Kernels<S>, dy: Float32Array, dx: Float32Array | null): void {
    if (dx !== null) k.copy(dx, dy);
  }

  protected layerConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, stddev: this.stddev };
    if (this.declaredInputUnits !== undefined) config['inputShape'] = [this.declaredInputUnits];
    return config;
  }
}

export function gaussianNoise(config: GaussianNoiseConfig): GaussianNoise {
  return new GaussianNoise(config);
}
