/**
 * reduceLROnPlateau, as keras.callbacks.ReduceLROnPlateau: after `patience` epochs without an
 * improvement of more than minDelta, lr = max(lr * factor, minLr), then `cooldown` epochs in
 * which waiting does not count. Adds 'lr' (the rate the epoch trained with) to the epoch logs.
 */
import { ArgumentRangeError } from '../errors';
import { describe, knownOptions, nonNegativeInteger, numberIn, plainObject } from '../validate';
import { Callback, type Logs } from './callback';
import { learningRateOf, setLearningRate } from './learning-rate';
import { monitoredValue, monitorOptions, say, verboseOption, type MonitorMode } from './monitor';

export interface ReduceLROnPlateauConfig {
  /** The logged value to watch (default 'val_loss'). */
  monitor?: string;
  /** The rate is multiplied by it, in (0, 1) (default 0.1). */
  factor?: number;
  /** Epochs without improvement before the rate is lowered (default 10). */
  patience?: number;
  /** 'min', 'max', or 'auto' (default): max for accuracy-like names, min otherwise. */
  mode?: MonitorMode;
  /** The smallest change that counts as an improvement (default 1e-4). */
  minDelta?: number;
  /** Epochs to wait after lowering the rate before counting again (default 0). */
  cooldown?: number;
  /** The rate never goes below it (default 0). */
  minLr?: number;
  /** 1 prints a line when the rate is lowered (default 0). */
  verbose?: 0 | 1;
}

const NAME = 'reduceLROnPlateau';

export class ReduceLROnPlateau extends Callback {
  readonly monitor: string;
  readonly factor: number;
  readonly patience: number;
  readonly minDelta: number;
  readonly cooldown: number;
  readonly minLr: number;
  private readonly higherIsBetter: boolean;
  private readonly verbose: boolean;
  /** Epochs without improvement, outside cooldown. */
  wait = 0;
  /** Epochs of cooldown left. */
  cooldownCounter = 0;
  best = 0;

  constructor(config: ReduceLROnPlateauConfig = {}) {
    super();
    const options = plainObject(config, `${NAME} config`);
    knownOptions(options, `${NAME} config`, ['monitor', 'factor', 'patience', 'mode', 'minDelta', 'cooldown', 'minLr', 'verbose']);
    ({ monitor: this.monitor, higherIsBetter: this.higherIsBetter } = monitorOptions(options, NAME));
    const factor = options['factor'] ?? 0.1;
    if (typeof factor === 'number' && factor >= 1) {
      throw new ArgumentRangeError({ argument: `${NAME} factor`, expected: 'a number in (0, 1): the rate is multiplied by it', received: describe(factor) }, 'A factor >= 1 would not lower the rate.');
    }
    this.factor = numberIn(factor, `${NAME} factor`, { min: 0, max: 1, minInclusive: false, maxInclusive: false });
    this.patience = nonNegativeInteger(options['patience'] ?? 10, `${NAME} patience`);
    this.minDelta = numberIn(options['minDelta'] ?? 1e-4, `${NAME} minDelta`, { min: 0, max: Infinity, maxInclusive: false });
    this.cooldown = nonNegativeInteger(options['cooldown'] ?? 0, `${NAME} cooldown`);
    this.minLr = numberIn(options['minLr'] ?? 0, `${NAME} minLr`, { min: 0, max: Infinity, maxInclusive: false });
    this.verbose = verboseOption(options['verbose'], NAME);
    this.reset();
  }

  private reset(): void {
    this.best = this.higherIsBetter ? -Infinity : Infinity;
    this.wait = 0;
    this.cooldownCounter = 0;
  }

  private improves(value: number): boolean {
    return this.higherIsBetter ? value > this.best + this.minDelta : value < this.best - this.minDelta;
  }

  override onTrainBegin(): void {
    learningRateOf(this.model, NAME);
    this.reset();
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const lr = learningRateOf(this.model, NAME);
    logs['lr'] = lr;
    const current = monitoredValue(logs, this.monitor, NAME);
    if (this.cooldownCounter > 0) {
      this.cooldownCounter -= 1;
      this.wait = 0;
    }
    if (this.improves(current)) {
      this.best = current;
      this.wait = 0;
    } else if (this.cooldownCounter === 0) {
      this.wait += 1;
      if (this.wait >= this.patience && lr > this.minLr) {
        const lowered = Math.max(lr * this.factor, this.minLr);
        setLearningRate(this.model, NAME, lowered);
        say(this.verbose, `Epoch ${epoch + 1}: reduceLROnPlateau reducing learning rate to ${lowered}.`);
        this.cooldownCounter = this.cooldown;
        this.wait = 0;
      }
    }
  }
}

export function reduceLROnPlateau(config: ReduceLROnPlateauConfig = {}): ReduceLROnPlateau {
  return new ReduceLROnPlateau(config);
}
