/**
 * The errors myelin throws. Each names the argument at fault, what was expected and what came,
 * so a message alone is enough to fix the call. Wrong kinds are TypeErrors and wrong values
 * RangeErrors (the classes JavaScript users already catch); states and failures that are not
 * about one argument derive from MyelinError.
 */

export interface ArgumentDetails {
  /** The argument or option at fault, e.g. "batchSize" or "x". */
  readonly argument: string;
  readonly expected: string;
  readonly received: string;
}

function message(details: ArgumentDetails, hint?: string): string {
  const base = `Expected ${details.expected} for ${details.argument} but received ${details.received}`;
  return hint === undefined ? base : `${base}. ${hint}`;
}

/** Copies the details onto an error, so handlers can read them without parsing the message. */
function attach(error: ArgumentDetails, { argument, expected, received }: ArgumentDetails): void {
  Object.assign(error, { argument, expected, received });
}

/** A value of the wrong kind: a string where a number belongs, a Float64Array for a Float32Array. */
export class ArgumentTypeError extends TypeError implements ArgumentDetails {
  override readonly name = 'ArgumentTypeError';
  declare readonly argument: string;
  declare readonly expected: string;
  declare readonly received: string;

  constructor(details: ArgumentDetails, hint?: string) {
    super(message(details, hint));
    attach(this, details);
  }
}

/** A value of the right kind but out of range: batchSize 0, an unknown activation name, NaN in data. */
export class ArgumentRangeError extends RangeError implements ArgumentDetails {
  override readonly name: string = 'ArgumentRangeError';
  declare readonly argument: string;
  declare readonly expected: string;
  declare readonly received: string;

  constructor(details: ArgumentDetails, hint?: string) {
    super(message(details, hint));
    attach(this, details);
  }
}

/** Tensors whose shapes do not fit: the wrong number of features, x and y of different lengths. */
export class ShapeError extends ArgumentRangeError {
  override readonly name = 'ShapeError';
}

/** Base of the errors that are not about one argument. */
export class MyelinError extends Error {
  override readonly name: string = 'MyelinError';
}

/**
 * A data file (CSV or IDX) that cannot be read as data: a cell that is not a number, a line with
 * the wrong number of fields, a file too large or not a file. The message starts with the file
 * and, where one line is at fault, the line: "wine.csv line 2: expected 5 fields but found 14".
 */
export class DataFormatError extends MyelinError {
  override readonly name = 'DataFormatError';
  /** The file the problem is in ('stdin' for data read from standard input). */
  readonly file: string;
  /** The line at fault, from 1, when the problem is on one line. */
  readonly line: number | undefined;
  /** The file, line and column, as the message starts. */
  readonly location: string;
  /** What is wrong, without the location or a fix. */
  readonly problem: string;
  /** The skipRows that would read the file, when its first lines look like metadata rather than data. */
  readonly skipRows: number | undefined;

  /** `where.column` describes the column at fault, e.g. "column 2 ('b')". */
  constructor(where: { readonly file: string; readonly line?: number; readonly column?: string }, problem: string, fix: { readonly skipRows?: number } = {}) {
    const location = `${where.file}${where.line === undefined ? '' : ` line ${where.line}`}${where.column === undefined ? '' : `, ${where.column}`}`;
    super(`${location}: ${problem}${fix.skipRows === undefined ? '' : `. Skip it with skipRows: ${fix.skipRows}`}`);
    this.file = where.file;
    this.line = where.line;
    this.location = location;
    this.problem = problem;
    this.skipRows = fix.skipRows;
  }
}

/** A call made in the wrong state: predict before the model is built, fit before compile. */
export class ModelStateError extends MyelinError {
  override readonly name = 'ModelStateError';
}

/** Training diverged: the loss or its gradient became NaN or infinite. */
export class TrainingError extends MyelinError {
  override readonly name = 'TrainingError';
}

/**
 * The call was stopped through its AbortSignal; `cause` is the signal's reason. Named and coded
 * as Node's own APIs name theirs, so `err.name === 'AbortError'` checks work alike.
 */
export class AbortError extends MyelinError {
  override readonly name = 'AbortError';
  readonly code = 'ABORT_ERR';
}

/** The native addon could not be loaded; the message lists what was tried and how to fix it. */
export class NativeLoadError extends MyelinError {
  override readonly name = 'NativeLoadError';
}

/** An optional package a call needs is not installed (or cannot load); the message says how to install it. */
export class MissingDependencyError extends MyelinError {
  override readonly name = 'MissingDependencyError';
  /** The npm package to install. */
  readonly packageName: string;

  constructor(packageName: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.packageName = packageName;
  }
}

/** A model file that cannot be read: not a myelin model, damaged, or describing an impossible model. */
export class ModelFormatError extends MyelinError {
  override readonly name = 'ModelFormatError';
  /** The file (or 'JSON' for modelFromJSON) the problem is in. */
  readonly file: string;

  constructor(file: string, problem: string, options?: { cause?: unknown }) {
    super(`${file}: ${problem}`, options);
    this.file = file;
  }
}
