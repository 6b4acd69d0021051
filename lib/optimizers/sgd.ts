/**
 * Stochastic gradient descent with momentum, as keras.optimizers.SGD:
 *   v = momentum * v - learningRate * g;  p = p + v   (momentum 0: p = p - learningRate * g)
 */
import { native } from '../backend';
import { knownOptions, numberIn, plainObject } from '../validate';
import { Optimizer } from './optimizer';

export interface SgdConfig {
  learningRate?: number;
  momentum?: number;
}

export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  private velocity: Float32Array | null = null;

  constructor(config: SgdConfig = {}) {
    const options = plainObject(config, 'sgd config');
    knownOptions(options, 'sgd config', ['learningRate', 'momentum']);
    super(numberIn(options['learningRate'] ?? 0.01, 'learningRate', { min: 0, max: Infinity, minInclusive: false }));
    this.momentum = numberIn(options['momentum'] ?? 0, 'momentum', { min: 0, max: 1, maxInclusive: false });
  }

  protected update(params: Float32Array, grads: Float32Array): void {
    if (this.momentum !== 0) this.velocity = this.slot(this.velocity, params);
    native.sgdStep(params, this.momentum !== 0 ? this.velocity : null, grads, this.learningRate, this.momentum);
  }

  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate, momentum: this.momentum };
  }
}

export function sgd(config: SgdConfig = {}): SGD {
  return new SGD(config);
}
