/**
 * Evaluation: the loss and the metrics over a whole labelled set, in batches: the loss averaged
 * by sample (weighted as in training, when weights are given), the metrics accumulated over every
 * batch. Now (evaluate()), or off the main thread in trips of many batches (fit's validation).
 */
import type { Logs } from '../callbacks';
import type { Metric } from '../metrics';
import { Tensor } from '../tensor';
import type { Model } from './model';
import type { StepResult } from './step-plans';
import type { TripSource } from './trip-plan';
import { identityOrder, TRIP_BUDGET_MS, Trips } from './trips';

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

/**
 * The evaluation of (x, y) off the main thread, in trips of batches (trips.ts), reading the arrays
 * between trips: one transferred meanwhile is refused by name. A model with a loss, regularizer or
 * constraint in JavaScript evaluates on the main thread, giving the event loop a turn after.
 */
export async function evaluateOffThread(model: Model, data: TripSource, batchSize: number, signal?: AbortSignal): Promise<Logs> {
  const samples = data.x.length / data.features;
  if (!model.plannable) {
    const x = new Tensor(data.x, [samples, data.features]);
    const logs = evaluateNow(model, x, new Tensor(data.y, [samples, data.labelCols]), batchSize, data.weights);
    await new Promise((resolve) => setImmediate(resolve));
    return logs;
  }
  const tally = new Tally(model.metricsOf('evaluate'), samples, model.outputUnits);
  const order = identityOrder(new Uint32Array(samples));
  const trips = new Trips(model, data, batchSize, false);
  const steps = Math.ceil(samples / batchSize);
  for (let step = 0; step < steps; ) {
    const { run, steps: results } = await trips.run(0, order, step, steps - step, null, { signal, budgetMs: TRIP_BUDGET_MS, call: data.call });
    for (const result of results) tally.add(result, result.labels, result.labels.length / data.labelCols);
    step += run.steps;
    if (run.outcome === 'cancelled') break;
  }
  return tally.logs;
}
