/**
 * Adagrad (Duchi et al. 2011), as keras.optimizers.Adagrad; epsilon inside the square root:
 *   a = a + g^2;  p = p - learningRate * g / sqrt(a + epsilon),  a starting at initialAccumulatorValue
 */
import type { Work } from '../core/kernels';
import { float32In } from '../validate';
import { epsilonOption, Optimizer, type OptimizerConfig, optimizerOptions, type UpdateNumbers } from './optimizer';

export interface AdagradConfig extends OptimizerConfig {
  initialAccumulatorValue?: number;
  epsilon?: number;
}

export class Adagrad extends Optimizer {
  readonly className = 'Adagrad';
  readonly initialAccumulatorValue: number;
  readonly epsilon: number;

  constructor(config: AdagradConfig = {}) {
    const options = optimizerOptions(config, 'adagrad', ['initialAccumulatorValue', 'epsilon']);
    super(options, 0.001);
    this.initialAccumulatorValue = float32In(options['initialAccumulatorValue'] ?? 0.1, 'initialAccumulatorValue', { min: 0, max: Infinity, maxInclusive: false });
    this.epsilon = epsilonOption(options);
  }

  protected update<S extends number>(w: Work<S>, params: Float32Array, grads: Float32Array, n: UpdateNumbers): S {
    const accumulator = this.slot('accumulator', params, this.initialAccumulatorValue);
    return w.k.adagradStep(params, grads, accumulator.out, accumulator.in, n.learningRate, this.epsilon, n.swap);
  }

  slotNames(): string[] {
    return ['accumulator'];
  }

  protected override nonNegativeSlots(): readonly string[] {
    return ['accumulator'];
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), initialAccumulatorValue: this.initialAccumulatorValue, epsilon: this.epsilon };
  }
}

export function adagrad(config: AdagradConfig = {}): Adagrad {
  return new Adagrad(config);
}
