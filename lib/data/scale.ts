/**
 * Feature scaling fitted on the training set and applied unchanged to the test set, so that no
 * statistic of the test data leaks into training (scikit-learn's StandardScaler, MinMaxScaler).
 * Statistics are computed in float64 over the columns; a constant column is scaled by 1 (it is
 * only shifted), as scikit-learn does, so nothing is divided by zero.
 */
import { ArgumentRangeError, ShapeError } from '../errors';
import { Tensor, toMatrix, type TensorLike } from '../tensor';
import { describe, finiteNumber, finiteValues, knownOptions, plainObject } from '../validate';

export interface Scaler {
  /** x scaled column by column with the statistics of the data the scaler was fitted on. */
  transform(x: TensorLike): Tensor;
}

export interface StandardScaler extends Scaler {
  /** Mean of each column of the training data. */
  readonly mean: Float64Array;
  /** Population standard deviation of each column (ddof 0, as scikit-learn). */
  readonly std: Float64Array;
}

export interface MinMaxScaler extends Scaler {
  readonly dataMin: Float64Array;
  readonly dataMax: Float64Array;
  /** The range the training data is mapped to. */
  readonly min: number;
  readonly max: number;
}

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
  const factor = std.map((s) => (s > 0 ? 1 / s : 1));
  const offset = mean.map((m, j) => -m * (factor[j] as number));
  return { mean, std, transform: affine(factor, offset) };
}

/** A scaler mapping each column's training range [dataMin, dataMax] onto [min, max] (default [0, 1]). */
export function minMaxScale(xTrain: TensorLike, args?: MinMaxScaleArgs): MinMaxScaler {
  const t = trainingMatrix(xTrain);
  const o = args === undefined ? {} : plainObject(args, 'args');
  knownOptions(o, 'args', ['min', 'max']);
  const min = finiteNumber(o['min'] ?? 0, 'min');
  const max = finiteNumber(o['max'] ?? 1, 'max');
  if (!(min < max)) throw new ArgumentRangeError({ argument: 'max', expected: `a number greater than min (${min})`, received: describe(max) });
  const cols = t.shape[1] as number;
  const dataMin = new Float64Array(cols).fill(Infinity);
  const dataMax = new Float64Array(cols).fill(-Infinity);
  t.data.forEach((v, i) => {
    dataMin[i % cols] = Math.min(dataMin[i % cols] as number, v);
    dataMax[i % cols] = Math.max(dataMax[i % cols] as number, v);
  });
  const factor = dataMin.map((lo, j) => {
    const range = (dataMax[j] as number) - lo;
    return (max - min) / (range > 0 ? range : 1);
  });
  const offset = dataMin.map((lo, j) => min - lo * (factor[j] as number));
  return { dataMin, dataMax, min, max, transform: affine(factor, offset) };
}
