/**
 * Accuracy metrics, as keras.metrics: the share of samples (or, for binaryAccuracy, of outputs)
 * predicted right. Ties in an argmax go to the first largest output; top-k counts a tie at the
 * k-th place as a hit (tf.math.in_top_k).
 */
import { finiteNumber, positiveInteger } from '../validate';
import { argmax, MeanMetric, type Metric } from './metric';
import { metricOptions, type MetricOptions } from './options';

export interface BinaryAccuracyConfig extends MetricOptions {
  /** An output above it predicts 1 (default 0.5). */
  threshold?: number;
}

export interface TopKConfig extends MetricOptions {
  /** How many of the largest outputs may hold the true class (default 5). */
  k?: number;
}

/** Share of outputs where (pred > threshold) equals the 0/1 label, as keras.metrics.binary_accuracy. */
export function binaryAccuracy(config: BinaryAccuracyConfig = {}): Metric {
  const { options, name } = metricOptions(config, 'binaryAccuracy', ['threshold']);
  const threshold = finiteNumber(options['threshold'] ?? 0.5, 'threshold');
  return new MeanMetric(name, 'targets', 'up', (pred, labels, n, c) => {
    let hits = 0;
    for (let i = 0; i < n * c; i++) if (((pred[i] as number) > threshold ? 1 : 0) === labels[i]) hits++;
    return hits / c;
  });
}

/** Share of samples whose largest output is at the label's largest (one-hot) entry. */
export function categoricalAccuracy(config: MetricOptions = {}): Metric {
  const { name } = metricOptions(config, 'categoricalAccuracy', []);
  return new MeanMetric(name, 'targets', 'up', (pred, labels, n, c) => {
    let hits = 0;
    for (let r = 0; r < n; r++) if (argmax(pred, r, c) === argmax(labels, r, c)) hits++;
    return hits;
  });
}

/** Share of samples whose largest output is at the label's class index. */
export function sparseCategoricalAccuracy(config: MetricOptions = {}): Metric {
  const { name } = metricOptions(config, 'sparseCategoricalAccuracy', []);
  return new MeanMetric(name, 'indices', 'up', (pred, labels, n, c) => {
    let hits = 0;
    for (let r = 0; r < n; r++) if (argmax(pred, r, c) === labels[r]) hits++;
    return hits;
  });
}

/** Whether fewer than k outputs of row r beat the output of class `target` (a NaN never hits). */
function inTopK(pred: Float32Array, r: number, c: number, target: number, k: number): boolean {
  const offset = r * c;
  const value = pred[offset + target] as number;
  if (Number.isNaN(value)) return false;
  let above = 0;
  for (let j = 0; j < c; j++) if ((pred[offset + j] as number) > value) above++;
  return above < k;
}

function topK(config: TopKConfig, factory: string): { name: string; k: number } {
  const { options, name } = metricOptions(config, factory, ['k']);
  return { name, k: positiveInteger(options['k'] ?? 5, 'k') };
}

/** Share of samples whose one-hot label's class is among the k largest outputs. */
export function topKCategoricalAccuracy(config: TopKConfig = {}): Metric {
  const { name, k } = topK(config, 'topKCategoricalAccuracy');
  return new MeanMetric(name, 'targets', 'up', (pred, labels, n, c) => {
    let hits = 0;
    for (let r = 0; r < n; r++) if (inTopK(pred, r, c, argmax(labels, r, c), k)) hits++;
    return hits;
  });
}

/** Share of samples whose class index is among the k largest outputs. */
export function sparseTopKCategoricalAccuracy(config: TopKConfig = {}): Metric {
  const { name, k } = topK(config, 'sparseTopKCategoricalAccuracy');
  return new MeanMetric(name, 'indices', 'up', (pred, labels, n, c) => {
    let hits = 0;
    for (let r = 0; r < n; r++) if (inTopK(pred, r, c, labels[r] as number, k)) hits++;
    return hits;
  });
}
