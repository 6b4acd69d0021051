/**
 * Tensors: a Float32Array (row-major, batch first) and a shape. Nothing to dispose: the garbage
 * collector owns the memory, and native code only borrows it for the length of a call.
 */
import { ArgumentTypeError, ShapeError } from './errors';
import { allocating } from './limits';
import { describe, positiveInteger } from './validate';

export class Tensor {
  readonly data: Float32Array;
  readonly shape: readonly number[];

  /** Prefer tensor2d() and tensor1d(), which validate; this trusts its arguments. */
  constructor(data: Float32Array, shape: readonly number[]) {
    this.data = data;
    this.shape = Object.freeze([...shape]);
  }

  get rank(): number {
    return this.shape.length;
  }

  get size(): number {
    return this.data.length;
  }

  /** Rows as plain arrays (a rank-1 tensor gives one number per row). */
  toArray(): number[][] {
    const rows = this.shape[0] ?? 0;
    const cols = this.rank === 2 ? (this.shape[1] as number) : 1;
    const out: number[][] = [];
    for (let r = 0; r < rows; r++) out.push(Array.from(this.data.subarray(r * cols, (r + 1) * cols)));
    return out;
  }
}

/** What the API accepts wherever a batch of samples goes. */
export type TensorLike = Tensor | number[][] | { readonly data: Float32Array; readonly shape: readonly number[] };

/** What the API accepts for labels: the same, or one number per sample. */
export type LabelsLike = TensorLike | number[] | Float32Array;

function checkFloat32(data: unknown, argument: string): asserts data is Float32Array {
  if (!(data instanceof Float32Array)) {
    const hint = ArrayBuffer.isView(data) ? 'Convert it with Float32Array.from(values).' : undefined;
    throw new ArgumentTypeError({ argument, expected: 'a Float32Array', received: describe(data) }, hint);
  }
}

function checkShape(shape: unknown, argument: string, rank: 1 | 2): readonly number[] {
  if (!Array.isArray(shape) || shape.length !== rank) {
    throw new ArgumentTypeError({ argument, expected: `a shape of ${rank} integers`, received: describe(shape) });
  }
  shape.forEach((d, i) => positiveInteger(d, `${argument}[${i}]`));
  return shape as number[];
}

/**
 * values[index] as a number. A hole (`[1, , 3]`: no element at all) and undefined are refused
 * like any other non-number, naming the index: neither may quietly become 0.
 */
function numberAt(values: readonly unknown[], index: number, argument: string): number {
  const v = values[index];
  if (typeof v === 'number') return v;
  const received = index in values ? describe(v) : 'an empty slot (a hole in the array)';
  throw new ArgumentTypeError({ argument: `${argument}[${index}]`, expected: 'a number', received });
}

/** rows[r] as an array, refusing a hole or anything else naming the index. */
function rowAt(rows: readonly unknown[], r: number, argument: string): unknown[] {
  const row = rows[r];
  if (Array.isArray(row)) return row;
  const received = r in rows ? describe(row) : 'an empty slot (a hole in the array)';
  throw new ArgumentTypeError({ argument: `${argument}[${r}]`, expected: 'an array of numbers (a row)', received });
}

function fromRows(rows: unknown[], argument: string): Tensor {
  if (rows.length === 0) {
    throw new ShapeError({ argument, expected: 'at least one row', received: 'an empty array' });
  }
  const cols = rowAt(rows, 0, argument).length;
  if (cols === 0) {
    throw new ShapeError({ argument: `${argument}[0]`, expected: 'at least one column', received: 'an empty row' });
  }
  const data = allocating(argument, `${rows.length} rows of ${cols}`, 'its Float32Array', () => new Float32Array(rows.length * cols));
  for (let r = 0; r < rows.length; r++) {
    const row = rowAt(rows, r, argument);
    if (row.length !== cols) {
      throw new ShapeError({ argument: `${argument}[${r}]`, expected: `a row of ${cols} numbers, like row 0`, received: `${row.length}` });
    }
    for (let c = 0; c < cols; c++) data[r * cols + c] = numberAt(row, c, `${argument}[${r}]`);
  }
  return new Tensor(data, [rows.length, cols]);
}

function fromNumbers(values: unknown[], argument: string): Float32Array {
  const data = allocating(argument, `${values.length} values`, 'its Float32Array', () => new Float32Array(values.length));
  for (let i = 0; i < values.length; i++) data[i] = numberAt(values, i, argument);
  return data;
}

/**
 * A rank-2 tensor [rows, cols] from nested rows, or from flat values (Float32Array or number[])
 * and a shape. A Float32Array is used as it is, not copied.
 */
export function tensor2d(values: Float32Array | number[][] | number[], shape?: readonly [number, number]): Tensor {
  if (shape === undefined) {
    if (Array.isArray(values) && values.length > 0 && !Array.isArray(values[0])) {
      throw new ArgumentTypeError({ argument: 'shape', expected: 'a shape [rows, cols] for flat values', received: 'undefined' });
    }
    if (!Array.isArray(values)) {
      checkFloat32(values, 'values');
      throw new ArgumentTypeError({ argument: 'shape', expected: 'a shape [rows, cols] for a Float32Array', received: 'undefined' });
    }
    return fromRows(values, 'values');
  }
  const [rows, cols] = checkShape(shape, 'shape', 2) as [number, number];
  const data = Array.isArray(values) ? (Array.isArray(values[0]) ? fromRows(values, 'values').data : fromNumbers(values, 'values')) : (checkFloat32(values, 'values'), values);
  if (data.length !== rows * cols) {
    throw new ShapeError({ argument: 'values', expected: `${rows}x${cols} = ${rows * cols} values for shape [${rows}, ${cols}]`, received: `${data.length}` });
  }
  return new Tensor(data, [rows, cols]);
}

/** A rank-1 tensor, e.g. class labels. */
export function tensor1d(values: Float32Array | number[]): Tensor {
  const data = Array.isArray(values) ? fromNumbers(values, 'values') : (checkFloat32(values, 'values'), values);
  if (data.length === 0) throw new ShapeError({ argument: 'values', expected: 'at least one value', received: 'an empty array' });
  return new Tensor(data, [data.length]);
}

/** A batch as a rank-2 tensor, accepting every TensorLike form; `argument` names it in errors. */
export function toMatrix(value: unknown, argument: string): Tensor {
  if (Array.isArray(value)) return fromRows(value, argument);
  if (typeof value !== 'object' || value === null || !('data' in value) || !('shape' in value)) {
    throw new ArgumentTypeError({ argument, expected: 'a Tensor, number[][] or { data: Float32Array, shape }', received: describe(value) });
  }
  const { data, shape } = value as { data: unknown; shape: unknown };
  checkFloat32(data, `${argument}.data`);
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 2) {
    throw new ShapeError({ argument: `${argument}.shape`, expected: 'a shape [samples, features]', received: describe(shape) });
  }
  const dims = shape.map((d, i) => positiveIntegerDim(d, `${argument}.shape[${i}]`));
  const rows = dims[0] as number;
  const cols = dims[1] ?? 1;
  if (data.length !== rows * cols) {
    throw new ShapeError({ argument, expected: `${rows * cols} values for shape [${dims.join(', ')}]`, received: `a Float32Array of length ${data.length}` });
  }
  return value instanceof Tensor && value.rank === 2 ? value : new Tensor(data, [rows, cols]);
}

function positiveIntegerDim(d: unknown, argument: string): number {
  if (d === 0) throw new ShapeError({ argument, expected: 'a positive size', received: '0 (an empty tensor)' });
  return positiveInteger(d, argument);
}

/** Labels as a rank-2 tensor: one number per sample becomes a column. */
export function toLabels(value: unknown, argument: string): Tensor {
  if (value instanceof Float32Array) {
    if (value.length === 0) throw new ShapeError({ argument, expected: 'at least one label', received: 'an empty Float32Array' });
    return new Tensor(value, [value.length, 1]);
  }
  if (Array.isArray(value) && value.length > 0 && !Array.isArray(value[0])) {
    return new Tensor(fromNumbers(value, argument), [value.length, 1]);
  }
  return toMatrix(value, argument);
}
