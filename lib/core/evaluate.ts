/**
 * Evaluation: the loss and the metrics over a whole labelled set, in batches: the loss averaged
 * by sample (weighted as in training, when weights are given), the metrics accumulated over every
 * batch. Now (evaluate()), or off the main thread in trips of many batches (fit's validation).
 */
import type { Logs } from '../callbacks';
import type { Metric } from '../metrics';
import { labelWidth, predictionWidth, type Head } from './heads';
import { unpackColumns } from './model-data';
import { Tensor } from '../tensor';
import type { Model } from './model';
import type { StepResult } from './step-plans';
import type { TripSource } from './trip-plan';
import { identityOrder, TRIP_BUDGET_MS, Trips } from './trips';

/** fit's metrics, or their twins for evaluations. */
export type MetricKind = 'fit' | 'evaluate';

/** The metrics of `kind` of every head. */
function metricsOf(head: Head, kind: MetricKind): readonly Metric[] {
  return kind === 'fit' ? head.metrics : head.evalMetrics;
}

/** Resets every head's metrics of `kind`. */
export function resetMetrics(heads: readonly Head[], kind: MetricKind): void {
  for (const head of heads) for (const m of metricsOf(head, kind)) m.reset();
}

/** One head's predictions or labels out of a batch's packed rows, in a buffer kept per head. */
const unpacked = new WeakMap<Head, { predictions: Float32Array; labels: Float32Array }>();

function headColumns(head: Head, heads: readonly Head[], predictions: Float32Array, labels: Float32Array, n: number): { predictions: Float32Array; labels: Float32Array } {
  if (heads.length === 1) return { predictions, labels };
  const units = head.node.units;
  let buffers = unpacked.get(head);
  if (buffers === undefined || buffers.labels.length < n * head.labelCols) {
    buffers = { predictions: new Float32Array(n * units), labels: new Float32Array(n * head.labelCols) };
    unpacked.set(head, buffers);
  }
  return {
    predictions: unpackColumns(predictions, n, predictionWidth(heads), head.predictionOffset, units, buffers.predictions),
    labels: unpackColumns(labels, n, labelWidth(heads), head.labelOffset, head.labelCols, buffers.labels),
  };
}

/**
 * Adds a batch to each head's metrics; returns every metric's result so far, keyed by its name in
 * the logs (<output>_<name> for a model of several outputs).
 */
export function accumulate(heads: readonly Head[], kind: MetricKind, predictions: Float32Array, labels: Float32Array, n: number): Logs {
  const logs: Logs = {};
  for (const head of heads) {
    const metrics = metricsOf(head, kind);
    if (metrics.length === 0) continue;
    const columns = headColumns(head, heads, predictions, labels, n);
    for (const m of metrics) {
      m.update(columns.predictions, columns.labels, n, head.node.units);
      logs[head.logPrefix + m.name] = m.result();
    }
  }
  return logs;
}

/** Sums batches' losses by sample: the total, and for a model of several outputs each head's. */
export class LossSums {
  private total = 0;
  private readonly perHead: number[];
  private samples = 0;

  constructor(private readonly heads: readonly Head[]) {
    this.perHead = heads.map(() => 0);
  }

  add(result: StepResult, n: number): void {
    this.total += result.loss * n;
    if (this.heads.length > 1) result.losses.forEach((loss, i) => (this.perHead[i] = (this.perHead[i] as number) + loss * n));
    this.samples += n;
  }

  get logs(): Logs {
    const logs: Logs = { loss: this.total / this.samples };
    if (this.heads.length > 1) this.heads.forEach((head, i) => (logs[`${head.logPrefix}loss`] = (this.perHead[i] as number) / this.samples));
    return logs;
  }
}

/** Sums a set's batches into its logs. */
class Tally {
  private readonly losses: LossSums;
  private results: Logs = {};

  constructor(private readonly heads: readonly Head[]) {
    this.losses = new LossSums(heads);
    resetMetrics(heads, 'evaluate');
  }

  add(result: StepResult, labels: Float32Array, n: number): void {
    this.losses.add(result, n);
    this.results = accumulate(this.heads, 'evaluate', result.predictions, labels, n);
  }

  get logs(): Logs {
    return { ...this.losses.logs, ...this.results };
  }
}

/** The evaluation of (x, y) now, on the main thread, reading the arrays in place. */
export function evaluateNow(model: Model, x: Tensor, y: Tensor, batchSize: number, weights: Float32Array | null, weightCols = 1): Logs {
  const samples = x.shape[0] as number;
  const k = x.shape[1] as number;
  const labelCols = y.shape[1] as number;
  const tally = new Tally(model.heads());
  for (let start = 0; start < samples; start += batchSize) {
    const n = Math.min(batchSize, samples - start);
    const labels = y.data.subarray(start * labelCols, (start + n) * labelCols);
    const batch = { input: x.data.subarray(start * k, (start + n) * k), labels, weights: weights?.subarray(start * weightCols, (start + n) * weightCols) ?? null, n };
    tally.add(model.runBatchNow(batch, false, weightCols), labels, n);
  }
  return tally.logs;
}

/**
 * The evaluation of (x, y) off the main thread, in trips of batches (trips.ts), reading the arrays
 * between trips: one transferred meanwhile is refused by name. A model with a loss, regularizer or
 * constraint in JavaScript evaluates on the main thread, giving the event loop a turn after.
 */
export async function evaluateOffThread(model: Model, data: TripSource, batchSize: number, signal?: AbortSignal): Promise<Logs> {
  const samples = data.x.length / data.features;
  if (!model.plannable) {
    const x = new Tensor(data.x, [samples, data.features]);
    const logs = evaluateNow(model, x, new Tensor(data.y, [samples, data.labelCols]), batchSize, data.weights, data.weightCols);
    await new Promise((resolve) => setImmediate(resolve));
    return logs;
  }
  const tally = new Tally(model.heads());
  const order = identityOrder(new Uint32Array(samples));
  const trips = new Trips(model, data, batchSize, false);
  const steps = Math.ceil(samples / batchSize);
  try {
    for (let step = 0; step < steps; ) {
      const { run, steps: results } = await trips.run(0, order, step, steps - step, null, { signal, budgetMs: TRIP_BUDGET_MS, call: data.call });
      for (const result of results) tally.add(result, result.labels, result.labels.length / data.labelCols);
      step += run.steps;
      if (run.outcome === 'cancelled') break;
    }
  } finally {
    await trips.drain(); // the trip queued behind a cancelled one, unrun
  }
  return tally.logs;
}
