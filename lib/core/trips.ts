/**
 * Runs a data set's steps in trips (trip-plan.ts), keeping the native side busy: while one trip
 * runs, the main thread gathers the next one's rows into a second staging area, so fit's gather
 * costs no time of its own. Two trip plans per batch size (the full one, and the smaller last
 * batch of a pass), each staging at most STAGING_FLOATS floats.
 */
import type { Optimizer } from '../optimizers/optimizer';
import type { BatchModel } from './batch-work';
import { TripPlan, type TripResult, type TripSource } from './trip-plan';
import type { Workspace } from './workspace';

/** How long a trip runs before the event loop gets a turn. */
export const TRIP_BUDGET_MS = 3;
/** The most steps one trip stages. */
export const TRIP_CAPACITY = 256;
/**
 * The most floats one trip stages (inputs, labels and weights): 1 MB, twice per batch size, kept
 * with the model's plans. Two steps of the 784-256-128-10 MLP at batch 128 (3 ms of work).
 */
const STAGING_FLOATS = 1 << 18;

/** What Trips needs of a model. */
export interface TripModel {
  batchModel(): BatchModel;
  workspaceFor(n: number): Workspace;
  stepPlans(): { keep<T>(key: string, make: () => T): T };
}

/** order = 0, 1, ..., n - 1 (a loop: Uint32Array.from with a map function is ten times slower). */
export function identityOrder(order: Uint32Array): Uint32Array {
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order;
}

export class Trips {
  private readonly pairs = new Map<number, [TripPlan, TripPlan]>();
  private readonly samples: number;
  /** Steps of batchSize rows in a pass; a last step of fewer rows follows when they do not divide. */
  private readonly full: number;

  constructor(
    private readonly model: TripModel,
    private readonly data: TripSource,
    private readonly batchSize: number,
    private readonly train: boolean,
  ) {
    this.samples = data.x.length / data.features;
    this.full = Math.floor(this.samples / batchSize);
  }

  /** The rows of step s: batchSize, or what is left for the last step. */
  rowsOf(step: number): number {
    return Math.min(this.batchSize, this.samples - step * this.batchSize);
  }

  /**
   * Runs steps from step `first` of pass `pass` (rows in `order`), at most `most` and all of one
   * batch size: those staged from `first`, staging them first when they are not. Then, while they
   * run, stages the steps after them in the other plan of the pair.
   */
  async run(pass: number, order: Uint32Array, first: number, most: number, optimizer: Optimizer | null, options: { signal?: AbortSignal | undefined; budgetMs: number; call: string }): Promise<TripResult> {
    const { trip, other, steps, end } = this.staged(pass, order, first, most);
    const running = trip.runAsync(pass, first, steps, optimizer, options);
    const next = trip.stagedEnd(pass);
    if (next < end && !other.holds(pass, next)) {
      try {
        other.fill(this.data, order, pass, next, Math.min(other.capacity, end - next), next * this.batchSize);
      } catch {
        // An array detached meanwhile: the fill is tried again when these steps come to run, and
        // refuses it by name then, after the trip in flight has settled.
      }
    }
    return running;
  }

  /** The plan that holds step `first` (staged now when none does), how many steps to run, and the other plan of its pair. */
  private staged(pass: number, order: Uint32Array, first: number, most: number): { trip: TripPlan; other: TripPlan; steps: number; end: number } {
    const n = this.rowsOf(first);
    const end = n === this.batchSize ? this.full : first + 1;
    const pair = this.pairFor(n);
    let trip = pair.find((t) => t.holds(pass, first));
    if (trip === undefined) {
      trip = pair[0].stagedEnd(pass) > first ? pair[1] : pair[0];
      trip.fill(this.data, order, pass, first, Math.min(trip.capacity, end - first), first * this.batchSize);
    }
    return { trip, other: pair[0] === trip ? pair[1] : pair[0], steps: Math.min(most, trip.stagedEnd(pass) - first), end };
  }

  /** The pair of trip plans for steps of n rows: the model keeps them from one call to the next. */
  private pairFor(n: number): [TripPlan, TripPlan] {
    let pair = this.pairs.get(n);
    if (pair === undefined) {
      const { features, labelCols, weights } = this.data;
      const weighted = weights !== null;
      const capacity = n === this.batchSize ? Math.max(1, Math.min(TRIP_CAPACITY, Math.floor(STAGING_FLOATS / (n * (features + labelCols + (weighted ? 1 : 0)))))) : 1;
      const make = (): TripPlan => new TripPlan(this.model.batchModel(), this.model.workspaceFor(n), { features, labelCols, weighted }, n, this.train, capacity);
      pair = this.model.stepPlans().keep(`trips:${this.train}:${n}:${features}:${labelCols}:${weighted}:${capacity}`, (): [TripPlan, TripPlan] => [make(), make()]);
      for (const trip of pair) trip.forget(); // what an earlier call staged is not this call's
      this.pairs.set(n, pair);
    }
    return pair;
  }
}
