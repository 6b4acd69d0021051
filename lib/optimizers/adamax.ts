/**
 * Adamax (Kingma & Ba 2015, section 7.1: Adam with the infinity norm), as keras.optimizers.Adamax;
 * epsilon added to u:
 *   m = beta1 m + (1 - beta1) g;  u = max(beta2 u, |g|);  p = p - learningRate m / ((1 - beta1^t) (u + epsilon))
 */
import { native, type StepOutcome } from '../backend';
import { decayRate, epsilonOption, Optimizer, type OptimizerConfig, optimizerOptions } from './optimizer';

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

  protected update(params: Float32Array, grads: Float32Array, learningRate: number): StepOutcome {
    const [m, u] = [this.slot('m', params), this.slot('u', params)];
    return native.adamaxStep(params, grads, m.next, u.next, m.current, u.current, learningRate, this.beta1, this.beta2, this.epsilon, this.iterations);
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
