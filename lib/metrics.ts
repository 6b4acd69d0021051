/**
 * Metrics computed on a batch's outputs. 'accuracy' picks its variant from the loss and the
 * output width as Keras does: sparse labels -> sparse categorical; one output -> binary
 * (threshold 0.5); otherwise categorical (argmax against argmax).
 */
import type { Loss } from './losses';
import { oneOf } from './validate';

export const metricNames = ['accuracy', 'acc'] as const;
export type MetricName = (typeof metricNames)[number];

export interface Metric {
  /** The key in logs and History: the name the user gave. */
  readonly name: string;
  /** The metric's mean over a batch: pred (n,c), labels (n,c) or (n,1) indices. */
  compute(pred: Float32Array, labels: Float32Array, n: number, c: number): number;
}

function argmax(row: Float32Array, offset: number, length: number): number {
  let best = 0;
  for (let j = 1; j < length; j++) if ((row[offset + j] as number) > (row[offset + best] as number)) best = j;
  return best;
}

const binaryAccuracy = (pred: Float32Array, labels: Float32Array, n: number, c: number): number => {
  let hits = 0;
  for (let i = 0; i < n * c; i++) if ((pred[i] as number) > 0.5 === (labels[i] as number) > 0.5) hits++;
  return hits / (n * c);
};

const categoricalAccuracy = (pred: Float32Array, labels: Float32Array, n: number, c: number): number => {
  let hits = 0;
  for (let r = 0; r < n; r++) if (argmax(pred, r * c, c) === argmax(labels, r * c, c)) hits++;
  return hits / n;
};

const sparseAccuracy = (pred: Float32Array, labels: Float32Array, n: number, c: number): number => {
  let hits = 0;
  for (let r = 0; r < n; r++) if (argmax(pred, r * c, c) === labels[r]) hits++;
  return hits / n;
};

export function getMetric(value: unknown, argument: string, loss: Loss, outputUnits: number): Metric {
  const name = oneOf(value, argument, metricNames);
  if (loss.sparse) return { name, compute: sparseAccuracy };
  if (outputUnits === 1) return { name, compute: binaryAccuracy };
  return { name, compute: categoricalAccuracy };
}
