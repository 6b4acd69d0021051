/**
 * Training callbacks in TensorFlow.js's shape: an object with any of onTrainBegin, onTrainEnd,
 * onEpochBegin, onEpochEnd, onBatchBegin, onBatchEnd; each may return a promise, which fit()
 * awaits before going on. Set model.stopTraining = true in one to end training early.
 */
import { functionValue, knownOptions, plainObject } from './validate';

export type Logs = Record<string, number>;
type Awaitable = void | Promise<void>;

export interface CustomCallbackArgs {
  onTrainBegin?: (logs: Logs) => Awaitable;
  onTrainEnd?: (logs: Logs) => Awaitable;
  onEpochBegin?: (epoch: number, logs: Logs) => Awaitable;
  onEpochEnd?: (epoch: number, logs: Logs) => Awaitable;
  onBatchBegin?: (batch: number, logs: Logs) => Awaitable;
  onBatchEnd?: (batch: number, logs: Logs) => Awaitable;
}

const hooks = ['onTrainBegin', 'onTrainEnd', 'onEpochBegin', 'onEpochEnd', 'onBatchBegin', 'onBatchEnd'] as const;

/** Calls every callback's hook in order, awaiting each. */
export class CallbackList {
  private readonly callbacks: CustomCallbackArgs[];

  constructor(value: unknown) {
    const list = value === undefined ? [] : Array.isArray(value) ? value : [value];
    this.callbacks = list.map((cb: unknown, i) => {
      const argument = Array.isArray(value) ? `callbacks[${i}]` : 'callbacks';
      const obj = plainObject(cb, argument);
      knownOptions(obj, argument, hooks);
      for (const hook of hooks) if (obj[hook] !== undefined) functionValue(obj[hook], `${argument}.${hook}`);
      return obj as CustomCallbackArgs;
    });
  }

  async trainBegin(logs: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onTrainBegin?.(logs);
  }

  async trainEnd(logs: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onTrainEnd?.(logs);
  }

  async epochBegin(epoch: number, logs: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onEpochBegin?.(epoch, logs);
  }

  async epochEnd(epoch: number, logs: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onEpochEnd?.(epoch, logs);
  }

  async batchBegin(batch: number, logs: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onBatchBegin?.(batch, logs);
  }

  async batchEnd(batch: number, logs: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onBatchEnd?.(batch, logs);
  }
}
