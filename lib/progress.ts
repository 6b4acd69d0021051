/**
 * What fit() shows while it trains. On a terminal (verbose 1): a progress bar redrawn in place,
 * then one line per epoch. Elsewhere (a pipe, a CI log) or with verbose 2: only the line per
 * epoch, so logs stay readable.
 */
import type { Logs } from './callbacks';

const BAR_WIDTH = 30;
/** Redraws at most this often: a terminal write per batch would cost more than the batch. */
const REDRAW_MS = 80;

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
}

function formatLogs(logs: Logs): string {
  return Object.entries(logs)
    .map(([name, value]) => `${name}: ${value.toFixed(4)}`)
    .join(' - ');
}

export class ProgressReporter {
  private lastDraw = 0;
  private readonly bar: boolean;

  constructor(
    private readonly stream: ProgressStream,
    private readonly epochs: number,
    private readonly steps: number,
    verbose: number,
  ) {
    this.bar = verbose === 1 && stream.isTTY === true;
  }

  batchEnd(epoch: number, step: number, logs: Logs): void {
    if (!this.bar) return;
    const now = Date.now();
    if (step < this.steps && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const done = Math.round((BAR_WIDTH * step) / this.steps);
    const bar = '='.repeat(Math.max(0, done - 1)) + (done > 0 ? (step === this.steps ? '=' : '>') : '') + '.'.repeat(BAR_WIDTH - done);
    this.stream.write(`\r${this.prefix(epoch)} [${bar}] ${step}/${this.steps} - ${formatLogs(logs)}\x1b[K`);
  }

  epochEnd(epoch: number, logs: Logs, seconds: number): void {
    const line = `${this.prefix(epoch)} - ${this.steps} steps - ${seconds.toFixed(2)}s - ${formatLogs(logs)}`;
    this.stream.write(this.bar ? `\r${line}\x1b[K\n` : `${line}\n`);
  }

  private prefix(epoch: number): string {
    return `Epoch ${epoch + 1}/${this.epochs}`;
  }
}
