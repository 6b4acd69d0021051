/**
 * Adamax (Kingma & Ba 2015, section 7.1: Adam with the infinity norm), as keras.optimizers.Adamax;
 * epsilon added to u:
 *   m = beta1 m + (1 - beta1) g;  u = max(beta2 u, |g|);  p = p - learningRate m / ((1 - beta1^t) (u + epsilon))
 */
import type { Work } from '../core/kernels';
import { decayRate, epsilonOption, Optimizer, type OptimizerConfig, optimizerOptions, type UpdateNumbers } from './optimizer';

export interface AdamaxConfig extends OptimizerConfig {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export class Adamax extends Optimizer {
  readonly className = 'Adamax';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(config: AdamaxConfig = {}) {
    const options = optimizerOptions(config, 'adamax', ['beta1', 'beta2', 'epsilon']);
    super(options, 0.001);
    this.beta1 = decayRate(options, 'beta1', 0.9);
    this.beta2 = decayRate(options, 'beta2', 0.999);
    this.epsilon = epsilonOption(options);
  }

  protected update<S extends number>(w: Work<S>, params: Float32Array, grads: Float32Array, n: UpdateNumbers): S {
    const [m, u] = [this.slot('m', params), this.slot('u', params)];
    return w.k.adamaxStep(params, grads, m.out, u.out, m.in, u.in, n.learningRate, this.beta1, this.beta2, this.epsilon, n.step, n.swap);
  }

  slotNames(): string[] {
    return ['m', 'u'];
  }

  protected override nonNegativeSlots(): readonly string[] {
    return ['u'];
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

export function adamax(config: AdamaxConfig = {}): Adamax {
  return new Adamax(config);
}
