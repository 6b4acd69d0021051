/**
 * What fit() shows while it trains. On a terminal (verbose 1): a progress bar redrawn in place,
 * with the epoch's elapsed time and an ETA, as Keras shows them, then one line per epoch.
 * Elsewhere (a pipe, a CI log) or with verbose 2: only the line per epoch, so logs stay readable.
 *
 * A line a terminal wraps cannot be redrawn in place (each redraw then leaves a line behind), so
 * on a terminal every line is kept shorter than its width: the bar shortens first, then the
 * metrics go from the last, then the bar; the line per epoch is broken between its metrics.
 */
import type { Logs } from './callbacks';

const BAR_WIDTH = 30;
const MIN_BAR_WIDTH = 5;
/** The width assumed for a terminal that does not say its own. */
const DEFAULT_COLUMNS = 80;
/** Redraws at most this often: a terminal write per batch would cost more than the batch. */
const REDRAW_MS = 80;
/** Erase to the end of the line: what a shorter redraw leaves of the longer one before. */
const CLEAR_LINE = '\x1b[K';

export interface ProgressStream {
  write(text: string): unknown;
  readonly isTTY?: boolean;
  /** A terminal's width in characters (process.stdout.columns), read at each redraw. */
  readonly columns?: number;
}

function metricTexts(logs: Logs): string[] {
  return Object.entries(logs).map(([name, value]) => `${name}: ${value.toFixed(4)}`);
}

/** Seconds as Keras shows a duration: 4.2s, 42s, 3m05s, 1h02m. */
export function formatDuration(seconds: number): string {
  if (seconds < 9.95) return `${seconds.toFixed(1)}s`;
  if (seconds < 59.5) return `${Math.round(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m${String(Math.round(seconds % 60) % 60).padStart(2, '0')}s`;
  return `${Math.floor(minutes / 60)}h${String(minutes % 60).padStart(2, '0')}m`;
}

/** The bar for `step` of `steps`, `width` characters between its brackets. */
function bar(step: number, steps: number, width: number): string {
  const done = Math.round((width * step) / steps);
  const filled = '='.repeat(Math.max(0, done - 1)) + (done > 0 ? (step === steps ? '=' : '>') : '');
  return `[${filled}${'.'.repeat(width - done)}]`;
}

/** `text` in at most `width` characters: its start cut, so that a metric keeps its value. */
function keepEnd(text: string, width: number): string {
  return text.length <= width ? text : `…${text.slice(text.length - width + 1)}`;
}

/**
 * `parts` joined by ' - ' into lines of at most `width` characters, breaking only between two
 * parts; lines after the first are indented by two spaces, unless the part needs them.
 */
function wrapParts(parts: readonly string[], width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    const joined = line === '' ? part : `${line} - ${part}`;
    if (joined.length <= width) {
      line = joined;
    } else {
      if (line !== '') lines.push(line);
      line = part.length + 2 <= width ? `  ${part}` : keepEnd(part, width);
    }
  }
  lines.push(line);
  return lines;
}

export class ProgressReporter {
  private lastDraw = -Infinity;
  private epochStart: number;
  private readonly bar: boolean;

  /** `now` gives milliseconds (a clock for tests); the first epoch starts when the reporter is made. */
  constructor(
    private readonly stream: ProgressStream,
    private readonly epochs: number,
    private readonly steps: number,
    verbose: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.bar = verbose === 1 && stream.isTTY === true;
    this.epochStart = now();
  }

  batchEnd(epoch: number, step: number, logs: Logs): void {
    if (!this.bar) return;
    const now = this.now();
    if (step < this.steps && now - this.lastDraw < REDRAW_MS) return;
    this.lastDraw = now;
    const elapsed = (now - this.epochStart) / 1000;
    const eta = (elapsed / step) * (this.steps - step);
    const count = `${String(step).padStart(String(this.steps).length)}/${this.steps}`;
    const time = step < this.steps ? `${formatDuration(elapsed)} ETA ${formatDuration(eta)}` : formatDuration(elapsed);
    this.stream.write(`\r${this.fit(`${this.prefix(epoch)} ${count}`, step, time, metricTexts(logs))}${CLEAR_LINE}`);
  }

  epochEnd(epoch: number, logs: Logs, seconds: number): void {
    this.epochStart = this.now();
    const parts = [this.prefix(epoch), `${this.steps} steps`, `${seconds.toFixed(2)}s`, ...metricTexts(logs)];
    if (!this.bar) {
      this.stream.write(`${parts.join(' - ')}\n`);
      return;
    }
    const lines = wrapParts(parts, this.width());
    this.stream.write(`\r${lines.join(`${CLEAR_LINE}\n`)}${CLEAR_LINE}\n`);
  }

  /** The widest line that never wraps: one less than the terminal's columns. */
  private width(): number {
    const columns = this.stream.columns;
    return Math.max(1, (columns !== undefined && columns > 0 ? columns : DEFAULT_COLUMNS) - 1);
  }

  /** The progress line within the width: the bar shortens, then the metrics go from the last, then the bar. */
  private fit(head: string, step: number, time: string, metrics: string[]): string {
    const width = this.width();
    const line = (barWidth: number, shown: number): string =>
      [head, ...(barWidth > 0 ? [bar(step, this.steps, barWidth)] : []), time].join(' ') + metrics.slice(0, shown).map((m) => ` - ${m}`).join('');
    for (let shown = metrics.length; shown >= 0; shown--) {
      const room = width - line(0, shown).length - 3;
      if (room >= MIN_BAR_WIDTH) return line(Math.min(BAR_WIDTH, room), shown);
    }
    return line(0, 0).slice(0, width);
  }

  private prefix(epoch: number): string {
    return `Epoch ${epoch + 1}/${this.epochs}`;
  }
}
