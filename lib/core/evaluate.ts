/**
 * Evaluation: the loss and the metrics over a whole labelled set, in batches: the loss averaged
 * by sample (weighted as in training, when weights are given), the metrics accumulated over every
 * batch. Now (evaluate()), or off the main thread in trips of many batches (fit's validation).
 */
import type { Logs } from '../callbacks';
import type { Metric } from '../metrics';
import type { Tensor } from '../tensor';
import type { Model } from './model';
import type { StepResult } from './step-plans';
import { TripPlan, type TripData } from './step-plans';

/** Adds a batch to each metric; returns every metric's result so far, keyed by name. */
export function accumulate(metrics: readonly Metric[], predictions: Float32Array, labels: Float32Array, n: number, c: number): Logs {
  const logs: Logs = {};
  for (const m of metrics) {
    m.update(predictions, labels, n, c);
    logs[m.name] = m.result();
  }
  return logs;
}

/** Sums a set's batches into its logs. */
class Tally {
  private lossSum = 0;
  private results: Logs = {};

  constructor(
    private readonly metrics: readonly Metric[],
    private readonly samples: number,
    private readonly outputs: number,
  ) {
    for (const m of metrics) m.reset();
  }

  add(result: StepResult, labels: Float32Array, n: number): void {
    this.lossSum += result.loss * n;
    this.results = accumulate(this.metrics, result.predictions, labels, n, this.outputs);
  }

  get logs(): Logs {
    return { loss: this.lossSum / this.samples, ...this.results };
  }
}

/** The evaluation of (x, y) now, on the main thread, reading the arrays in place. */
export function evaluateNow(model: Model, x: Tensor, y: Tensor, batchSize: number, weights: Float32Array | null): Logs {
  const samples = x.shape[0] as number;
  const k = x.shape[1] as number;
  const labelCols = y.shape[1] as number;
  const tally = new Tally(model.metricsOf('evaluate'), samples, model.outputUnits);
  for (let start = 0; start < samples; start += batchSize) {
    const n = Math.min(batchSize, samples - start);
    const labels = y.data.subarray(start * labelCols, (start + n) * labelCols);
    const batch = { input: x.data.subarray(start * k, (start + n) * k), labels, weights: weights?.subarray(start, start + n) ?? null, n };
    tally.add(model.runBatchNow(batch, false), labels, n);
  }
  return tally.logs;
}

/** How long a trip of evaluation batches or training steps runs before the event loop gets a turn. */
export const TRIP_BUDGET_MS = 3;
/** The most steps one trip holds (the size of its buffers of predictions). */
export const TRIP_CAPACITY = 256;

/**
 * The evaluation of (x, y) off the main thread, in trips of batches: the arrays must be ones
 * nobody else holds (fit's copies). A model with a loss, regularizer or constraint in JavaScript
 * evaluates on the main thread, giving the event loop a turn between batches.
 */
export async function evaluateOffThread(model: Model, x: Tensor, y: Tensor, batchSize: number, weights: Float32Array | null, signal?: AbortSignal): Promise<Logs> {
  const samples = x.shape[0] as number;
  if (!model.plannable) {
    const logs = evaluateNow(model, x, y, batchSize, weights);
    await new Promise((resolve) => setImmediate(resolve));
    return logs;
  }
  const labelCols = y.shape[1] as number;
  const data: TripData = { x: x.data, y: y.data, weights, order: Uint32Array.from({ length: samples }, (_, i) => i), features: x.shape[1] as number, labelCols };
  const tally = new Tally(model.metricsOf('evaluate'), samples, model.outputUnits);
  const plans = new Map<number, TripPlan>();
  const full = Math.floor(samples / batchSize);
  const tripOf = (n: number, steps: number): TripPlan => {
    let trip = plans.get(n);
    if (trip === undefined) {
      trip = new TripPlan(model.batchModel(), model.workspaceFor(n), data, n, false, Math.min(steps, TRIP_CAPACITY));
      plans.set(n, trip);
    }
    return trip;
  };
  // Whole batches in trips, then the last, smaller one.
  const runs: { n: number; first: number; count: number }[] = [];
  if (full > 0) runs.push({ n: batchSize, first: 0, count: full });
  if (samples % batchSize > 0) runs.push({ n: samples % batchSize, first: full * batchSize, count: 1 });
  for (const { n, first, count } of runs) {
    const trip = tripOf(n, count);
    for (let done = 0; done < count; ) {
      const steps = Math.min(count - done, trip.capacity);
      const firstRow = first + done * n;
      const { run, steps: results } = await trip.runAsync(firstRow, steps, null, { signal, budgetMs: TRIP_BUDGET_MS, call: 'fit()' });
      results.forEach((result, s) => {
        const start = firstRow + s * n;
        tally.add(result, y.data.subarray(start * labelCols, (start + n) * labelCols), n);
      });
      done += run.steps;
      if (run.outcome === 'cancelled') return tally.logs;
    }
  }
  return tally.logs;
}
