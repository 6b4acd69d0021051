/**
 * What train makes of the labels when not told: class indices or class names -> a softmax output
 * of one unit per class and sparse categorical cross-entropy; anything else -> linear outputs,
 * one per target column, and mean squared error. --loss picks the output to match it.
 */
import type { ActivationName } from '../activations';
import { oneHot } from '../data/encode';
import { getLoss, type LossName } from '../losses';
import type { MetricName } from '../metrics';
import type { Tensor } from '../tensor';
import { UsageError } from './errors';
import type { LabelledData } from './data';

/** Integer labels 0..k-1 with k up to this many read as classes. */
const MAX_CLASSES = 1024;

export interface Head {
  readonly task: 'classification' | 'regression';
  readonly units: number;
  readonly activation: ActivationName;
  readonly loss: LossName;
  readonly metrics: MetricName[];
  /** The labels in the form the loss takes (one-hot rows for categoricalCrossentropy). */
  readonly y: Tensor;
  /** Why this head, for stderr. */
  readonly reason: string;
}

/** The number of classes when y is one column of integers 0..k-1 (k <= MAX_CLASSES), else null. */
function classCount(data: LabelledData): number | null {
  if (data.classes !== undefined) return data.classes.length;
  if (data.y.shape[1] !== 1) return null;
  let max = 0;
  for (const v of data.y.data) {
    if (!Number.isInteger(v) || v < 0 || v >= MAX_CLASSES) return null;
    max = Math.max(max, v);
  }
  return max + 1;
}

/** Losses on class labels: softmax over classes, or binaryCrossentropy's single sigmoid. */
const classLosses = new Set<string>(['sparseCategoricalCrossentropy', 'categoricalCrossentropy', 'kullbackLeiblerDivergence', 'binaryCrossentropy']);

export function chooseHead(data: LabelledData, lossOption: string | undefined): Head {
  const classes = classCount(data);
  const targets = data.y.shape[1] as number;
  const loss: LossName | undefined = lossOption === undefined ? undefined : (getLoss(lossOption, '--loss').name as LossName);
  const what = data.classes !== undefined ? `labels are ${classes} class names` : classes !== null ? `labels are integers 0..${classes - 1}` : `labels are numbers (${targets} per sample)`;
  if (loss === undefined || classLosses.has(loss)) {
    if (classes === null) {
      if (loss !== undefined) throw new UsageError(`--loss ${lossOption} needs class labels (integers 0..k-1 or class names), but the ${what}`);
      return { task: 'regression', units: targets, activation: 'linear', loss: 'meanSquaredError', metrics: ['mae'], y: data.y, reason: `${what}: linear output, meanSquaredError` };
    }
    if (classes < 2) throw new UsageError(`the labels hold a single class (${data.classes?.[0] ?? 0}): nothing to learn`);
    if (loss === 'binaryCrossentropy') {
      if (classes !== 2) throw new UsageError(`--loss binaryCrossentropy needs two classes, but the ${what}`);
      return { task: 'classification', units: 1, activation: 'sigmoid', loss, metrics: ['accuracy'], y: data.y, reason: `${what}: one sigmoid output` };
    }
    const chosen = loss ?? 'sparseCategoricalCrossentropy';
    const y = chosen === 'sparseCategoricalCrossentropy' ? data.y : oneHot(data.y, classes);
    return { task: 'classification', units: classes, activation: 'softmax', loss: chosen, metrics: ['accuracy'], y, reason: `${what}: softmax output of ${classes} units, ${chosen}` };
  }
  return { task: 'regression', units: targets, activation: 'linear', loss, metrics: ['mae'], y: data.y, reason: `${what}: linear output of ${targets} unit${targets > 1 ? 's' : ''}, ${loss}` };
}
