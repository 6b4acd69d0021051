/**
 * Adam (Kingma & Ba, 2015), as keras.optimizers.Adam: bias correction folded into the step size,
 * epsilon added to the uncorrected sqrt(v) ("epsilon hat"); see native/kernels/optimizers.h.
 */
import { native } from '../backend';
import { knownOptions, numberIn, plainObject } from '../validate';
import { Optimizer } from './optimizer';

export interface AdamConfig {
  learningRate?: number;
  beta1?: number;
  beta2?: number;
  epsilon?: number;
}

export class Adam extends Optimizer {
  readonly className = 'Adam';
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  private m: Float32Array | null = null;
  private v: Float32Array | null = null;

  constructor(config: AdamConfig = {}) {
    const options = plainObject(config, 'adam config');
    knownOptions(options, 'adam config', ['learningRate', 'beta1', 'beta2', 'epsilon']);
    super(numberIn(options['learningRate'] ?? 0.001, 'learningRate', { min: 0, max: Infinity, minInclusive: false }));
    this.beta1 = numberIn(options['beta1'] ?? 0.9, 'beta1', { min: 0, max: 1, maxInclusive: false });
    this.beta2 = numberIn(options['beta2'] ?? 0.999, 'beta2', { min: 0, max: 1, maxInclusive: false });
    this.epsilon = numberIn(options['epsilon'] ?? 1e-7, 'epsilon', { min: 0, max: Infinity, minInclusive: false });
  }

  protected update(params: Float32Array, grads: Float32Array): void {
    this.m = this.slot(this.m, params);
    this.v = this.slot(this.v, params);
    native.adamStep(params, this.m, this.v, grads, this.learningRate, this.beta1, this.beta2, this.epsilon, this.iterations);
  }

  getConfig(): Record<string, unknown> {
    return { learningRate: this.learningRate, beta1: this.beta1, beta2: this.beta2, epsilon: this.epsilon };
  }
}

export function adam(config: AdamConfig = {}): Adam {
  return new Adam(config);
}
