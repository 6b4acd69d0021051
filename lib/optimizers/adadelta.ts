/**
 * Adadelta (Zeiler 2012), as keras.optimizers.Adadelta; epsilon inside both square roots:
 *   Eg = rho Eg + (1 - rho) g^2;  d = -sqrt(Ed + epsilon) g / sqrt(Eg + epsilon)
 *   Ed = rho Ed + (1 - rho) d^2;  p = p + learningRate * d
 */
import type { Work } from '../core/kernels';
import { decayRate, epsilonOption, Optimizer, type OptimizerConfig, optimizerOptions, type UpdateNumbers } from './optimizer';

export interface AdadeltaConfig extends OptimizerConfig {
  rho?: number;
  epsilon?: number;
}

export class Adadelta extends Optimizer {
  readonly className = 'Adadelta';
  readonly rho: number;
  readonly epsilon: number;

  constructor(config: AdadeltaConfig = {}) {
    const options = optimizerOptions(config, 'adadelta', ['rho', 'epsilon']);
    super(options, 0.001);
    this.rho = decayRate(options, 'rho', 0.95);
    this.epsilon = epsilonOption(options);
  }

  protected update<S extends number>(w: Work<S>, params: Float32Array, grads: Float32Array, n: UpdateNumbers): S {
    const [accumGrad, accumDelta] = [this.slot('accumGrad', params), this.slot('accumDelta', params)];
    return w.k.adadeltaStep(params, grads, accumGrad.out, accumDelta.out, accumGrad.in, accumDelta.in, n.learningRate, this.rho, this.epsilon, n.swap);
  }

  slotNames(): string[] {
    return ['accumGrad', 'accumDelta'];
  }

  protected override nonNegativeSlots(): readonly string[] {
    return ['accumGrad', 'accumDelta'];
  }

  getConfig(): Record<string, unknown> {
    return { ...this.baseConfig(), rho: this.rho, epsilon: this.epsilon };
  }
}

export function adadelta(config: AdadeltaConfig = {}): Adadelta {
  return new Adadelta(config);
}
