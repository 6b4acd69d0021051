/**
 * Nadam (Dozat 2016: Adam with Nesterov momentum), as keras.optimizers.Nadam, with Keras's
 * momentum schedule u_t = beta1 (1 - 0.5 * 0.96^t) and epsilon added to the bias-corrected
 * sqrt(v_hat); see native/kernels/optimizers.h.
 */
import type { Work } from '../core/kernels';
import { decayRate, epsilonOption, Optimizer, type OptimizerConfig, optimizerOptions, type UpdateNumbers } from './optimizer';

export interface NadamConfig extends OptimizerConfig {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export class Nadam extends Optimizer {
  readonly className = 'Nadam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;

  constructor(config: NadamConfig = {}) {
    const options = optimizerOptions(config, 'nadam', ['beta1', 'beta2', 'epsilon']);
    super(options, 0.001);
    this.beta1 = decayRate(options, 'beta1', 0.9);
    this.beta2 = decayRate(options, 'beta2', 0.999);
    this.epsilon = epsilonOption(options);
  }

  protected update<S extends number>(w: Work<S>, params: Float32Array, grads: Float32Array, n: UpdateNumbers): S {
    const [m, v] = [this.slot('m', params), this.slot('v', params)];
    return w.k.nadamStep(params, grads, m.out, v.out, m.in, v.in, n.learningRate, this.beta1, this.beta2, this.epsilon, n.step, n.uProduct, n.swap);
  }

  /**
   * u_t of Keras's momentum schedule: the running product u_1 ... u_t (Keras's u_product) is kept
   * by the base class, as Keras keeps it, and the kernel gets it with the step. beta1 as the
   * kernel sees it (float32), so the product matches the kernel's u_t.
   */
  protected override productFactor(step: number): number {
    return Math.fround(this.beta1) * (1 - 0.5 * 0.96 ** step);
  }

  slotNames(): string[] {
    return ['m', 'v'];
  }

  protected override nonNegativeSlots(): readonly string[] {
    return ['v'];
  }

  protected override scalars(): Record<string, number> {
    return { uProduct: this.product };
  }

  protected override restoreScalars(values: Record<string, number>): void {
    this.product = values['uProduct'] as number;
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

export function nadam(config: NadamConfig = {}): Nadam {
  return new Nadam(config);
}
