/**
 * Dropout (Srivastava et al. 2014), inverted as in Keras: while training each value is kept
 * with probability 1 - rate and scaled by 1 / (1 - rate), so inference is the identity. The mask
 * comes from the seedable generator (fillDropoutMask) and stays in scratch for the backward.
 */
import { fillDropoutMask } from '../random';
import { float32In, knownOptions, plainObject } from '../validate';
import { parseInputShape } from './dense';
import { layerName, ParameterlessLayer } from './layer';
import type { Kernels } from '../core/kernels';

export interface DropoutConfig {
  /** Fraction of the values to drop while training, in [0, 1). */
  rate: number;
  /** Features per sample, for the first layer of a model: [features]. */
  inputShape?: readonly number[];
  name?: string;
  /** Whether training updates the layer's weights (default true); see Layer#trainable. */
  trainable?: boolean;
}

export class Dropout extends ParameterlessLayer {
  readonly className = 'Dropout';
  readonly rate: number;

  constructor(config: DropoutConfig) {
    const options = plainObject(config, 'dropout config');
    knownOptions(options, 'dropout config', ['rate', 'inputShape', 'name', 'trainable']);
    super(
      layerName(options['name'], 'dropout'),
      parseInputShape(options['inputShape'], 'inputShape'),
      options['trainable'],
    );
    this.rate = float32In(options['rate'], 'rate', { min: 0, max: 1, maxInclusive: false });
  }

  forward<S extends number>(k: Kernels<S>, x: Float32Array, y: Float32Array, n: number, training: boolean): void {
    if (!training || this.rate === 0) {
      k.copy(y, x);
      return;
    }
    const mask = this.scratch('mask', n * this.inputUnits);
    fillDropoutMask(mask, this.rate, k);
    k.multiplyElementwise(y, x, mask);
  }

  /** dx = dy * mask, the mask of the last training forward. */
  backward<S extends number>(k: Kernels<S>, dy: Float32Array, dx: Float32Array | null, _x: Float32Array, _y: Float32Array, n: number): void {
    if (dx === null) return;
    if (this.rate === 0) k.copy(dx, dy);
    else k.multiplyElementwise(dx, dy, this.scratch('mask', n * this.inputUnits));
  }

  protected layerConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, rate: this.rate };
    if (this.declaredInputUnits !== undefined) config['inputShape'] = [this.declaredInputUnits];
    return config;
  }
}

export function dropout(config: DropoutConfig): Dropout {
  return new Dropout(config);
}
