/** What earlyStopping and reduceLROnPlateau share: the value they watch and which way is better. */
import { ArgumentRangeError, ArgumentTypeError } from '../errors';
import { describe, oneOf, suggestion } from '../validate';
import type { Logs } from './callback';

export const monitorModes = ['auto', 'min', 'max'] as const;
export type MonitorMode = (typeof monitorModes)[number];

export interface Monitor {
  readonly monitor: string;
  /** Larger values are better: mode 'max', or 'auto' on an accuracy-like name (acc, auc, precision, recall). */
  readonly higherIsBetter: boolean;
}

export function monitorOptions(options: Record<string, unknown>, callback: string): Monitor {
  const monitor = options['monitor'] ?? 'val_loss';
  if (typeof monitor !== 'string' || monitor.length === 0) {
    const ErrorClass = typeof monitor === 'string' ? ArgumentRangeError : ArgumentTypeError;
    throw new ErrorClass({ argument: `${callback} monitor`, expected: "the name of a logged value, e.g. 'val_loss'", received: describe(monitor) });
  }
  const mode = oneOf(options['mode'] ?? 'auto', `${callback} mode`, monitorModes);
  const higherIsBetter = mode === 'auto' ? /acc|auc|precision|recall/i.test(monitor.replace(/^val_/, '')) : mode === 'max';
  return { monitor, higherIsBetter };
}

/** The watched value in epoch logs; a name not there is an error listing the names that are. */
export function monitoredValue(logs: Logs, monitor: string, callback: string): number {
  const value = logs[monitor];
  if (value !== undefined) return value;
  const keys = Object.keys(logs);
  const hint = suggestion(monitor, keys) ?? (monitor.startsWith('val_') ? 'val_ values need validationData or validationSplit in fit().' : undefined);
  throw new ArgumentRangeError({ argument: `${callback} monitor`, expected: `one of the logged values ${keys.map((k) => `'${k}'`).join(', ')}`, received: `'${monitor}'` }, hint);
}

/** A callback's verbose option: 0 (silent, the default) or 1 (one line when it acts). */
export function verboseOption(value: unknown, callback: string): boolean {
  const verbose = value ?? 0;
  if (verbose !== 0 && verbose !== 1) {
    const ErrorClass = typeof verbose === 'number' ? ArgumentRangeError : ArgumentTypeError;
    throw new ErrorClass({ argument: `${callback} verbose`, expected: '0 or 1', received: describe(verbose) });
  }
  return verbose === 1;
}

/** Writes a callback's message when asked to (verbose), on stdout as fit's progress does. */
export function say(verbose: boolean, message: string): void {
  if (verbose) process.stdout.write(`${message}\n`);
}
