/**
 * A trip: many steps of n rows (fit's training steps, or an evaluation's batches) in one run off
 * the main thread, so that small steps are not one crossing to a libuv thread and back each. The
 * main thread first gathers the steps' rows, in the epoch's order, into the trip's own staging
 * buffers (inputs, labels, weights); each step of the plan copies its batch from there, runs the
 * batch's work, and copies its predictions out for the metrics. The caller's arrays are read on
 * the main thread only, between runs: one transferred meanwhile is found and refused by name
 * before any native code reads it, and no copy of the whole data set is needed.
 */
import { native } from '../backend';
import { ArgumentTypeError } from '../errors';
import type { Optimizer, StepNumbers } from '../optimizers/optimizer';
import type { Batch, BatchModel } from './batch-work';
import { PlanCalls, type PlanInputName } from './kernels';
import { Plan, type PlanRun } from './plan';
import { addBatch, stepResult, UPDATE_INPUTS, writeUpdateInputs, type StepResult, type ValueIndices } from './step-plans';
import type { Workspace } from './workspace';

/** The data a trip gathers its rows from, and the names to give in an error about them. */
export interface TripSource {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly weights: Float32Array | null;
  readonly features: number;
  readonly labelCols: number;
  /** Weights per sample: one, or one per output. */
  readonly weightCols: number;
  /** How the caller named x and y ('x', 'validationData[0]', ...). */
  readonly names: { readonly x: string; readonly y: string; readonly weights: string };
  /** The call the data was given to, for the error when it is detached ('fit()'). */
  readonly call: string;
}

/** A step's result with the labels it trained on, for the metrics. */
export interface TripStep extends StepResult {
  readonly labels: Float32Array;
}

export interface TripResult {
  readonly run: PlanRun;
  readonly steps: readonly TripStep[];
}

/**
 * Gathers the rows `rows` of data's arrays into dst's, on the main thread. Refuses an array that
 * was detached (transferred to another thread) since fit checked it, by its name.
 */
function gatherRows(data: TripSource, order: Uint32Array, rows: Uint32Array, dst: { readonly x: Float32Array; readonly labels: Float32Array; readonly weights: Float32Array | null }): void {
  const gather = (into: Float32Array, src: Float32Array, cols: number, name: string): void => {
    if (src.length !== order.length * cols) {
      throw new ArgumentTypeError({ argument: name, expected: `a Float32Array that stays attached until ${data.call} settles`, received: `a detached Float32Array (length ${src.length})` });
    }
    native.gatherRows(into.subarray(0, rows.length * cols), src, rows, cols);
  };
  gather(dst.x, data.x, data.features, data.names.x);
  gather(dst.labels, data.y, data.labelCols, data.names.y);
  if (dst.weights !== null && data.weights !== null) gather(dst.weights, data.weights, data.weightCols, data.names.weights);
}

/**
 * Gathers n rows of data, order[firstRow ...], into a workspace now: the batch of a step run on the
 * main thread (a model with JavaScript in its step). Returns the batch's inputs.
 */
export function stageNow(data: TripSource, order: Uint32Array, firstRow: number, n: number, ws: Workspace): Float32Array {
  const input = ws.outputs[0] as Float32Array;
  gatherRows(data, order, order.subarray(firstRow, firstRow + n), { x: input, labels: ws.labels, weights: data.weights === null ? null : ws.weights });
  return input;
}

const TRAIN_INPUTS: readonly PlanInputName[] = ['offset', 'tripOffset', ...UPDATE_INPUTS];
const EVALUATE_INPUTS: readonly PlanInputName[] = ['offset', 'tripOffset'];

export class TripPlan {
  private readonly plan: Plan;
  private readonly indices: ValueIndices;
  /** The staged rows of `capacity` steps, step after step. */
  private readonly x: Float32Array;
  private readonly labels: Float32Array;
  private readonly weights: Float32Array | null;
  /** Each step's predictions, step after step. */
  private readonly predictions: Float32Array;
  private readonly outputWidth: number;
  private readonly heads: BatchModel['heads'];
  /** The steps the staging holds: [first, first + count) of pass `pass` (an epoch's order); null before a fill. */
  private held: { readonly pass: number; readonly first: number; readonly count: number } | null = null;

  constructor(
    model: BatchModel,
    ws: Workspace,
    private readonly source: Pick<TripSource, 'features' | 'labelCols' | 'weightCols'> & { readonly weighted: boolean },
    readonly n: number,
    readonly train: boolean,
    readonly capacity: number,
  ) {
    const inputs = train ? TRAIN_INPUTS : EVALUATE_INPUTS;
    const calls = new PlanCalls(inputs);
    const k = calls.k;
    const { features, labelCols, weightCols, weighted } = source;
    this.heads = model.heads;
    this.x = new Float32Array(capacity * n * features);
    this.labels = new Float32Array(capacity * n * labelCols);
    this.weights = weighted ? new Float32Array(capacity * n * weightCols) : null;
    const offset = calls.input('offset');
    const input = ws.outputs[0] as Float32Array;
    const checks = [k.copyRowsAt(input, this.x, features, offset), k.copyRowsAt(ws.labels, this.labels, labelCols, offset)];
    if (this.weights !== null) checks.push(k.copyRowsAt(ws.weights, this.weights, weightCols, offset));
    for (const check of checks) calls.goesOn(check);
    const batch: Batch = { input, labels: ws.labels, weights: this.weights === null ? null : ws.weights, n };
    const { indices, predictions } = addBatch(calls, model, ws, batch, train ? 'train' : 'evaluate', checks);
    this.outputWidth = predictions.length / n;
    this.predictions = new Float32Array(capacity * predictions.length);
    k.copyInto(this.predictions, predictions, calls.input('tripOffset'));
    this.indices = indices;
    this.plan = new Plan(calls, inputs);
  }

  /** Forgets what the staging holds: a new call stages its own data. */
  forget(): void {
    this.held = null;
  }

  /** Whether the staging holds step `step` of pass `pass`. */
  holds(pass: number, step: number): boolean {
    return this.held !== null && this.held.pass === pass && step >= this.held.first && step < this.held.first + this.held.count;
  }

  /** The step after the last one staged, or -1 when nothing of pass `pass` is. */
  stagedEnd(pass: number): number {
    return this.held === null || this.held.pass !== pass ? -1 : this.held.first + this.held.count;
  }

  /**
   * Gathers `count` steps from step `first`, whose rows are order[firstRow ...], into the
   * staging, on the main thread.
   */
  fill(data: TripSource, order: Uint32Array, pass: number, first: number, count: number, firstRow: number): void {
    if (count > this.capacity) throw new Error(`Internal error: ${count} steps staged in a trip of ${this.capacity}`);
    this.held = null;
    gatherRows(data, order, order.subarray(firstRow, firstRow + count * this.n), { x: this.x, labels: this.labels, weights: this.weights });
    this.held = { pass, first, count };
  }

  /**
   * Runs `steps` staged steps from step `first` of pass `pass` off the main thread, with the
   * optimizer's numbers for each (training), counting on `chain.updatesAhead` updates queued
   * before it and not yet counted in the optimizer; the caller counts this run's. With
   * `chain.after` (the trip queued just before), it runs only if that one completed. An abort
   * stops it after the step in progress; budgetMs pauses it after the step that passes it.
   */
  async runAsync(pass: number, first: number, steps: number, optimizer: Optimizer | null, chain: { readonly updatesAhead: number; readonly after: TripPlan | null }, options: { signal?: AbortSignal | undefined; budgetMs: number; call: string }): Promise<TripResult> {
    const { inputs, values } = this.prepare(pass, first, steps, optimizer, chain.updatesAhead);
    const run = await this.plan.runAsync(steps, inputs, values, { call: options.call, signal: options.signal, interruptible: false, budgetMs: options.budgetMs, ...(chain.after !== null ? { after: chain.after.plan } : {}) });
    return this.results(run, values, first);
  }

  /** Stops the run of this plan after its step in progress, or before its first when it waits. */
  stop(): void {
    this.plan.stopAfterStep();
  }

  /** A run's inputs (each step's place in the staging, and its update numbers) and values. */
  private prepare(pass: number, first: number, steps: number, optimizer: Optimizer | null, updatesAhead: number): { inputs: Float64Array; values: Float64Array } {
    if (!this.holds(pass, first) || !this.holds(pass, first + steps - 1)) throw new Error(`Internal error: steps ${first}-${first + steps - 1} are not staged`);
    const start = this.stagedIndex(first);
    const width = this.plan.inputNames.length;
    const inputs = new Float64Array(steps * width);
    const numbers = this.train && optimizer !== null ? optimizer.stepNumbers(steps, updatesAhead) : [];
    for (let s = 0; s < steps; s++) {
      const row = inputs.subarray(s * width, (s + 1) * width);
      row[0] = (start + s) * this.n;
      row[1] = (start + s) * this.n * this.outputWidth;
      if (numbers.length > 0) writeUpdateInputs(row, 2, numbers[s] as StepNumbers);
    }
    return { inputs, values: new Float64Array(steps * this.plan.valueCount) };
  }

  /** Each step's result, read from the run's values. */
  private results(run: PlanRun, values: Float64Array, first: number): TripResult {
    const start = this.stagedIndex(first);
    const results: TripStep[] = [];
    for (let s = 0; s < run.steps; s++) {
      const at = start + s;
      if (!this.indices.checks.every((v) => Number.isFinite(values[s * this.plan.valueCount + v] as number))) throw new Error(`Internal error: step ${at} of a trip copied rows out of range`);
      const result = stepResult(this.heads, values, this.plan.valueCount, s, this.indices, this.predictions.subarray(at * this.n * this.outputWidth, (at + 1) * this.n * this.outputWidth));
      results.push({ ...result, labels: this.labels.subarray(at * this.n * this.source.labelCols, (at + 1) * this.n * this.source.labelCols) });
    }
    return { run, steps: results };
  }

  /** Where step `step` is in the staging. */
  private stagedIndex(step: number): number {
    return step - (this.held?.first ?? 0);
  }
}
