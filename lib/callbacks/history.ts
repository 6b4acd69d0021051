/** History: what fit() returns, filled as a callback (the last one, unless passed in callbacks). */
import { ArgumentTypeError } from '../errors';
import { atomicWrite } from '../io/atomic-write';
import { historyToSvg, type PlotOptions } from '../plot/history-chart';
import { svgToPng } from '../plot/png';
import { describe } from '../validate';
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

  /** The curves as an SVG document: a panel per quantity (loss, each metric), training and validation per epoch. */
  toSvg(options?: PlotOptions): string {
    return historyToSvg(this, options);
  }

  /**
   * Writes the curves to `path`: toSvg(options), or its PNG when the path ends in .png (that needs
   * the optional package @resvg/resvg-js, installed with myelin unless optional packages were
   * left out). The write is atomic: a failed one leaves any old file as it was.
   */
  async plot(path: string, options?: PlotOptions): Promise<void> {
    if (typeof path !== 'string' || path.length === 0) throw new ArgumentTypeError({ argument: 'path', expected: 'a file path (string)', received: describe(path) });
    const svg = this.toSvg(options);
    await atomicWrite(path, [/\.png$/i.test(path) ? await svgToPng(svg) : Buffer.from(svg, 'utf8')]);
  }
}

export function history(): History {
  return new History();
}
