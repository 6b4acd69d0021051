/**
 * CSV files of numeric features and one label column (RFC 4180 fields: double quotes may enclose
 * a field holding the delimiter, and "" inside them is a quote; a field may not span lines).
 * Gzip-compressed files are read too. A number is a decimal (decimal.ts: not '0x10', 'Infinity'
 * or 'NaN') that float32 can hold; anything else is a DataFormatError naming the file, line and
 * column. Lines before the data (scikit-learn's exports start with one: rows, features and class
 * names) are skipped with skipRows; a first line whose field count differs from the lines after
 * it is refused with that suggestion rather than read as a header.
 */
import { ArgumentRangeError, ArgumentTypeError, DataFormatError } from '../errors';
import { MAX_CSV_BYTES } from '../limits';
import { Tensor } from '../tensor';
import { boolean, describe, knownOptions, nonNegativeInteger, oneOf, plainObject } from '../validate';
import { parseDecimal } from './decimal';
import { readData } from './files';

export interface LoadCsvArgs {
  /** The label column: its index from 0, or its name in the header (default: the last column). */
  labelColumn?: number | string;
  /**
   * Whether the first line (after skipRows) names the columns. Default: told from that line, a
   * header unless its features are all numbers (and always one when labelColumn is a name).
   */
  header?: boolean;
  /** The field separator, one character (default ','). */
  delimiter?: string;
  /** Lines to skip at the start of the file, before the header or the data (default 0). */
  skipRows?: number;
}

export interface CsvData {
  /** Features, [rows, columns - 1]. */
  readonly x: Tensor;
  /** Labels, [rows, 1]: the numbers as written, or class indices when the labels are names. */
  readonly y: Tensor;
  /** Names of the feature columns, when the file has a header. */
  readonly columns?: string[];
  /**
   * The class names: classes[i] is the name of class i, the label y holds. Given when the labels
   * are names (numbered in sorted order), or when they are integers 0..k-1 and a skipped first
   * line is scikit-learn's line of metadata (rows, features, then the k class names in order).
   */
  readonly classes?: string[];
}

/** A line's fields. */
function splitFields(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i] as string;
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (line[i + 1] === '"') field += line[++i];
      else quoted = false;
    } else if (ch === '"') {
      quoted = true;
    } else if (ch === delimiter) {
      fields.push(field);
      field = '';
    } else {
      field += ch;
    }
  }
  fields.push(field);
  return fields;
}

/** float32's largest magnitude, as its shortest decimal. */
const FLOAT32_MAX_TEXT = '3.4028235e38';

/** A field's number, or what is wrong with it: not a decimal, or beyond float32 (where it would become Infinity). */
function numberOrProblem(field: string): number | string {
  const value = parseDecimal(field);
  if (Number.isNaN(value)) return `expected a number but found '${field}'`;
  if (!Number.isFinite(Math.fround(value))) return `expected a number float32 can hold (at most ${FLOAT32_MAX_TEXT} in magnitude) but found '${field}'`;
  return value;
}

/** Text that spells a number that is not finite: refused as a label too, not taken for a class name. */
const NOT_FINITE = /^[+-]?(Infinity|NaN)$/;

interface Row {
  readonly line: number;
  readonly fields: string[];
}

interface CsvOptions {
  readonly labelColumn: unknown;
  readonly header: boolean | undefined;
  readonly delimiter: string;
  readonly skipRows: number;
}

function csvArgs(args: unknown): CsvOptions {
  const o = args === undefined ? {} : plainObject(args, 'args');
  knownOptions(o, 'args', ['labelColumn', 'header', 'delimiter', 'skipRows']);
  const delimiter = o['delimiter'] ?? ',';
  if (typeof delimiter !== 'string') throw new ArgumentTypeError({ argument: 'delimiter', expected: 'one character', received: describe(delimiter) });
  if (delimiter.length !== 1 || delimiter === '"' || delimiter === '\n' || delimiter === '\r') {
    throw new ArgumentRangeError({ argument: 'delimiter', expected: 'one character other than a quote or a line break', received: describe(delimiter) });
  }
  return {
    labelColumn: o['labelColumn'],
    header: o['header'] === undefined ? undefined : boolean(o['header'], 'header'),
    delimiter,
    skipRows: nonNegativeInteger(o['skipRows'] ?? 0, 'skipRows'),
  };
}

function labelIndex(value: unknown, names: readonly string[] | null, width: number): number {
  if (value === undefined) return width - 1;
  if (typeof value === 'string') {
    if (names === null) throw new ArgumentRangeError({ argument: 'labelColumn', expected: 'a column index, as the file has no header', received: describe(value) });
    return names.indexOf(oneOf(value, 'labelColumn', names));
  }
  const index = nonNegativeInteger(value, 'labelColumn');
  if (index >= width) throw new ArgumentRangeError({ argument: 'labelColumn', expected: `a column index from 0 to ${width - 1}`, received: describe(value) });
  return index;
}

/**
 * Whether `first` is a header: as told, or when labelColumn is a name; otherwise unless every
 * field but the label column's is a number (a line of data).
 */
function isHeader(first: Row, { header, labelColumn }: CsvOptions): boolean {
  if (header !== undefined) return header;
  if (typeof labelColumn === 'string') return true;
  const label = typeof labelColumn === 'number' ? labelColumn : first.fields.length - 1;
  return !first.fields.every((field, j) => j === label || !Number.isNaN(parseDecimal(field)));
}

/**
 * Refuses a first line whose field count differs from that of the two lines after it, which
 * agree: a line of metadata or a title, not a header or data, that would otherwise fail as
 * "line 2: expected 5 fields but found 14".
 */
function checkFirstLine(rows: readonly Row[], file: string): void {
  const [first, second, third] = rows;
  if (first === undefined || second === undefined || first.fields.length === second.fields.length) return;
  if (third !== undefined && third.fields.length !== second.fields.length) return;
  throw new DataFormatError(
    { file, line: first.line },
    `has ${first.fields.length} field${first.fields.length === 1 ? '' : 's'} but the lines after it have ${second.fields.length}: ` +
      "is it a line of metadata before the data? (scikit-learn's CSV exports start with one: rows, features, class names)",
    { skipRows: first.line },
  );
}

/**
 * The class names of scikit-learn's line of metadata, `rows,features,name_0,...,name_k-1`, when
 * `line` is one that describes these rows, features and labels (integers 0..k-1); else undefined.
 */
function scikitLearnClasses(line: string | undefined, delimiter: string, rows: number, features: number, y: Float32Array): string[] | undefined {
  if (line === undefined) return undefined;
  const [n, f, ...names] = splitFields(line.replace(/\r$/, ''), delimiter).map((field) => field.trim());
  if (parseDecimal(n ?? '') !== rows || parseDecimal(f ?? '') !== features || names.length < 2 || names.some((name) => name === '')) return undefined;
  return y.every((label) => Number.isInteger(label) && label >= 0 && label < names.length) ? names : undefined;
}

/**
 * Decimal labels as they are; otherwise every distinct label is a class, numbered in sorted order.
 * `fail(i, problem)` throws for label i, a decimal that float32 cannot hold.
 */
function encodeLabels(labels: readonly string[], fail: (i: number, problem: string) => never): { y: Float32Array; classes?: string[] } {
  const numbers = labels.map(parseDecimal);
  if (!numbers.some(Number.isNaN)) {
    return {
      y: Float32Array.from(labels, (label, i) => {
        const value = numberOrProblem(label);
        return typeof value === 'string' ? fail(i, value) : value;
      }),
    };
  }
  const classes = [...new Set(labels.map((l) => l.trim()))].sort();
  const index = new Map(classes.map((c, i) => [c, i]));
  return { y: Float32Array.from(labels, (l) => index.get(l.trim()) as number), classes };
}

/**
 * Reads a CSV file of numeric features and one label column (numbers or class names). The file,
 * or what it inflates to when gzip-compressed, may hold at most MAX_CSV_BYTES (V8's longest
 * string).
 * @param maxBytes a lower limit, for tests (internal).
 */
export function loadCsv(path: string, args?: LoadCsvArgs, maxBytes = MAX_CSV_BYTES): CsvData {
  // The options first: a misspelled option is reported before anything is read.
  const options = csvArgs(args);
  return csvData(readData(path, maxBytes), path, options);
}

/** loadCsv of data already read (the command line's standard input); `file` names it in errors. @internal */
export function parseCsv(bytes: Buffer, file: string, args?: LoadCsvArgs): CsvData {
  return csvData(bytes, file, csvArgs(args));
}

function csvData(bytes: Buffer, file: string, options: CsvOptions): CsvData {
  const { delimiter, skipRows } = options;
  const lines = bytes.toString('utf8').replace(/^\uFEFF/, '').split('\n');
  const rows: Row[] = [];
  lines.forEach((raw, i) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (i >= skipRows && line.trim() !== '') rows.push({ line: i + 1, fields: splitFields(line, delimiter) });
  });
  checkFirstLine(rows, file);
  const header = rows[0] !== undefined && isHeader(rows[0], options);
  const names = header ? (rows.shift()?.fields.map((f) => f.trim()) ?? null) : null;
  const first = rows[0];
  if (first === undefined) throw new DataFormatError({ file }, `no data rows${header ? ' after the header' : ''}`);
  const width = names?.length ?? first.fields.length;
  if (width < 2) throw new DataFormatError({ file, line: first.line }, `expected at least 2 columns (features and a label) but found ${width}`);
  const label = labelIndex(options.labelColumn, names, width);
  const columnName = (j: number): string => (names === null ? `column ${j + 1}` : `column ${j + 1} ('${names[j]}')`);

  const fail = (line: number, j: number, problem: string): never => {
    throw new DataFormatError({ file, line, column: columnName(j) }, problem);
  };

  const features = width - 1;
  const x = new Float32Array(rows.length * features);
  const labels: string[] = [];
  rows.forEach(({ line, fields }, r) => {
    if (fields.length !== width) throw new DataFormatError({ file, line }, `expected ${width} fields but found ${fields.length}`);
    let k = r * features;
    fields.forEach((field, j) => {
      if (j === label) {
        if (field.trim() === '') fail(line, j, 'expected a label but found an empty field');
        if (NOT_FINITE.test(field.trim())) fail(line, j, `expected a number or a class name but found '${field}'`);
        labels.push(field);
        return;
      }
      const value = numberOrProblem(field);
      x[k++] = typeof value === 'string' ? fail(line, j, value) : value;
    });
  });
  const encoded = encodeLabels(labels, (i, problem) => fail((rows[i] as Row).line, label, problem));
  const classes = encoded.classes ?? (skipRows > 0 && !header ? scikitLearnClasses(lines[0], delimiter, rows.length, features, encoded.y) : undefined);
  return {
    x: new Tensor(x, [rows.length, features]),
    y: new Tensor(encoded.y, [rows.length, 1]),
    ...(names === null ? {} : { columns: names.filter((_, j) => j !== label) }),
    ...(classes === undefined ? {} : { classes }),
  };
}
