/**
 * The plans of a model's steps, made once and run many times: trainOnBatch's step for each batch
 * size, with the workspaces they bind; and what every step plan shares (fit's trips too,
 * trip-plan.ts): how a batch's work goes into a plan, and how a step's values read back.
 */
import { BoundedCache } from '../bounded-cache';
import { TrainingError } from '../errors';
import type { StepNumbers } from '../optimizers/optimizer';
import { batchWork, type Batch, type BatchMode, type BatchModel } from './batch-work';
import { PlanCalls, type PlanInputName, type PlanValue } from './kernels';
import { Plan } from './plan';
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
export interface ValueIndices {
  /** The gathers' values: NaN only for an index out of range, which is a bug. */
  readonly checks: readonly PlanValue[];
  readonly loss: PlanValue;
  readonly penalties: readonly PlanValue[];
  readonly outcome: PlanValue | null;
}

/** Adds a batch's work to a plan and says where its values are. */
export function addBatch(calls: PlanCalls, model: BatchModel, ws: Workspace, batch: Batch, mode: BatchMode, checks: PlanValue[]): { indices: ValueIndices; predictions: Float32Array } {
  const values = batchWork(model, calls, ws, batch, mode);
  return { indices: { checks, loss: values.loss, penalties: values.penalties, outcome: values.outcome }, predictions: values.predictions };
}

/** Step s's result from a run's values: the loss with its penalties, or NaN with why. */
export function stepResult(values: Float64Array, valueCount: number, s: number, indices: ValueIndices, predictions: Float32Array): StepResult {
  const at = (v: PlanValue): number => values[s * valueCount + v] as number;
  const loss = at(indices.loss);
  const updateRefused = indices.outcome !== null && Number.isFinite(loss) && !Number.isFinite(at(indices.outcome));
  if (!Number.isFinite(loss) || updateRefused) return { loss: updateRefused ? NaN : loss, predictions, updateRefused };
  return { loss: indices.penalties.reduce((sum, p) => sum + at(p), loss), predictions, updateRefused: false };
}

/** The inputs of a plan's update: the optimizer's numbers of each step (StepNumbers). */
export const UPDATE_INPUTS: readonly PlanInputName[] = ['learningRate', 'step', 'uProduct', 'swap'];

/** Writes one step's update numbers into a run's inputs row, after `before` other inputs. */
export function writeUpdateInputs(row: Float64Array, before: number, numbers: StepNumbers): void {
  row[before] = numbers.learningRate;
  row[before + 1] = numbers.step;
  row[before + 2] = numbers.uProduct;
  row[before + 3] = numbers.swap;
}

/** The step plans of one state of a model (layers, arena, compile, optimizer slots). */
export class StepPlans {
  private readonly workspaces = new BoundedCache<number, Workspace>(4);
  private readonly trainPlans = new BoundedCache<number, { plan: Plan; ws: Workspace; indices: ValueIndices; predictions: Float32Array }>(4);
  private readonly kept = new BoundedCache<string, unknown>(4);

  constructor(
    private readonly model: StepPlanModel,
    private readonly structure: number,
    private readonly slotsVersion: number,
  ) {}

  /** Whether these plans still fit the model. */
  current(structure: number, slotsVersion: number): boolean {
    return structure === this.structure && slotsVersion === this.slotsVersion;
  }

  /**
   * A plan (or plans) other modules make for this state of the model, kept by `key` (fit's trips,
   * whose staging buffers are worth keeping from one fit to the next): a few keys at a time.
   */
  keep<T>(key: string, make: () => T): T {
    return this.kept.get(key, make) as T;
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

/** The error of a training step whose update the optimizer refused; `where` says which step. */
export function refusedUpdateError(where: string): TrainingError {
  return new TrainingError(
    `The optimizer update of ${where} would have made a weight or an optimizer slot NaN or infinite (a gradient that is not finite, or too large ` +
      'for float32 at this learningRate), so it was not applied: the weights are those of the last step applied. ' +
      'Try a smaller learningRate or clip the gradients (clipNorm, clipValue), or check the data for extreme values.',
  );
}
