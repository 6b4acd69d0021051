/** History: what fit() returns, filled as a callback (the last one, unless passed in callbacks). */
import { Callback, type Logs } from './callback';

export class History extends Callback {
  /** Epoch indices that ran (from initialEpoch). */
  readonly epoch: number[] = [];
  /** Per-epoch values: loss, metrics, their val_ versions, and lr when a callback set it. */
  readonly history: Record<string, number[]> = {};

  /** Starts empty on each fit, so one History holds one run. */
  override onTrainBegin(): void {
    this.epoch.length = 0;
    for (const name of Object.keys(this.history)) delete this.history[name];
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    this.epoch.push(epoch);
    for (const [name, value] of Object.entries(logs)) (this.history[name] ??= []).push(value);
  }
}

export function history(): History {
  return new History();
}
