/** Holding out a test set, shuffled by the one seedable generator. */
import { native } from '../backend';
import { ShapeError } from '../errors';
import { globalRandom } from '../random';
import { Tensor, toLabels, toMatrix, type LabelsLike, type TensorLike } from '../tensor';
import { numberIn } from '../validate';

export interface TrainTestSplit {
  readonly xTrain: Tensor;
  readonly yTrain: Tensor;
  readonly xTest: Tensor;
  readonly yTest: Tensor;
}

function pick(t: Tensor, order: Uint32Array, start: number, end: number): Tensor {
  const cols = t.shape[1] as number;
  const out = new Float32Array((end - start) * cols);
  native.gatherRows(out, t.data, order.subarray(start, end), cols);
  return new Tensor(out, [end - start, cols]);
}

/** Shuffles samples and holds out `testFraction` of them (at least one on each side). */
export function trainTestSplit(x: TensorLike, y: LabelsLike, testFraction: number): TrainTestSplit {
  const xs = toMatrix(x, 'x');
  const ys = toLabels(y, 'y');
  const samples = xs.shape[0] as number;
  if (ys.shape[0] !== samples) {
    throw new ShapeError({ argument: 'y', expected: `${samples} samples, as many as x has`, received: `${ys.shape[0]}` });
  }
  numberIn(testFraction, 'testFraction', { min: 0, max: 1, minInclusive: false, maxInclusive: false });
  const held = Math.round(samples * testFraction);
  if (held < 1 || held >= samples) {
    throw new ShapeError({ argument: 'testFraction', expected: `a fraction that leaves samples on both sides of ${samples}`, received: `${testFraction}` });
  }
  const order = Uint32Array.from({ length: samples }, (_, i) => i);
  globalRandom.shuffle(order);
  const cut = samples - held;
  return { xTrain: pick(xs, order, 0, cut), yTrain: pick(ys, order, 0, cut), xTest: pick(xs, order, cut, samples), yTest: pick(ys, order, cut, samples) };
}
