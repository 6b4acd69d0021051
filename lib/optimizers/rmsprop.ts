/**
 * RMSprop (Hinton, lecture 6e; centered as Graves 2013), as keras.optimizers.RMSprop; epsilon
 * inside the square root:
 *   v = rho v + (1 - rho) g^2;  centered: a = rho a + (1 - rho) g, den = v - a^2 + epsilon,
 *   otherwise den = v + epsilon;  inc = learningRate * g / sqrt(den)
 *   momentum > 0: mom = momentum mom + inc, p = p - mom;  otherwise p = p - inc
 */
import type { Work } from '../core/kernels';
import { boolean, float32In } from '../validate';
import { decayRate, epsilonOption, Optimizer, type OptimizerConfig, optimizerOptions, type UpdateNumbers } from './optimizer';

export interface RmspropConfig extends OptimizerConfig {
  rho?: number;
  momentum?: number;
  epsilon?: number;
  centered?: boolean;
}

export class RMSprop extends Optimizer {
  readonly className = 'RMSprop';
  readonly rho: number;
  readonly momentum: number;
  readonly epsilon: number;
  readonly centered: boolean;

  constructor(config: RmspropConfig = {}) {
    const options = optimizerOptions(config, 'rmsprop', ['rho', 'momentum', 'epsilon', 'centered']);
    super(options, 0.001);
    this.rho = decayRate(options, 'rho', 0.9);
    this.momentum = float32In(options['momentum'] ?? 0, 'momentum', { min: 0, max: 1 });
    this.epsilon = epsilonOption(options);
    this.centered = boolean(options['centered'] ?? false, 'centered');
  }

  protected update<S extends number>(w: Work<S>, params: Float32Array, grads: Float32Array, n: UpdateNumbers): S {
    const velocity = this.slot('velocity', params);
    const momentum = this.momentum !== 0 ? this.slot('momentum', params) : null;
    const average = this.centered ? this.slot('average', params) : null;
    return w.k.rmspropStep(params, grads, velocity.out, momentum?.out ?? null, average?.out ?? null, velocity.in, momentum?.in ?? null, average?.in ?? null, n.learningRate, this.rho, this.momentum, this.epsilon, n.swap);
  }

  slotNames(): string[] {
    return ['velocity', ...(this.momentum !== 0 ? ['momentum'] : []), ...(this.centered ? ['average'] : [])];
  }

  protected override nonNegativeSlots(): readonly string[] {
    return ['velocity'];
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), rho: this.rho, momentum: this.momentum, epsilon: this.epsilon, centered: this.centered };
  }
}

export function rmsprop(config: RmspropConfig = {}): RMSprop {
  return new RMSprop(config);
}
