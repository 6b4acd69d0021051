/**
 * earlyStopping, as keras.callbacks.EarlyStopping (Keras 3): stop when the monitored value has
 * not improved by more than minDelta for `patience` epochs. The first epoch sets the best value;
 * with a baseline, waiting restarts only once the value beats it. restoreBestWeights puts back the
 * weights of the best epoch when training ends, whether or not patience ran out.
 */
import type { Tensor } from '../tensor';
import { boolean, finiteNumber, knownOptions, nonNegativeInteger, plainObject } from '../validate';
import { Callback, type Logs } from './callback';
import { monitoredValue, monitorOptions, say, verboseOption, type MonitorMode } from './monitor';

export interface EarlyStoppingConfig {
  /** The logged value to watch (default 'val_loss'). */
  monitor?: string;
  /** The smallest change that counts as an improvement (default 0; its sign is ignored). */
  minDelta?: number;
  /** Epochs without improvement before stopping (default 0). */
  patience?: number;
  /** 'min', 'max', or 'auto' (default): max for accuracy-like names, min otherwise. */
  mode?: MonitorMode;
  /** A value to reach: until the monitored value beats it, waiting goes on counting. */
  baseline?: number;
  /** Restore the weights of the best epoch at the end (default false). */
  restoreBestWeights?: boolean;
  /** 1 prints a line when it stops or restores (default 0). */
  verbose?: 0 | 1;
}

const NAME = 'earlyStopping';

export class EarlyStopping extends Callback {
  readonly monitor: string;
  readonly minDelta: number;
  readonly patience: number;
  readonly baseline: number | undefined;
  readonly restoreBestWeights: boolean;
  private readonly higherIsBetter: boolean;
  private readonly verbose: boolean;
  /** Epochs since the last improvement (as Keras's `wait`). */
  wait = 0;
  /** The epoch at which training was stopped, 0 if it was not. */
  stoppedEpoch = 0;
  /** The best value so far and its epoch. */
  best: number | null = null;
  bestEpoch = 0;
  private bestWeights: Tensor[] | null = null;

  constructor(config: EarlyStoppingConfig = {}) {
    super();
    const options = plainObject(config, `${NAME} config`);
    knownOptions(options, `${NAME} config`, ['monitor', 'minDelta', 'patience', 'mode', 'baseline', 'restoreBestWeights', 'verbose']);
    ({ monitor: this.monitor, higherIsBetter: this.higherIsBetter } = monitorOptions(options, NAME));
    this.minDelta = Math.abs(finiteNumber(options['minDelta'] ?? 0, `${NAME} minDelta`));
    this.patience = nonNegativeInteger(options['patience'] ?? 0, `${NAME} patience`);
    this.baseline = options['baseline'] === undefined ? undefined : finiteNumber(options['baseline'], `${NAME} baseline`);
    this.restoreBestWeights = boolean(options['restoreBestWeights'] ?? false, `${NAME} restoreBestWeights`);
    this.verbose = verboseOption(options['verbose'], NAME);
  }

  /** Whether `value` beats `reference` by more than minDelta. */
  private improves(value: number, reference: number | null): boolean {
    if (reference === null) return true;
    return this.higherIsBetter ? value - this.minDelta > reference : value + this.minDelta < reference;
  }

  /** Starts over on each fit, so one instance can serve several. */
  override onTrainBegin(): void {
    this.wait = 0;
    this.stoppedEpoch = 0;
    this.best = null;
    this.bestEpoch = 0;
    this.bestWeights = null;
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const current = monitoredValue(logs, this.monitor, NAME);
    if (this.restoreBestWeights && this.bestWeights === null) {
      this.bestWeights = this.model.getWeights();
      this.bestEpoch = epoch;
    }
    this.wait += 1;
    if (this.improves(current, this.best)) {
      this.best = current;
      this.bestEpoch = epoch;
      if (this.restoreBestWeights) this.bestWeights = this.model.getWeights();
      if (this.baseline === undefined || this.improves(current, this.baseline)) this.wait = 0;
      return;
    }
    if (this.wait >= this.patience && epoch > 0) {
      this.stoppedEpoch = epoch;
      this.model.stopTraining = true;
    }
  }

  override onTrainEnd(): void {
    if (this.stoppedEpoch > 0) say(this.verbose, `Epoch ${this.stoppedEpoch + 1}: early stopping`);
    if (this.restoreBestWeights && this.bestWeights !== null) {
      say(this.verbose, `Restoring model weights from the end of the best epoch: ${this.bestEpoch + 1}.`);
      this.model.setWeights(this.bestWeights);
    }
  }
}

export function earlyStopping(config: EarlyStoppingConfig = {}): EarlyStopping {
  return new EarlyStopping(config);
}
