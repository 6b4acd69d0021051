/**
 * The callbacks of one fit(): Callback instances and plain hook objects, each attached to the
 * model and the run's params, called in order and awaited. A History is always among them: the
 * one passed in, or a new one last (so it records what earlier callbacks add to the logs).
 */
import type { Model } from '../core/model';
import { functionValue, knownOptions, plainObject } from '../validate';
import { Callback, hookNames, type CallbackParams, type CustomCallbackArgs, type Logs } from './callback';
import { History } from './history';

/** A plain hook object as a Callback; hooks run with the object as `this`, as before. */
class Hooks extends Callback {
  constructor(private readonly hooks: CustomCallbackArgs) {
    super();
  }

  override onTrainBegin(logs: Logs) {
    return this.hooks.onTrainBegin?.(logs);
  }
  override onTrainEnd(logs: Logs) {
    return this.hooks.onTrainEnd?.(logs);
  }
  override onEpochBegin(epoch: number, logs: Logs) {
    return this.hooks.onEpochBegin?.(epoch, logs);
  }
  override onEpochEnd(epoch: number, logs: Logs) {
    return this.hooks.onEpochEnd?.(epoch, logs);
  }
  override onBatchBegin(batch: number, logs: Logs) {
    return this.hooks.onBatchBegin?.(batch, logs);
  }
  override onBatchEnd(batch: number, logs: Logs) {
    return this.hooks.onBatchEnd?.(batch, logs);
  }

  override watchesBatches(): boolean {
    return this.hooks.onBatchBegin !== undefined || this.hooks.onBatchEnd !== undefined;
  }
}

function toCallback(value: unknown, argument: string): Callback {
  if (value instanceof Callback) return value;
  const obj = plainObject(value, argument);
  knownOptions(obj, argument, hookNames);
  for (const hook of hookNames) if (obj[hook] !== undefined) functionValue(obj[hook], `${argument}.${hook}`);
  return new Hooks(obj as CustomCallbackArgs);
}

/** Validates fit's `callbacks` option (one or an array) before anything runs. */
export function checkCallbacks(value: unknown): Callback[] {
  if (value === undefined) return [];
  // Array.from, not map: a hole ([cb, , cb]) is visited, and refused, rather than skipped.
  return Array.isArray(value) ? Array.from(value, (cb: unknown, i) => toCallback(cb, `callbacks[${i}]`)) : [toCallback(value, 'callbacks')];
}

export class CallbackList {
  private readonly callbacks: Callback[];
  /** The History fit() returns. */
  readonly history: History;

  constructor(callbacks: readonly Callback[], model: Model, params: CallbackParams) {
    const passed = callbacks.find((cb): cb is History => cb instanceof History);
    this.history = passed ?? new History();
    this.callbacks = passed === undefined ? [...callbacks, this.history] : [...callbacks];
    for (const cb of this.callbacks) {
      cb.setModel(model);
      cb.setParams(params);
    }
  }

  /** Whether a callback has a batch hook: then fit runs its steps one at a time, each seen. */
  get watchesBatches(): boolean {
    return this.callbacks.some((cb) => cb.watchesBatches());
  }

  async trainBegin(logs: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onTrainBegin(logs);
  }

  async trainEnd(logs: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onTrainEnd(logs);
  }

  async epochBegin(epoch: number, logs: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onEpochBegin(epoch, logs);
  }

  async epochEnd(epoch: number, logs: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onEpochEnd(epoch, logs);
  }

  async batchBegin(batch: number, logs: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onBatchBegin(batch, logs);
  }

  async batchEnd(batch: number, logs: Logs): Promise<void> {
    for (const cb of this.callbacks) await cb.onBatchEnd(batch, logs);
  }
}
