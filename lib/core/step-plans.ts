/**
 * The plans of a model's steps, made once and run many times: trainOnBatch's step for each batch
 * size, and for fit, trips: many steps in one run off the main thread, each gathering its batch
 * from the data by the epoch's order (shuffled or not), training on it, and copying its
 * predictions out for the metrics, so that a fit of small steps is not one trip to a libuv thread
 * and back per step. A trip pauses after a few milliseconds of steps so the event loop turns.
 */
import { BoundedCache } from '../bounded-cache';
import { TrainingError } from '../errors';
import type { Optimizer, StepNumbers } from '../optimizers/optimizer';
import { batchWork, type Batch, type BatchMode, type BatchModel } from './batch-work';
import { PlanCalls, type PlanInputName, type PlanValue } from './kernels';
import { Plan, type PlanRun } from './plan';
import { Workspace } from './workspace';

/** A batch's outcome: its loss (with the penalties; NaN when the update was refused), its predictions, and whether the update was refused. */
export interface StepResult {
  readonly loss: number;
  readonly predictions: Float32Array;
  /** The optimizer refused the update, which would have left a weight or a slot NaN or infinite. */
  readonly updateRefused: boolean;
}

/** What a model lends its step plans. */
export interface StepPlanModel {
  batchModel(): BatchModel;
  readonly outputUnits: number;
}

/** Where a plan's values are, by what they are. */
interface ValueIndices {
  /** The gathers' values: NaN only for an index out of range, which is a bug. */
  readonly checks: readonly PlanValue[];
  readonly loss: PlanValue;
  readonly penalties: readonly PlanValue[];
  readonly outcome: PlanValue | null;
}

/** Adds a batch's work to a plan and says where its values are. */
function addBatch(calls: PlanCalls, model: BatchModel, ws: Workspace, batch: Batch, mode: BatchMode, checks: PlanValue[]): { indices: ValueIndices; predictions: Float32Array } {
  const values = batchWork(model, calls, ws, batch, mode);
  return { indices: { checks, loss: values.loss, penalties: values.penalties, outcome: values.outcome }, predictions: values.predictions };
}

/** Step s's result from a run's values: the loss with its penalties, or NaN with why. */
function stepResult(values: Float64Array, valueCount: number, s: number, indices: ValueIndices, predictions: Float32Array): StepResult {
  const at = (v: PlanValue): number => values[s * valueCount + v] as number;
  const loss = at(indices.loss);
  const updateRefused = indices.outcome !== null && Number.isFinite(loss) && !Number.isFinite(at(indices.outcome));
  if (!Number.isFinite(loss) || updateRefused) return { loss: updateRefused ? NaN : loss, predictions, updateRefused };
  return { loss: indices.penalties.reduce((sum, p) => sum + at(p), loss), predictions, updateRefused: false };
}

/** Whether a step's gathers all passed (a gather that fails stops the step before its loss). */
function checksPassed(values: Float64Array, valueCount: number, s: number, indices: ValueIndices): boolean {
  return indices.checks.every((v) => Number.isFinite(values[s * valueCount + v] as number));
}

const UPDATE_INPUTS: readonly PlanInputName[] = ['learningRate', 'step', 'uProduct', 'swap'];

/** Writes one step's update numbers into a run's inputs row, after `before` other inputs. */
function writeUpdateInputs(row: Float64Array, before: number, numbers: StepNumbers): void {
  row[before] = numbers.learningRate;
  row[before + 1] = numbers.step;
  row[before + 2] = numbers.uProduct;
  row[before + 3] = numbers.swap;
}

/** The step plans of one state of a model (layers, arena, compile, optimizer slots). */
export class StepPlans {
  private readonly workspaces = new BoundedCache<number, Workspace>(4);
  private readonly trainPlans = new BoundedCache<number, { plan: Plan; ws: Workspace; indices: ValueIndices; predictions: Float32Array }>(4);

  constructor(
    private readonly model: StepPlanModel,
    private readonly structure: number,
    private readonly slotsVersion: number,
  ) {}

  /** Whether these plans still fit the model. */
  current(structure: number, slotsVersion: number): boolean {
    return structure === this.structure && slotsVersion === this.slotsVersion;
  }

  /** The buffers of batches of n rows. */
  workspace(n: number): Workspace {
    return this.workspaces.get(n, () => {
      const model = this.model.batchModel();
      return new Workspace(model.graph, n, model.loss.sparse ? 1 : this.model.outputUnits, model.fused);
    });
  }

  /**
   * trainOnBatch's step, now: the batch is copied into the plan's buffers, and the plan made for
   * its batch size runs on this thread (one crossing into native code, not one per kernel).
   */
  trainNow(batch: Batch): StepResult {
    const model = this.model.batchModel();
    const entry = this.trainPlans.get(batch.n, () => {
      const ws = this.workspace(batch.n);
      const calls = new PlanCalls(UPDATE_INPUTS);
      const { indices, predictions } = addBatch(calls, model, ws, { input: ws.outputs[0] as Float32Array, labels: ws.labels, weights: null, n: batch.n }, 'train', []);
      return { plan: new Plan(calls, UPDATE_INPUTS), ws, indices, predictions };
    });
    (entry.ws.outputs[0] as Float32Array).set(batch.input);
    entry.ws.labels.set(batch.labels);
    const inputs = new Float64Array(UPDATE_INPUTS.length);
    writeUpdateInputs(inputs, 0, model.optimizer.stepNumbers(1)[0] as StepNumbers);
    const values = new Float64Array(entry.plan.valueCount);
    entry.plan.run(1, inputs, values);
    const result = stepResult(values, entry.plan.valueCount, 0, entry.indices, entry.predictions);
    if (Number.isFinite(result.loss)) model.optimizer.advance(1);
    return result;
  }
}

/** Data a trip gathers its batches from: the model's own copies, and the order of the epoch. */
export interface TripData {
  readonly x: Float32Array;
  readonly y: Float32Array;
  readonly weights: Float32Array | null;
  /** The rows of the epoch in the order they are taken, n at a time. */
  readonly order: Uint32Array;
  readonly features: number;
  readonly labelCols: number;
}

/** What a trip did: the steps it ran, each one's result, and how it ended. */
export interface TripResult {
  readonly run: PlanRun;
  readonly steps: readonly StepResult[];
}

const TRAIN_INPUTS: readonly PlanInputName[] = ['offset', 'tripOffset', ...UPDATE_INPUTS];
const EVALUATE_INPUTS: readonly PlanInputName[] = ['offset', 'tripOffset'];

/**
 * The plan of fit's steps (or of an evaluation's batches) of n rows over one data set: each step
 * gathers rows order[offset ...] into the workspace, runs the batch's work, and copies its
 * predictions to place `tripOffset` of the trip's predictions, which the metrics read after.
 */
export class TripPlan {
  readonly plan: Plan;
  private readonly indices: ValueIndices;
  /** Each step's predictions, step after step, for the metrics. */
  readonly predictions: Float32Array;
  private readonly outputWidth: number;

  constructor(
    model: BatchModel,
    ws: Workspace,
    data: TripData,
    readonly n: number,
    readonly train: boolean,
    readonly capacity: number,
  ) {
    const inputs = train ? TRAIN_INPUTS : EVALUATE_INPUTS;
    const calls = new PlanCalls(inputs);
    const k = calls.k;
    const offset = calls.input('offset');
    const input = ws.outputs[0] as Float32Array;
    const checks = [k.gatherRowsAt(input, data.x, data.order, data.features, offset), k.gatherRowsAt(ws.labels, data.y, data.order, data.labelCols, offset)];
    if (data.weights !== null) checks.push(k.gatherRowsAt(ws.weights, data.weights, data.order, 1, offset));
    for (const check of checks) calls.goesOn(check);
    const batch: Batch = { input, labels: ws.labels, weights: data.weights === null ? null : ws.weights, n };
    const { indices, predictions } = addBatch(calls, model, ws, batch, train ? 'train' : 'evaluate', checks);
    this.outputWidth = predictions.length / n;
    this.predictions = new Float32Array(capacity * predictions.length);
    k.copyInto(this.predictions, predictions, calls.input('tripOffset'));
    this.indices = indices;
    this.plan = new Plan(calls, inputs);
  }

  /** Step s's predictions in the trip's buffer. */
  predictionsOf(s: number): Float32Array {
    const size = this.n * this.outputWidth;
    return this.predictions.subarray(s * size, (s + 1) * size);
  }

  /**
   * Runs `steps` steps (at most capacity) off the main thread from row `firstRow` of the order,
   * with the optimizer's numbers for each; counts the updates applied in the optimizer. An abort
   * stops it after the step in progress; budgetMs pauses it after the step that passes it.
   */
  async runAsync(firstRow: number, steps: number, optimizer: Optimizer | null, options: { signal?: AbortSignal | undefined; budgetMs: number; call: string }): Promise<TripResult> {
    const width = this.plan.inputNames.length;
    const inputs = new Float64Array(steps * width);
    const numbers = optimizer === null ? [] : optimizer.stepNumbers(steps);
    for (let s = 0; s < steps; s++) {
      const row = inputs.subarray(s * width, (s + 1) * width);
      row[0] = firstRow + s * this.n;
      row[1] = s * this.n * this.outputWidth;
      if (optimizer !== null) writeUpdateInputs(row, 2, numbers[s] as StepNumbers);
    }
    const values = new Float64Array(steps * this.plan.valueCount);
    const run = await this.plan.runAsync(steps, inputs, values, { call: options.call, signal: options.signal, interruptible: false, budgetMs: options.budgetMs });
    const results: StepResult[] = [];
    for (let s = 0; s < run.steps; s++) {
      if (!checksPassed(values, this.plan.valueCount, s, this.indices)) throw new Error(`Internal error: step ${s} of a trip gathered rows out of range`);
      results.push(stepResult(values, this.plan.valueCount, s, this.indices, this.predictionsOf(s)));
    }
    const applied = results.filter((r) => Number.isFinite(r.loss)).length;
    if (this.train && optimizer !== null) optimizer.advance(applied);
    return { run, steps: results };
  }
}

/** The error of a training step whose update the optimizer refused; `where` says which step. */
export function refusedUpdateError(where: string): TrainingError {
  return new TrainingError(
    `The optimizer update of ${where} would have made a weight or an optimizer slot NaN or infinite (a gradient that is not finite, or too large ` +
      'for float32 at this learningRate), so it was not applied: the weights are those of the last step applied. ' +
      'Try a smaller learningRate or clip the gradients (clipNorm, clipValue), or check the data for extreme values.',
  );
}
