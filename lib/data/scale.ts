/**
 * Feature scaling fitted on the training set and applied unchanged to the test set, so that no
 * statistic of the test data leaks into training (scikit-learn's StandardScaler, MinMaxScaler).
 * Statistics are computed in float64 over the columns; a constant column is scaled by 1 (it is
 * only shifted), as scikit-learn does, so nothing is divided by zero.
 */
import { ArgumentRangeError, ArgumentTypeError, ShapeError } from '../errors';
import { Tensor, toMatrix, type TensorLike } from '../tensor';
import { describe, FINITE, finiteNumber, finiteValues, knownOptions, numberIn, oneOf, plainObject, type Interval } from '../validate';

export interface Scaler {
  /** x scaled column by column with the statistics of the data the scaler was fitted on. */
  transform(x: TensorLike): Tensor;
  /** The statistics as plain JSON, for JSON.stringify; data.scalerFromJSON() makes the scaler again. */
  toJSON(): ScalerJSON;
}

export interface StandardScaler extends Scaler {
  /** Mean of each column of the training data. */
  readonly mean: Float64Array;
  /** Population standard deviation of each column (ddof 0, as scikit-learn). */
  readonly std: Float64Array;
  toJSON(): StandardScalerJSON;
}

export interface MinMaxScaler extends Scaler {
  readonly dataMin: Float64Array;
  readonly dataMax: Float64Array;
  /** The range the training data is mapped to. */
  readonly min: number;
  readonly max: number;
  toJSON(): MinMaxScalerJSON;
}

export interface StandardScalerJSON {
  readonly kind: 'standardize';
  readonly mean: number[];
  readonly std: number[];
}

export interface MinMaxScalerJSON {
  readonly kind: 'minMaxScale';
  readonly dataMin: number[];
  readonly dataMax: number[];
  readonly min: number;
  readonly max: number;
}

/** What scaler.toJSON() gives; `kind` names the function that fitted it. */
export type ScalerJSON = StandardScalerJSON | MinMaxScalerJSON;

export interface MinMaxScaleArgs {
  min?: number;
  max?: number;
}

function trainingMatrix(x: TensorLike): Tensor {
  const t = toMatrix(x, 'xTrain');
  finiteValues(t.data, 'xTrain');
  return t;
}

/** x -> x * factor[j] + offset[j] for each column j. */
function affine(factor: Float64Array, offset: Float64Array): Scaler['transform'] {
  const cols = factor.length;
  return (x) => {
    const t = toMatrix(x, 'x');
    if (t.shape[1] !== cols) {
      throw new ShapeError({ argument: 'x', expected: `samples of ${cols} features, as the data the scaler was fitted on`, received: `shape [${t.shape.join(', ')}]` });
    }
    const out = new Float32Array(t.size);
    for (let i = 0; i < out.length; i++) out[i] = (t.data[i] as number) * (factor[i % cols] as number) + (offset[i % cols] as number);
    return new Tensor(out, t.shape);
  };
}

/** The scaler of these statistics: x -> (x - mean) / std, a constant column (std 0) only shifted. */
function standardScaler(mean: Float64Array, std: Float64Array): StandardScaler {
  const factor = std.map((s) => (s > 0 ? 1 / s : 1));
  const offset = mean.map((m, j) => -m * (factor[j] as number));
  return { mean, std, transform: affine(factor, offset), toJSON: () => ({ kind: 'standardize', mean: [...mean], std: [...std] }) };
}

/** The scaler mapping [dataMin, dataMax] onto [min, max] per column, a constant column only shifted. */
function minMaxScaler(dataMin: Float64Array, dataMax: Float64Array, min: number, max: number): MinMaxScaler {
  const factor = dataMin.map((lo, j) => {
    const range = (dataMax[j] as number) - lo;
    return (max - min) / (range > 0 ? range : 1);
  });
  const offset = dataMin.map((lo, j) => min - lo * (factor[j] as number));
  const toJSON = (): MinMaxScalerJSON => ({ kind: 'minMaxScale', dataMin: [...dataMin], dataMax: [...dataMax], min, max });
  return { dataMin, dataMax, min, max, transform: affine(factor, offset), toJSON };
}

/** A scaler to zero mean and unit variance per column, fitted on xTrain. */
export function standardize(xTrain: TensorLike): StandardScaler {
  const t = trainingMatrix(xTrain);
  const [rows, cols] = t.shape as [number, number];
  const mean = new Float64Array(cols);
  const std = new Float64Array(cols);
  for (let i = 0; i < t.size; i++) mean[i % cols] = (mean[i % cols] as number) + (t.data[i] as number) / rows;
  for (let i = 0; i < t.size; i++) {
    const d = (t.data[i] as number) - (mean[i % cols] as number);
    std[i % cols] = (std[i % cols] as number) + (d * d) / rows;
  }
  std.forEach((v, j) => (std[j] = Math.sqrt(v)));
  return standardScaler(mean, std);
}

function checkRange(min: number, max: number): void {
  if (!(min < max)) throw new ArgumentRangeError({ argument: 'max', expected: `a number greater than min (${min})`, received: describe(max) });
}

/** A scaler mapping each column's training range [dataMin, dataMax] onto [min, max] (default [0, 1]). */
export function minMaxScale(xTrain: TensorLike, args?: MinMaxScaleArgs): MinMaxScaler {
  const t = trainingMatrix(xTrain);
  const o = args === undefined ? {} : plainObject(args, 'args');
  knownOptions(o, 'args', ['min', 'max']);
  const min = finiteNumber(o['min'] ?? 0, 'min');
  const max = finiteNumber(o['max'] ?? 1, 'max');
  checkRange(min, max);
  const cols = t.shape[1] as number;
  const dataMin = new Float64Array(cols).fill(Infinity);
  const dataMax = new Float64Array(cols).fill(-Infinity);
  t.data.forEach((v, i) => {
    dataMin[i % cols] = Math.min(dataMin[i % cols] as number, v);
    dataMax[i % cols] = Math.max(dataMax[i % cols] as number, v);
  });
  return minMaxScaler(dataMin, dataMax, min, max);
}

/** json[key] as one number per column, each in `interval`; `columns` fixes the count once known. */
function statistics(json: Record<string, unknown>, key: string, interval: Interval, columns?: number): Float64Array {
  const values = json[key];
  const expected = columns === undefined ? 'a non-empty array of numbers, one per column' : `an array of ${columns} numbers, one per column`;
  if (!Array.isArray(values)) throw new ArgumentTypeError({ argument: `json.${key}`, expected, received: describe(values) });
  if (values.length === 0 || (columns !== undefined && values.length !== columns)) throw new ShapeError({ argument: `json.${key}`, expected, received: describe(values) });
  return Float64Array.from(values, (v: unknown, j) => numberIn(v, `json.${key}[${j}]`, interval));
}

function parseJSON(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ArgumentRangeError({ argument: 'json', expected: 'the JSON text of scaler.toJSON()', received: `text that is not JSON (${(error as Error).message})` });
  }
}

/**
 * The scaler that scaler.toJSON() describes (the object, or its JSON text), transforming as the
 * fitted one did: save a scaler with JSON.stringify(scaler) and restore it with this.
 */
export function scalerFromJSON(json: ScalerJSON | string): StandardScaler | MinMaxScaler {
  const o = plainObject(typeof json === 'string' ? parseJSON(json) : json, 'json');
  const kind = oneOf(o['kind'], 'json.kind', ['standardize', 'minMaxScale'] as const);
  if (kind === 'standardize') {
    knownOptions(o, 'json', ['kind', 'mean', 'std']);
    const mean = statistics(o, 'mean', FINITE);
    return standardScaler(mean, statistics(o, 'std', { min: 0, max: Infinity, maxInclusive: false }, mean.length));
  }
  knownOptions(o, 'json', ['kind', 'dataMin', 'dataMax', 'min', 'max']);
  const dataMin = statistics(o, 'dataMin', FINITE);
  const dataMax = statistics(o, 'dataMax', FINITE, dataMin.length);
  dataMax.forEach((hi, j) => {
    if (hi < (dataMin[j] as number)) throw new ArgumentRangeError({ argument: `json.dataMax[${j}]`, expected: `a number >= json.dataMin[${j}] (${dataMin[j]})`, received: describe(hi) });
  });
  const min = finiteNumber(o['min'], 'json.min');
  const max = finiteNumber(o['max'], 'json.max');
  checkRange(min, max);
  return minMaxScaler(dataMin, dataMax, min, max);
}
