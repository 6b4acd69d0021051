/**
 * Stochastic gradient descent with momentum (Sutskever et al. 2013), as keras.optimizers.SGD:
 *   v = momentum * v - learningRate * g;  p = p + v   (momentum 0: p = p - learningRate * g)
 *   nesterov: p = p + momentum * v - learningRate * g, with the new v
 */
import type { Work } from '../core/kernels';
import { boolean, float32In } from '../validate';
import { Optimizer, optimizerOptions, type OptimizerConfig, type UpdateNumbers } from './optimizer';

export interface SgdConfig extends OptimizerConfig {
  momentum?: number;
  nesterov?: boolean;
}

export class SGD extends Optimizer {
  readonly className = 'SGD';
  readonly momentum: number;
  readonly nesterov: boolean;

  constructor(config: SgdConfig = {}) {
    const options = optimizerOptions(config, 'sgd', ['momentum', 'nesterov']);
    super(options, 0.01);
    this.momentum = float32In(options['momentum'] ?? 0, 'momentum', { min: 0, max: 1 });
    this.nesterov = boolean(options['nesterov'] ?? false, 'nesterov');
  }

  protected update<S extends number>(w: Work<S>, params: Float32Array, grads: Float32Array, n: UpdateNumbers): S {
    const velocity = this.momentum !== 0 ? this.slot('velocity', params) : null;
    return w.k.sgdStep(params, grads, velocity?.out ?? null, velocity?.in ?? null, n.learningRate, this.momentum, this.nesterov, n.swap);
  }

  slotNames(): string[] {
    return this.momentum !== 0 ? ['velocity'] : [];
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), momentum: this.momentum, nesterov: this.nesterov };
  }
}

export function sgd(config: SgdConfig = {}): SGD {
  return new SGD(config);
}
