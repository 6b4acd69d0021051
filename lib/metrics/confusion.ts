/**
 * Metrics from confusion counts, as keras.metrics.Precision, Recall and AUC: every output is
 * one binary decision, positive when pred > threshold (strictly), and a label counts as positive
 * when it is not 0. A ratio with a zero denominator is 0 (Keras's divide_no_nan).
 */
import { ArgumentRangeError } from '../errors';
import { describe, numberIn, positiveInteger } from '../validate';
import { Metric } from './metric';
import { metricOptions, type MetricOptions } from './options';

export interface ThresholdConfig extends MetricOptions {
  /** An output above it is a positive prediction (default 0.5). Keras's name; one threshold. */
  thresholds?: number;
}

export interface AucConfig extends MetricOptions {
  /** Thresholds of the ROC curve, evenly spaced over [0, 1] (default 200). */
  numThresholds?: number;
}

function ratio(num: number, den: number): number {
  return den === 0 ? 0 : num / den;
}

type Ratio = (tp: number, fp: number, fn: number) => number;

/** True positives, false positives and false negatives at one threshold. */
class ThresholdMetric extends Metric {
  readonly labels = 'targets';
  readonly direction = 'up';
  private tp = 0;
  private fp = 0;
  private fn = 0;

  constructor(
    name: string,
    private readonly threshold: number,
    private readonly value: Ratio,
  ) {
    super(name);
  }

  reset(): void {
    this.tp = this.fp = this.fn = 0;
  }

  update(pred: Float32Array, labels: Float32Array, n: number, c: number): void {
    for (let i = 0; i < n * c; i++) {
      const positive = (pred[i] as number) > this.threshold;
      const actual = labels[i] !== 0;
      if (positive && actual) this.tp++;
      else if (positive) this.fp++;
      else if (actual) this.fn++;
    }
  }

  result(): number {
    return this.value(this.tp, this.fp, this.fn);
  }

  clone(): ThresholdMetric {
    return new ThresholdMetric(this.name, this.threshold, this.value);
  }
}

function threshold(options: Record<string, unknown>): number {
  return numberIn(options['thresholds'] ?? 0.5, 'thresholds', { min: 0, max: 1 });
}

/** TP / (TP + FP): the share of positive predictions that are right. */
export function precision(config: ThresholdConfig = {}): Metric {
  const { options, name } = metricOptions(config, 'precision', ['thresholds']);
  return new ThresholdMetric(name, threshold(options), (tp, fp) => ratio(tp, tp + fp));
}

/** TP / (TP + FN): the share of positives that are found. */
export function recall(config: ThresholdConfig = {}): Metric {
  const { options, name } = metricOptions(config, 'recall', ['thresholds']);
  return new ThresholdMetric(name, threshold(options), (tp, _fp, fn) => ratio(tp, tp + fn));
}

/**
 * Area under the ROC curve of one output column, as keras.metrics.AUC (curve 'ROC', summation
 * 'interpolation'): thresholds t_0 = -eps, t_j = j/(T-1) for 0 < j < T-1, t_{T-1} = 1 + eps;
 * each prediction lands in the bucket of the thresholds it exceeds (index ceil(p (T-1)) - 1,
 * clamped to [0, T-1], which also places outputs outside [0, 1]); TP_j and FP_j are suffix sums
 * over buckets, and the area is the trapezoid sum over (FPR_j, TPR_j).
 */
export class AUC extends Metric {
  readonly labels = 'targets';
  readonly direction = 'up';
  /** Label-weighted counts per bucket: a label y adds y to positives and 1 - y to negatives. */
  private readonly positives: Float64Array;
  private readonly negatives: Float64Array;

  constructor(
    name: string,
    readonly numThresholds: number,
  ) {
    super(name);
    this.positives = new Float64Array(numThresholds);
    this.negatives = new Float64Array(numThresholds);
  }

  reset(): void {
    this.positives.fill(0);
    this.negatives.fill(0);
  }

  update(pred: Float32Array, labels: Float32Array, n: number, c: number): void {
    const last = this.numThresholds - 1;
    for (let i = 0; i < n * c; i++) {
      const p = pred[i] as number;
      if (Number.isNaN(p)) continue;
      const bucket = Math.min(last, Math.max(0, Math.ceil(p * last) - 1));
      const y = labels[i] as number;
      this.positives[bucket] = (this.positives[bucket] as number) + y;
      this.negatives[bucket] = (this.negatives[bucket] as number) + (1 - y);
    }
  }

  result(): number {
    const t = this.numThresholds;
    let totalPositives = 0;
    let totalNegatives = 0;
    for (let j = 0; j < t; j++) {
      totalPositives += this.positives[j] as number;
      totalNegatives += this.negatives[j] as number;
    }
    // Walk the thresholds from the highest down: tp and fp are the counts above threshold j.
    let tp = 0;
    let fp = 0;
    let area = 0;
    let prevTpr = 0;
    let prevFpr = 0;
    for (let j = t - 1; j >= 0; j--) {
      tp += this.positives[j] as number;
      fp += this.negatives[j] as number;
      const tpr = ratio(tp, totalPositives);
      const fpr = ratio(fp, totalNegatives);
      if (j < t - 1) area += (fpr - prevFpr) * ((tpr + prevTpr) / 2);
      prevTpr = tpr;
      prevFpr = fpr;
    }
    return area;
  }

  clone(): AUC {
    return new AUC(this.name, this.numThresholds);
  }
}

export function auc(config: AucConfig = {}): Metric {
  const { options, name } = metricOptions(config, 'auc', ['numThresholds']);
  const numThresholds = positiveInteger(options['numThresholds'] ?? 200, 'numThresholds');
  if (numThresholds < 2) throw new ArgumentRangeError({ argument: 'numThresholds', expected: 'an integer >= 2 (the curve needs two ends)', received: describe(numThresholds) });
  return new AUC(name, numThresholds);
}
