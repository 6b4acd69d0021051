/**
 * AdamW (Loshchilov & Hutter 2019, decoupled weight decay), as keras.optimizers.AdamW: before
 * each Adam step, p = p - learningRate * weightDecay * p (the decay does not pass through the
 * moments, unlike an L2 penalty).
 */
import { float32In } from '../validate';
import { ADAM_OPTIONS, AdamFamily, type AdamConfig } from './adam';
import { optimizerOptions } from './optimizer';

export interface AdamWConfig extends AdamConfig {
  weightDecay?: number;
}

export class AdamW extends AdamFamily {
  readonly className = 'AdamW';
  readonly weightDecay: number;

  constructor(config: AdamWConfig = {}) {
    const options = optimizerOptions(config, 'adamw', [...ADAM_OPTIONS, 'weightDecay']);
    super(options);
    this.weightDecay = float32In(options['weightDecay'] ?? 0.004, 'weightDecay', { min: 0, max: Infinity, maxInclusive: false });
  }

  protected decoupledWeightDecay(): number {
    return this.weightDecay;
  }

  override getConfig(): Record<string, unknown> {
    return { ...super.getConfig(), weightDecay: this.weightDecay };
  }
}

export function adamw(config: AdamWConfig = {}): AdamW {
  return new AdamW(config);
}
