/**
 * Adam (Kingma & Ba 2015) with the AMSGrad option (Reddi et al. 2018), as keras.optimizers.Adam:
 * bias correction folded into the step size, epsilon added to the uncorrected sqrt(v) ("epsilon
 * hat"); see native/kernels/optimizers.h. AdamW (adamw.ts) is the same update after a decoupled
 * weight decay, so both share AdamFamily.
 */
import type { Work } from '../core/kernels';
import { boolean } from '../validate';
import { decayRate, epsilonOption, Optimizer, type OptimizerConfig, optimizerOptions, type UpdateNumbers } from './optimizer';

export interface AdamConfig extends OptimizerConfig {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  amsgrad?: boolean;
}

export const ADAM_OPTIONS = ['beta1', 'beta2', 'epsilon', 'amsgrad'] as const;

/** Adam's hyperparameters and slots; weightDecay is 0 for Adam. */
export abstract class AdamFamily extends Optimizer {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly amsgrad: boolean;

  protected constructor(options: Record<string, unknown>) {
    super(options, 0.001);
    this.beta1 = decayRate(options, 'beta1', 0.9);
    this.beta2 = decayRate(options, 'beta2', 0.999);
    this.epsilon = epsilonOption(options);
    this.amsgrad = boolean(options['amsgrad'] ?? false, 'amsgrad');
  }

  protected abstract decoupledWeightDecay(): number;

  protected update<S extends number>(w: Work<S>, params: Float32Array, grads: Float32Array, n: UpdateNumbers): S {
    const [m, v] = [this.slot('m', params), this.slot('v', params)];
    const vHat = this.amsgrad ? this.slot('vHat', params) : null;
    return w.k.adamStep(params, grads, m.out, v.out, vHat?.out ?? null, m.in, v.in, vHat?.in ?? null, n.learningRate, this.beta1, this.beta2, this.epsilon, this.decoupledWeightDecay(), n.step, n.swap);
  }

  slotNames(): string[] {
    return this.amsgrad ? ['m', 'v', 'vHat'] : ['m', 'v'];
  }

  protected override nonNegativeSlots(): readonly string[] {
    return ['v', 'vHat'];
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon, amsgrad: this.amsgrad };
  }
}

export class Adam extends AdamFamily {
  readonly className = 'Adam';

  constructor(config: AdamConfig = {}) {
    super(optimizerOptions(config, 'adam', ADAM_OPTIONS));
  }

  protected decoupledWeightDecay(): number {
    return 0;
  }
}

export function adam(config: AdamConfig = {}): Adam {
  return new Adam(config);
}
