/**
 * csvLogger, as keras.callbacks.CSVLogger: a header (epoch, then the epoch logs' keys sorted),
 * then one row per epoch. Each row goes to the file in one append of a whole line, so a crash
 * leaves whole rows only. With append, a non-empty file keeps its header.
 */
import * as fs from 'node:fs';

import { ArgumentRangeError, ArgumentTypeError } from '../errors';
import { boolean, describe, knownOptions, plainObject } from '../validate';
import { Callback, type Logs } from './callback';

export interface CsvLoggerConfig {
  /** Between fields (default ','). */
  separator?: string;
  /** Add to an existing file rather than overwrite it (default false). */
  append?: boolean;
}

const NAME = 'csvLogger';

export class CsvLogger extends Callback {
  readonly separator: string;
  readonly append: boolean;
  private keys: string[] | null = null;
  private writeHeader = true;

  constructor(
    readonly path: string,
    config: CsvLoggerConfig = {},
  ) {
    super();
    if (typeof path !== 'string') throw new ArgumentTypeError({ argument: `${NAME} path`, expected: 'a file path (string)', received: describe(path) });
    if (path.length === 0) throw new ArgumentRangeError({ argument: `${NAME} path`, expected: 'a file path', received: 'an empty string' });
    const options = plainObject(config, `${NAME} config`);
    knownOptions(options, `${NAME} config`, ['separator', 'append']);
    const separator = options['separator'] ?? ',';
    if (typeof separator !== 'string' || separator.length === 0 || /["\r\n]/.test(separator)) {
      throw new ArgumentRangeError({ argument: `${NAME} separator`, expected: 'a non-empty string without quotes or line breaks', received: describe(separator) });
    }
    this.separator = separator;
    this.append = boolean(options['append'] ?? false, `${NAME} append`);
  }

  /** A field quoted as RFC 4180 asks when it holds the separator, a quote or a line break. */
  private field(text: string): string {
    return text.includes(this.separator) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
  }

  private line(fields: string[]): string {
    return `${fields.map((f) => this.field(f)).join(this.separator)}\n`;
  }

  override onTrainBegin(): void {
    this.keys = null;
    if (this.append) {
      this.writeHeader = !fs.existsSync(this.path) || fs.statSync(this.path).size === 0;
    } else {
      fs.writeFileSync(this.path, '');
      this.writeHeader = true;
    }
  }

  override onEpochEnd(epoch: number, logs: Logs): void {
    const keys = (this.keys ??= Object.keys(logs).sort());
    const row = this.line([String(epoch), ...keys.map((k) => (logs[k] === undefined ? 'NA' : String(logs[k])))]);
    fs.appendFileSync(this.path, this.writeHeader ? this.line(['epoch', ...keys]) + row : row);
    this.writeHeader = false;
  }
}

export function csvLogger(path: string, config: CsvLoggerConfig = {}): CsvLogger {
  return new CsvLogger(path, config);
}
