/**
 * Nadam (Dozat 2016: Adam with Nesterov momentum), as keras.optimizers.Nadam, with Keras's
 * momentum schedule u_t = beta1 (1 - 0.5 * 0.96^t) and epsilon added to the bias-corrected
 * sqrt(v_hat); see native/kernels/optimizers.h.
 */
import { native, type StepOutcome } from '../backend';
import { decayRate, epsilonOption, Optimizer, type OptimizerConfig, optimizerOptions } from './optimizer';

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
  /** u_1 u_2 ... u_t over the steps taken (Keras's u_product). */
  private uProduct = 1;

  constructor(config: NadamConfig = {}) {
    const options = optimizerOptions(config, 'nadam', ['beta1', 'beta2', 'epsilon']);
    super(options, 0.001);
    this.beta1 = decayRate(options, 'beta1', 0.9);
    this.beta2 = decayRate(options, 'beta2', 0.999);
    this.epsilon = epsilonOption(options);
  }

  protected update(params: Float32Array, grads: Float32Array, learningRate: number): StepOutcome {
    // A scalar of the step, kept here as Keras keeps it; the kernel gets it with the step. beta1
    // as the kernel sees it (float32), so the product matches the kernel's u_t.
    this.uProduct *= Math.fround(this.beta1) * (1 - 0.5 * 0.96 ** this.iterations);
    const [m, v] = [this.slot('m', params), this.slot('v', params)];
    return native.nadamStep(params, grads, m.next, v.next, m.current, v.current, learningRate, this.beta1, this.beta2, this.epsilon, this.iterations, this.uProduct);
  }

  slotNames(): string[] {
    return ['m', 'v'];
  }

  protected override nonNegativeSlots(): readonly string[] {
    return ['v'];
  }

  protected override scalars(): Record<string, number> {
    return { uProduct: this.uProduct };
  }

  protected override restoreScalars(values: Record<string, number>): void {
    this.uProduct = values['uProduct'] as number;
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

export function nadam(config: NadamConfig = {}): Nadam {
  return new Nadam(config);
}
