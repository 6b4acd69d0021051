/**
 * The Callback base class, in Keras's and TensorFlow.js's shape: six hooks, each may return a
 * promise, which fit() awaits before going on. fit() attaches the model and the run's params
 * before the first hook; set model.stopTraining = true in a hook to end training after the
 * current batch.
 */
import { ModelStateError } from '../errors';
import type { Model } from '../core/model';

/** Named numbers: loss, metrics, their val_ versions, lr; batch logs also hold batch and size. */
export type Logs = Record<string, number>;
export type Awaitable = void | Promise<void>;

/** What fit() runs with, as callbacks see it in `params`. */
export interface CallbackParams {
  readonly epochs: number;
  readonly initialEpoch: number;
  readonly batchSize: number;
  /** Training samples (after validationSplit took its share). */
  readonly samples: number;
  /** Batches per epoch. */
  readonly steps: number;
  readonly verbose: 0 | 1 | 2;
}

/** Hooks as a plain object, as fit() has always accepted them (TensorFlow.js's CustomCallbackArgs). */
export interface CustomCallbackArgs {
  onTrainBegin?: (logs: Logs) => Awaitable;
  onTrainEnd?: (logs: Logs) => Awaitable;
  onEpochBegin?: (epoch: number, logs: Logs) => Awaitable;
  onEpochEnd?: (epoch: number, logs: Logs) => Awaitable;
  onBatchBegin?: (batch: number, logs: Logs) => Awaitable;
  onBatchEnd?: (batch: number, logs: Logs) => Awaitable;
}

export const hookNames = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd'] as const;

/** Subclass and override the hooks you need; epochs are absolute indices (initialEpoch counts). */
export class Callback {
  private attachedModel: Model | null = null;
  private runParams: CallbackParams | null = null;

  /** The model being trained. */
  get model(): Model {
    if (this.attachedModel === null) throw new ModelStateError('This callback has no model yet: pass it to fit() in callbacks, or call setModel(model).');
    return this.attachedModel;
  }

  /** The params of the fit() this callback runs in. */
  get params(): CallbackParams {
    if (this.runParams === null) throw new ModelStateError('This callback has no params yet: pass it to fit() in callbacks, or call setParams(params).');
    return this.runParams;
  }

  setModel(model: Model): void {
    this.attachedModel = model;
  }

  setParams(params: CallbackParams): void {
    this.runParams = params;
  }

  onTrainBegin(_logs: Logs): Awaitable {}
  /** logs: the last epoch's. */
  onTrainEnd(_logs: Logs): Awaitable {}
  onEpochBegin(_epoch: number, _logs: Logs): Awaitable {}
  /** logs: loss and metrics over the epoch, val_ values; callbacks may add to it (reduceLROnPlateau adds lr). */
  onEpochEnd(_epoch: number, _logs: Logs): Awaitable {}
  onBatchBegin(_batch: number, _logs: Logs): Awaitable {}
  /** logs: batch, size, and loss and metrics running over the epoch so far. */
  onBatchEnd(_batch: number, _logs: Logs): Awaitable {}

  /**
   * Whether this callback has a batch hook of its own: fit then runs its steps one at a time so
   * that each is seen; otherwise it may run many steps per trip off the main thread.
   */
  watchesBatches(): boolean {
    return this.onBatchBegin !== Callback.prototype.onBatchBegin || this.onBatchEnd !== Callback.prototype.onBatchEnd;
  }
}
