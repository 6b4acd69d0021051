/**
 * The data a command reads: a CSV file (features and a label column, or features alone when the
 * labels come from --labels or are not needed) or an IDX file with its labels in another IDX
 * file. Files are told apart by name: 'idx' or 'ubyte' in it means IDX (MNIST's convention).
 * --data also takes '-', a CSV on standard input, and the name of a dataset the package ships
 * (digits, breast-cancer), so the README's commands work right after npm install.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { loadCsv, parseCsv, type CsvData, type LoadCsvArgs } from '../data/csv';
import { shippedDatasets } from '../data/datasets';
import { inflated } from '../data/files';
import { loadIdx } from '../data/idx';
import { ArgumentRangeError, DataFormatError } from '../errors';
import { formatBytes, MAX_CSV_BYTES } from '../limits';
import { Tensor } from '../tensor';
import { UsageError } from './errors';

export interface DataOptions {
  data: string;
  labels?: string;
  labelColumn?: string;
  /** Whether a CSV file's first line names the columns; undefined: tell from that line. */
  header?: boolean;
  /** Lines to skip before the header or the data (a line of metadata). */
  skipRows?: number;
}

export interface LabelledData {
  readonly x: Tensor;
  /** [n, 1] class indices or numbers as written, or [n, k] targets from an IDX file. */
  readonly y: Tensor;
  /** Class names when the CSV labels are names or a skipped line names them (y holds indices into them). */
  readonly classes?: string[];
}

/** Where a CSV comes from: a file, or standard input read whole. */
interface CsvSource {
  /** The file's path, or 'stdin'. */
  readonly file: string;
  readonly bytes?: Buffer;
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

/** Standard input, whole, gunzipped when it is gzip; at most MAX_CSV_BYTES either way. */
async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let bytes = 0;
  for await (const chunk of process.stdin as AsyncIterable<Buffer>) {
    bytes += chunk.length;
    if (bytes > MAX_CSV_BYTES) throw new DataFormatError({ file: 'stdin' }, `more than the limit of ${formatBytes(MAX_CSV_BYTES)}`);
    chunks.push(chunk);
  }
  return inflated(Buffer.concat(chunks), 'stdin', MAX_CSV_BYTES);
}

/**
 * The file --data names: '-' (standard input, read now), a file, or the name of a shipped
 * dataset when no file has that name (said through `note`).
 */
async function dataSource(data: string, note: (line: string) => void): Promise<CsvSource> {
  if (data === '-') return { file: 'stdin', bytes: await readStdin() };
  const shipped = shippedDatasets[data];
  if (shipped !== undefined && !fs.existsSync(data)) {
    note(`--data ${data}: the ${data} dataset shipped with myelin (${shipped})`);
    return { file: shipped };
  }
  try {
    requireFile(data, '--data');
  } catch (error) {
    throw new UsageError(`${(error as Error).message} (--data also takes - for standard input, or a dataset myelin ships: ${Object.keys(shippedDatasets).join(', ')})`);
  }
  return { file: data };
}

function isIdx(file: string): boolean {
  return /idx|ubyte/i.test(path.basename(file));
}

/** A column given by index ('3') or by name ('diagnosis'). */
function parseColumn(value: string): number | string {
  return /^\d+$/.test(value) ? Number(value) : value;
}

/**
 * loadCsv with the command line's options, its errors in the command line's terms: a label
 * column that is not there, a line of metadata to skip with --skip-rows.
 */
function readCsv(source: CsvSource, labelColumn: number | string | undefined, options: DataOptions): CsvData {
  const args: LoadCsvArgs = {
    ...(labelColumn === undefined ? {} : { labelColumn }),
    ...(options.header === undefined ? {} : { header: options.header }),
    ...(options.skipRows === undefined ? {} : { skipRows: options.skipRows }),
  };
  try {
    return source.bytes === undefined ? loadCsv(source.file, args) : parseCsv(source.bytes, source.file, args);
  } catch (error) {
    if (error instanceof ArgumentRangeError && error.argument === 'labelColumn') {
      throw new UsageError(`--label-column ${String(labelColumn)} is not a column of ${source.file}: expected ${error.expected}`);
    }
    if (error instanceof DataFormatError && error.skipRows !== undefined) {
      throw new UsageError(`${error.location}: ${error.problem}. Skip it with --skip-rows ${error.skipRows}`);
    }
    throw error;
  }
}

/**
 * Every column of a CSV file as a feature. loadCsv always splits off a label column, so this
 * reads the last column as the "label" and puts it back: it must then be numbers.
 */
function csvFeatures(source: CsvSource, options: DataOptions): Tensor {
  const { x, y, classes } = readCsv(source, undefined, options);
  const [rows, cols] = x.shape as [number, number];
  // Names in the last column cannot be features. (With --skip-rows the classes may come from
  // scikit-learn's line of metadata while the column holds numbers; a column of names there
  // leaves one column too many, which requireWidth reports.)
  if (classes !== undefined && options.skipRows === undefined) {
    throw new UsageError(`${source.file}: the last column holds names (${classes.slice(0, 3).join(', ')}, ...), not numbers; if it is the label, say so with --label-column`);
  }
  const out = new Float32Array(rows * (cols + 1));
  for (let r = 0; r < rows; r++) {
    out.set(x.data.subarray(r * cols, (r + 1) * cols), r * (cols + 1));
    out[r * (cols + 1) + cols] = y.data[r] as number;
  }
  return new Tensor(out, [rows, cols + 1]);
}

/** Features and labels for train and evaluate; `note` says which shipped dataset --data named. */
export async function loadLabelled(options: DataOptions, note: (line: string) => void): Promise<LabelledData> {
  if (options.labels !== undefined) {
    const source = await dataSource(options.data, note);
    requireFile(options.labels, '--labels');
    if (options.labelColumn !== undefined) throw new UsageError('give either --labels (a file of labels) or --label-column (a column of --data), not both');
    const x = isIdx(source.file) ? loadIdx(source.file) : csvFeatures(source, options);
    const y = loadIdx(options.labels);
    if (y.shape[0] !== x.shape[0]) throw new UsageError(`--labels ${options.labels} holds ${y.shape[0]} labels but --data ${options.data} holds ${x.shape[0]} samples`);
    return { x, y };
  }
  if (isIdx(options.data)) throw new UsageError(`--data ${options.data} is an IDX file: give its labels with --labels <IDX file>`);
  const source = await dataSource(options.data, note);
  const column = options.labelColumn === undefined ? undefined : parseColumn(options.labelColumn);
  const { x, y, classes } = readCsv(source, column, options);
  return { x, y, ...(classes === undefined ? {} : { classes }) };
}

/** Features alone, for predict: every column, or every column but --label-column. */
export async function loadFeatures(options: DataOptions, note: (line: string) => void): Promise<Tensor> {
  const source = await dataSource(options.data, note);
  if (isIdx(source.file)) return loadIdx(source.file);
  if (options.labelColumn === undefined) return csvFeatures(source, options);
  return readCsv(source, parseColumn(options.labelColumn), options).x;
}
