/**
 * The plans of a model's steps, made once and run many times: trainOnBatch's step for each batch
 * size, with the workspaces they bind; and what every step plan shares (fit's trips too,
 * trip-plan.ts): how a batch's work goes into a plan, and how a step's values read back.
 */
import { BoundedCache } from '../bounded-cache';
import { TrainingError } from '../errors';
import type { StepNumbers } from '../optimizers/optimizer';
import { batchWork, type Batch, type BatchMode, type BatchModel } from './batch-work';
import type { Head } from './heads';
import { PlanCalls, type PlanInputName, type PlanValue } from './kernels';
import { Plan } from './plan';
import { Workspace } from './workspace';

/**
 * A batch's outcome: its loss (the heads' weighted sum with the penalties; NaN when the update
 * was refused), each head's loss, its predictions, and whether the update was refused.
 */
export interface StepResult {
  readonly loss: number;
  /** Each head's loss, unweighted. */
  readonly losses: readonly number[];
  readonly predictions: Float32Array;
  /** The optimizer refused the update, which would have left a weight or a slot NaN or infinite. */
  readonly updateRefused: boolean;
}

/** What a model lends its step plans. */
export interface StepPlanModel {
  batchModel(): BatchModel;
}

/** Where a plan's values are, by what they are. */
export interface ValueIndices {
  /** The gathers' values: NaN only for an index out of range, which is a bug. */
  readonly checks: readonly PlanValue[];
  readonly losses: readonly PlanValue[];
  readonly penalties: readonly PlanValue[];
  readonly outcome: PlanValue | null;
}

/** Adds a batch's work to a plan and says where its values are. */
export function addBatch(calls: PlanCalls, model: BatchModel, ws: Workspace, batch: Batch, mode: BatchMode, checks: PlanValue[]): { indices: ValueIndices; predictions: Float32Array } {
  const values = batchWork(model, calls, ws, batch, mode);
  return { indices: { checks, losses: values.losses, penalties: values.penalties, outcome: values.outcome }, predictions: values.predictions };
}

/**
 * A step's result from its values: the heads' losses weighted and summed with the penalties, or
 * NaN with why (a head's loss not finite, or an update refused: `outcome` not finite).
 */
export function combineValues(heads: readonly Head[], losses: readonly number[], penalties: readonly number[], outcome: number | null, predictions: Float32Array): StepResult {
  let loss = 0;
  heads.forEach((head, i) => {
    loss += head.weight * (losses[i] as number);
  });
  if (!losses.every(Number.isFinite)) return { loss: losses.find((v) => !Number.isFinite(v)) as number, losses, predictions, updateRefused: false };
  if (outcome !== null && !Number.isFinite(outcome)) return { loss: NaN, losses, predictions, updateRefused: true };
  return { loss: penalties.reduce((sum, p) => sum + p, loss), losses, predictions, updateRefused: false };
}

/** Step s's result from a run's values. */
export function stepResult(heads: readonly Head[], values: Float64Array, valueCount: number, s: number, indices: ValueIndices, predictions: Float32Array): StepResult {
  const at = (v: PlanValue): number => values[s * valueCount + v] as number;
  return combineValues(heads, indices.losses.map(at), indices.penalties.map(at), indices.outcome === null ? null : at(indices.outcome), predictions);
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
  private readonly workspaces = new BoundedCache<string, Workspace>(4);
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

  /** The buffers of batches of n rows, with weightCols sample weights per row. */
  workspace(n: number, weightCols = 1): Workspace {
    return this.workspaces.get(`${n}:${weightCols}`, () => {
      const model = this.model.batchModel();
      return new Workspace(model.graph, n, model.heads, weightCols);
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
    const result = stepResult(model.heads, values, entry.plan.valueCount, 0, entry.indices, entry.predictions);
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
