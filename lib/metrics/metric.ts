/**
 * What every metric is: stateful, as Keras's. update() adds a batch, result() gives the value
 * over everything added since reset(), so a value over many batches equals the value over one
 * batch holding them all. Metrics are unweighted (sampleWeight and classWeight weigh the loss).
 *
 * Shapes: pred is (n,c), the model's outputs (probabilities when the loss fuses the activation);
 * labels are (n,c) targets, or (n,1) class indices for a metric whose `labels` is 'indices'.
 */

export abstract class Metric {
  /** The key in logs and History. */
  readonly name: string;
  /** 'targets': labels shaped like the outputs; 'indices': one class index per sample. */
  abstract readonly labels: 'targets' | 'indices';
  /** 'up' when larger is better (accuracy, auc); callbacks in mode 'auto' read it from the name. */
  abstract readonly direction: 'up' | 'down';

  constructor(name: string) {
    this.name = name;
  }

  abstract reset(): void;
  abstract update(pred: Float32Array, labels: Float32Array, n: number, c: number): void;
  abstract result(): number;
  /** A metric of the same kind, configuration and name, with no state: each model gets its own. */
  abstract clone(): Metric;
}

/** Adds up one batch's per-sample values (each sample's mean over its columns). */
export type SampleSum = (pred: Float32Array, labels: Float32Array, n: number, c: number) => number;

/** The mean of a per-sample value over all samples seen (Keras's MeanMetricWrapper). */
export class MeanMetric extends Metric {
  private total = 0;
  private count = 0;

  constructor(
    name: string,
    readonly labels: 'targets' | 'indices',
    readonly direction: 'up' | 'down',
    private readonly sum: SampleSum,
  ) {
    super(name);
  }

  reset(): void {
    this.total = 0;
    this.count = 0;
  }

  update(pred: Float32Array, labels: Float32Array, n: number, c: number): void {
    this.total += this.sum(pred, labels, n, c);
    this.count += n;
  }

  /** 0 before any sample, as Keras's Mean (a division with no NaN). */
  result(): number {
    return this.count === 0 ? 0 : this.total / this.count;
  }

  clone(): MeanMetric {
    return new MeanMetric(this.name, this.labels, this.direction, this.sum);
  }
}

/** Index of the first largest value of row r of a (n,c) matrix. */
export function argmax(values: Float32Array, r: number, c: number): number {
  const offset = r * c;
  let best = 0;
  for (let j = 1; j < c; j++) if ((values[offset + j] as number) > (values[offset + best] as number)) best = j;
  return best;
}
