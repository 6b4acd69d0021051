/**
 * The data a command reads: a CSV file (features and a label column, or features alone when the
 * labels come from --labels or are not needed) or an IDX file with its labels in another IDX
 * file. Files are told apart by name: 'idx' or 'ubyte' in it means IDX (MNIST's convention).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { loadCsv, type CsvData } from '../data/csv';
import { parseDecimal } from '../data/decimal';
import { loadIdx } from '../data/idx';
import { ArgumentRangeError } from '../errors';
import { Tensor } from '../tensor';
import { UsageError } from './errors';

export interface DataOptions {
  data: string;
  labels?: string;
  labelColumn?: string;
  /** Whether a CSV file's first line names the columns; undefined: tell from that line. */
  header?: boolean;
}

export interface LabelledData {
  readonly x: Tensor;
  /** [n, 1] class indices or numbers as written, or [n, k] targets from an IDX file. */
  readonly y: Tensor;
  /** Class names, sorted, when the CSV labels are names (y holds indices into them). */
  readonly classes?: string[];
}

/** Fails with a usage error unless `file` is a readable regular file. */
export function requireFile(file: string, option: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
  } catch {
    throw new UsageError(`${option} ${file}: no such file`);
  }
  if (!stat.isFile()) throw new UsageError(`${option} ${file}: not a file`);
}

function isIdx(file: string): boolean {
  return /idx|ubyte/i.test(path.basename(file));
}

/** A column given by index ('3') or by name ('diagnosis'). */
function parseColumn(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}

/** loadCsv, with the header told from the first line unless given: a line of numbers is data. */
function readCsv(file: string, labelColumn: number | string | undefined, header: boolean | undefined): CsvData {
  const load = (withHeader: boolean): CsvData => {
    try {
      return loadCsv(file, { header: withHeader, ...(labelColumn === undefined ? {} : { labelColumn }) });
    } catch (error) {
      if (error instanceof ArgumentRangeError && error.argument === 'labelColumn') {
        throw new UsageError(`--label-column ${String(labelColumn)} is not a column of ${file}: expected ${error.expected}`);
      }
      throw error;
    }
  };
  if (header !== undefined || typeof labelColumn === 'string') return load(header ?? true);
  const first = load(true);
  const numeric = (first.columns ?? []).every((name) => Number.isFinite(parseDecimal(name)));
  return numeric ? load(false) : first;
}

/**
 * Every column of a CSV file as a feature. loadCsv always splits off a label column, so this
 * reads the last column as the "label" and puts it back: it must then be numbers.
 */
function csvFeatures(file: string, header: boolean | undefined): Tensor {
  const { x, y, classes } = readCsv(file, undefined, header);
  const [rows, cols] = x.shape as [number, number];
  if (classes !== undefined) throw new UsageError(`${file}: the last column holds names (${classes.slice(0, 3).join(', ')}, ...), not numbers; if it is the label, say so with --label-column`);
  const out = new Float32Array(rows * (cols + 1));
  for (let r = 0; r < rows; r++) {
    out.set(x.data.subarray(r * cols, (r + 1) * cols), r * (cols + 1));
    out[r * (cols + 1) + cols] = y.data[r] as number;
  }
  return new Tensor(out, [rows, cols + 1]);
}

/** Features and labels for train and evaluate. */
export function loadLabelled(options: DataOptions): LabelledData {
  requireFile(options.data, '--data');
  if (options.labels !== undefined) {
    requireFile(options.labels, '--labels');
    if (options.labelColumn !== undefined) throw new UsageError('give either --labels (a file of labels) or --label-column (a column of --data), not both');
    const x = isIdx(options.data) ? loadIdx(options.data) : csvFeatures(options.data, options.header);
    const y = loadIdx(options.labels);
    if (y.shape[0] !== x.shape[0]) throw new UsageError(`--labels ${options.labels} holds ${y.shape[0]} labels but --data ${options.data} holds ${x.shape[0]} samples`);
    return { x, y };
  }
  if (isIdx(options.data)) throw new UsageError(`--data ${options.data} is an IDX file: give its labels with --labels <IDX file>`);
  const column = options.labelColumn === undefined ? undefined : parseColumn(options.labelColumn);
  const { x, y, classes } = readCsv(options.data, column, options.header);
  return { x, y, ...(classes === undefined ? {} : { classes }) };
}

/** Features alone, for predict: every column, or every column but --label-column. */
export function loadFeatures(options: DataOptions): Tensor {
  requireFile(options.data, '--data');
  if (isIdx(options.data)) return loadIdx(options.data);
  if (options.labelColumn === undefined) return csvFeatures(options.data, options.header);
  return readCsv(options.data, parseColumn(options.labelColumn), options.header).x;
}
