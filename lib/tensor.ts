/**
 * Tensors: a Float32Array (row-major, batch first) and a shape. Nothing to dispose: the garbage
 * collector owns the memory, and native code only borrows it for the length of a call.
 */
import { inspect } from 'node:util';

import { ArgumentRangeError, ArgumentTypeError, ShapeError } from './errors';
import { allocating } from './limits';
import { formatValues } from './tensor-format';
import { describe, positiveInteger } from './validate';

export class Tensor {
  readonly data: Float32Array;
  /** [rows, cols] for a batch; [n] for tensor1d's column; [] for a scalar (what argMax() of a rank-1 tensor gives). */
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

  /** Rows as plain arrays (a rank-1 tensor gives one number per row, a scalar one row of one number). */
  toArray(): number[][] {
    const rows = this.rank === 0 ? 1 : (this.shape[0] as number);
    const cols = this.rank === 2 ? (this.shape[1] as number) : 1;
    const out: number[][] = [];
    for (let r = 0; r < rows; r++) out.push(Array.from(this.data.subarray(r * cols, (r + 1) * cols)));
    return out;
  }

  /**
   * The shape and the values, as TensorFlow.js prints them (a dimension of more than 20 shows
   * its first and last 3): "Tensor [2, 3]" then the rows. console.log(tensor) prints this too.
   */
  toString(): string {
    return `Tensor [${this.shape.join(', ')}]\n${formatValues(this.data, this.shape, '    ')}`;
  }

  /** What console.log and util.inspect show: toString(). */
  [inspect.custom](): string {
    return this.toString();
  }

  /**
   * The index of the largest value along `axis` (default 0, as in TensorFlow.js; -1 is the last
   * axis), the first one on a tie: predictions.argMax(1) is each sample's most likely class.
   */
  argMax(axis = 0): Tensor {
    return this.reduce(axis, 'argMax()', (_value, index) => index);
  }

  /** The largest value along `axis` (-1 is the last axis); without one, the largest of all, as a scalar. */
  max(axis?: number): Tensor {
    if (axis === undefined) return new Tensor(Float32Array.of(this.data.reduce((a, b) => (b > a ? b : a), -Infinity)), []);
    return this.reduce(axis, 'max()', (value) => value);
  }

  /**
   * A copy of the block that starts at `begin` and spans `size` along each axis, as TensorFlow.js's
   * slice: a number stands for the first axis (the others taken whole), and a size of -1 (or
   * none) runs to the end. predictions.slice([i, 0], [1, -1]) is sample i's row; x.slice(0, 10) the first 10 rows.
   */
  slice(begin: number | readonly number[], size?: number | readonly number[]): Tensor {
    const rank = this.rank;
    if (rank === 0) throw new ShapeError({ argument: 'begin', expected: 'a tensor of rank 1 or 2 to slice', received: 'a scalar (shape [])' });
    const starts = axisList(begin, rank, 'begin', 0);
    const sizes = axisList(size ?? -1, rank, 'size', -1);
    const spans = this.shape.map((dim, a) => {
      const start = starts[a] as number;
      if (!Number.isInteger(start) || start < 0 || start > dim) throw new ArgumentRangeError({ argument: `begin[${a}]`, expected: `an integer from 0 to ${dim} (the size of axis ${a})`, received: describe(start) });
      const length = sizes[a] === -1 ? dim - start : (sizes[a] as number);
      if (!Number.isInteger(length) || length < 0 || start + length > dim) {
        throw new ArgumentRangeError({ argument: `size[${a}]`, expected: `-1 or an integer from 0 to ${dim - start} (what axis ${a} holds from ${start})`, received: describe(sizes[a]) });
      }
      return [start, length] as const;
    });
    const [rowStart, rows] = spans[0] as readonly [number, number];
    const [colStart, cols] = rank === 2 ? (spans[1] as readonly [number, number]) : [0, 1];
    const width = rank === 2 ? (this.shape[1] as number) : 1;
    const out = new Float32Array(rows * cols);
    for (let r = 0; r < rows; r++) out.set(this.data.subarray((rowStart + r) * width + colStart, (rowStart + r) * width + colStart + cols), r * cols);
    return new Tensor(out, spans.map(([, length]) => length));
  }

  /**
   * The largest value along `axis` of each position of the other axis, as `pick(value, index)`
   * makes it (the value, or its index); `call` names the method in errors.
   */
  private reduce(axis: number, call: string, pick: (value: number, index: number) => number): Tensor {
    const rank = this.rank;
    if (rank === 0) throw new ShapeError({ argument: 'axis', expected: `a tensor of rank 1 or 2 for ${call}`, received: 'a scalar (shape [])' });
    if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
      throw new ArgumentRangeError({ argument: 'axis', expected: `an integer from ${-rank} to ${rank - 1} for a tensor of rank ${rank}`, received: describe(axis) });
    }
    const along = axis < 0 ? axis + rank : axis;
    const rows = rank === 2 ? (this.shape[0] as number) : 1;
    const cols = this.shape[rank - 1] as number;
    // The result has one value per position of the other axis (none for rank 1: a scalar).
    const [outer, inner, outerStride, innerStride] = rank === 1 ? [1, cols, 0, 1] : along === 1 ? [rows, cols, cols, 1] : [cols, rows, 1, cols];
    if (inner === 0) throw new ShapeError({ argument: 'axis', expected: `an axis with values for ${call}`, received: `axis ${axis} of shape [${this.shape.join(', ')}]` });
    const out = new Float32Array(outer);
    for (let o = 0; o < outer; o++) {
      let best = this.data[o * outerStride] as number;
      let at = 0;
      for (let i = 1; i < inner; i++) {
        const value = this.data[o * outerStride + i * innerStride] as number;
        if (value > best) [best, at] = [value, i];
      }
      out[o] = pick(best, at);
    }
    return new Tensor(out, rank === 1 ? [] : [outer]);
  }
}

/** slice()'s begin or size as one number per axis; a single number is the first axis, `rest` the others. */
function axisList(value: number | readonly number[], rank: number, argument: string, rest: number): number[] {
  if (typeof value === 'number') return [value, ...Array.from({ length: rank - 1 }, () => rest)];
  if (!Array.isArray(value) || value.length !== rank) throw new ArgumentTypeError({ argument, expected: `a number or an array of ${rank} numbers (one per axis)`, received: describe(value) });
  return value.map((v: unknown, a) => {
    if (typeof v !== 'number') throw new ArgumentTypeError({ argument: `${argument}[${a}]`, expected: 'an integer', received: describe(v) });
    return v;
  });
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

/**
 * A rank-1 tensor, shape [n]: a column. Where a batch is taken it is n samples of one feature
 * each (or n labels), not one sample of n features: that is tensor2d(values, [1, n]), or the
 * plain array given to predict().
 */
export function tensor1d(values: Float32Array | number[]): Tensor {
  const data = Array.isArray(values) ? fromNumbers(values, 'values') : (checkFloat32(values, 'values'), values);
  if (data.length === 0) throw new ShapeError({ argument: 'values', expected: 'at least one value', received: 'an empty array' });
  return new Tensor(data, [data.length]);
}

/**
 * The shape of `value` as an error shows what came: that of `t`, its matrix, unless `value` has
 * one dimension, which toMatrix reads as a column.
 */
export function shapeText(value: unknown, t: Tensor): string {
  const shape = (value as { shape?: unknown } | null)?.shape;
  if (!Array.isArray(shape) || shape.length !== 1) return `shape [${t.shape.join(', ')}]`;
  return `shape [${shape[0]}], a rank-1 tensor, which is a column: ${shape[0]} sample${shape[0] === 1 ? '' : 's'} of 1 feature`;
}

/**
 * Copies one sample of `k` features (a Float32Array or number[]) into target[offset..]; throws
 * naming `argument` on any fault, adding `hint` when its length is wrong.
 */
export function writeSample(target: Float32Array, offset: number, k: number, sample: unknown, argument = 'sample', hint?: string): void {
  if (!(sample instanceof Float32Array) && !Array.isArray(sample)) {
    throw new ArgumentTypeError({ argument, expected: `a Float32Array or number[] of ${k} features`, received: describe(sample) });
  }
  if (sample.length !== k) {
    throw new ShapeError({ argument, expected: `${k} features, the model's inputUnits`, received: `${sample.length} values` }, hint);
  }
  if (sample instanceof Float32Array) {
    target.set(sample, offset);
  } else {
    for (let i = 0; i < k; i++) {
      const v: unknown = sample[i];
      if (typeof v !== 'number') throw new ArgumentTypeError({ argument: `${argument}[${i}]`, expected: 'a number', received: i in sample ? describe(v) : 'an empty slot (a hole in the array)' });
      target[offset + i] = v;
    }
  }
  // Checked after the float32 conversion, which turns 1e39 into Infinity.
  for (let i = 0; i < k; i++) {
    const v = target[offset + i] as number;
    if (!Number.isFinite(v)) throw new ArgumentRangeError({ argument: `${argument}[${i}]`, expected: 'a finite number', received: describe(Array.isArray(sample) ? sample[i] : v) });
  }
}

/**
 * x as predict() takes it: a batch as it is, or one sample (a flat number[] or a Float32Array
 * of `k` values) as a batch of one row [1, k].
 */
export function batchOrSample(x: unknown, k: number, argument = 'x'): unknown {
  const flat = x instanceof Float32Array || (Array.isArray(x) && x.length > 0 && !Array.isArray(x[0]));
  if (!flat) return x;
  const row = new Float32Array(k);
  writeSample(row, 0, k, x, argument, `One sample is a flat array of ${k} numbers; several are rows (number[][]) or tensor2d(values, [n, ${k}]).`);
  return new Tensor(row, [1, k]);
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
