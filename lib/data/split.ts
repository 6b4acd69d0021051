/**
 * Holding out a test set (scikit-learn's train_test_split): shuffled by the one seedable
 * generator, optionally stratified so that each class keeps its share on both sides.
 */
import { ShapeError } from '../errors';
import { globalRandom } from '../random';
import { toLabels, toMatrix, type LabelsLike, type Tensor, type TensorLike } from '../tensor';
import { boolean, knownOptions, numberIn, plainObject } from '../validate';
import { groupByClass, takeRows } from './rows';

export interface TrainTestSplitArgs {
  /** Fraction of the samples held out for testing, in (0, 1) (default 0.25). */
  testSize?: number;
  /** Shuffle before splitting (default true); without it the last samples are the test set. */
  shuffle?: boolean;
  /** Keep each class's share of samples in both parts (default false). Classes are y's values, or the argmax of one-hot rows. */
  stratify?: boolean;
}

export interface TrainTestSplit {
  readonly xTrain: Tensor;
  readonly yTrain: Tensor;
  readonly xTest: Tensor;
  readonly yTest: Tensor;
}

/** x and y as matrices with as many rows; `y` is labels (one column) or targets. */
export function samplesAndLabels(x: TensorLike, y: LabelsLike): { xs: Tensor; ys: Tensor; samples: number } {
  const xs = toMatrix(x, 'x');
  const ys = toLabels(y, 'y');
  const samples = xs.shape[0] as number;
  if (ys.shape[0] !== samples) {
    throw new ShapeError({ argument: 'y', expected: `${samples} samples, as many as x has`, received: `${ys.shape[0]}` });
  }
  return { xs, ys, samples };
}

/** The samples order shuffled by the global generator, or 0..n-1. */
export function sampleOrder(samples: number, shuffle: boolean): Uint32Array {
  const order = Uint32Array.from({ length: samples }, (_, i) => i);
  if (shuffle) globalRandom.shuffle(order);
  return order;
}

/**
 * How many of each group to hold out so the total is `held`: each group's exact share, rounded
 * down, then the samples left over go to the groups with the largest remainders (Hamilton's method).
 */
function heldPerGroup(groups: readonly Uint32Array[], samples: number, held: number): number[] {
  const shares = groups.map((g) => (g.length * held) / samples);
  const counts = shares.map(Math.floor);
  const remainder = (i: number): number => (shares[i] as number) - (counts[i] as number);
  const leftover = held - counts.reduce((a, b) => a + b, 0);
  const byRemainder = groups.map((_, i) => i).sort((a, b) => remainder(b) - remainder(a) || a - b);
  byRemainder.slice(0, leftover).forEach((i) => (counts[i] = (counts[i] as number) + 1));
  return counts;
}

const fraction = { min: 0, max: 1, minInclusive: false, maxInclusive: false } as const;

function splitArgs(args: unknown): Required<TrainTestSplitArgs> {
  // A bare number is the test fraction, as the first versions of this function took it.
  if (typeof args === 'number') return { testSize: numberIn(args, 'testSize', fraction), shuffle: true, stratify: false };
  const o = args === undefined ? {} : plainObject(args, 'args');
  knownOptions(o, 'args', ['testSize', 'shuffle', 'stratify']);
  return {
    testSize: numberIn(o['testSize'] ?? 0.25, 'testSize', fraction),
    shuffle: boolean(o['shuffle'] ?? true, 'shuffle'),
    stratify: boolean(o['stratify'] ?? false, 'stratify'),
  };
}

/**
 * Splits (x, y) into a training and a test part holding out round(samples * testSize) samples,
 * at least one on each side. `args` may also be the test fraction alone.
 */
export function trainTestSplit(x: TensorLike, y: LabelsLike, args?: TrainTestSplitArgs | number): TrainTestSplit {
  const { xs, ys, samples } = samplesAndLabels(x, y);
  const { testSize, shuffle, stratify } = splitArgs(args);
  const held = Math.round(samples * testSize);
  if (held < 1 || held >= samples) {
    throw new ShapeError({ argument: 'testSize', expected: `a fraction that leaves samples on both sides of ${samples}`, received: `${testSize}` });
  }
  const order = sampleOrder(samples, shuffle);
  const inTest = new Uint8Array(samples);
  if (stratify) {
    const groups = groupByClass(order, ys);
    const counts = heldPerGroup(groups, samples, held);
    groups.forEach((g, i) => g.subarray(g.length - (counts[i] as number)).forEach((r) => (inTest[r] = 1)));
  } else {
    order.subarray(samples - held).forEach((r) => (inTest[r] = 1));
  }
  const train = order.filter((r) => inTest[r] === 0);
  const test = order.filter((r) => inTest[r] === 1);
  return { xTrain: takeRows(xs, train), yTrain: takeRows(ys, train), xTest: takeRows(xs, test), yTest: takeRows(ys, test) };
}
