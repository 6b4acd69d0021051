/**
 * Runs a data set's steps in trips (trip-plan.ts), keeping the native side busy: while one trip
 * runs, the main thread gathers the next one's rows into a second staging area, so fit's gather
 * costs no time of its own, and queues that trip behind it, so the libuv thread goes from one trip
 * to the next without waiting for the main thread to see the first one's results (a wake-up each
 * way, 5% of a step of the 784-256-128-10 MLP). The queued trip runs only if the one ahead of it
 * completed: a pause, a stop or an abort leaves it unrun, and the caller goes on from where the
 * first one ended. Two trip plans per batch size (the full one, and the smaller last batch of a
 * pass), each staging at most STAGING_FLOATS floats.
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
 * How many times more steps a trip stages than the one running while it is gathered: from one
 * step at the start of a pass up to the capacity. Gathering a step's rows takes a small part of
 * running it, so the next trip is queued before the running one ends.
 */
const TRIP_GROWTH = 4;
/**
 * The most floats one trip stages (inputs, labels and weights): 1 MB, twice per batch size, kept
 * with the model's plans. Two steps of the 784-256-128-10 MLP at batch 128 (3 ms of work).
 */
const STAGING_FLOATS = 1 << 18;

/** What Trips needs of a model. */
export interface TripModel {
  batchModel(): BatchModel;
  workspaceFor(n: number, weightCols?: number): Workspace;
  stepPlans(): { keep<T>(key: string, make: () => T): T };
}

/** order = 0, 1, ..., n - 1 (a loop: Uint32Array.from with a map function is ten times slower). */
export function identityOrder(order: Uint32Array): Uint32Array {
  for (let i = 0; i < order.length; i++) order[i] = i;
  return order;
}

/** A trip queued or running. */
interface Flight {
  readonly trip: TripPlan;
  readonly pass: number;
  readonly first: number;
  readonly steps: number;
  readonly result: Promise<TripResult>;
}

export class Trips {
  private readonly pairs = new Map<number, [TripPlan, TripPlan]>();
  /** The trip queued behind the one the caller awaits, if any. */
  private ahead: Flight | null = null;
  /** Updates queued and not yet counted in the optimizer: the next trip's numbers come after them. */
  private updatesQueued = 0;
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

  /** Whether a trip is queued or running. */
  get busy(): boolean {
    return this.ahead !== null;
  }

  /**
   * Runs steps from step `first` of pass `pass` (rows in `order`), at most `most` and all of one
   * batch size: those staged from `first`, staging them first when they are not (or those of the
   * trip queued for `first` by the call before). Then, while they run, stages the steps after
   * them in the other plan of the pair and, when `most` reaches them, queues them behind.
   */
  async run(pass: number, order: Uint32Array, first: number, most: number, optimizer: Optimizer | null, options: { signal?: AbortSignal | undefined; budgetMs: number; call: string }): Promise<TripResult> {
    let current = this.ahead;
    this.ahead = null;
    if (current !== null && (current.pass !== pass || current.first !== first)) {
      // Queued behind a trip that did not complete: it ran no step.
      const { run } = await current.result;
      if (run.steps > 0) throw new Error(`Internal error: a trip queued behind one that stopped ran ${run.steps} steps`);
      current = null;
    }
    const n = this.rowsOf(first);
    const end = n === this.batchSize ? this.full : first + 1;
    const pair = this.pairFor(n);
    current ??= this.queue(this.staged(pair, pass, order, first), pass, first, most, optimizer, null, options);
    const other = pair[0] === current.trip ? pair[1] : pair[0];
    const staged = current.trip.stagedEnd(pass);
    if (staged < end && !other.holds(pass, staged)) {
      try {
        other.fill(this.data, order, pass, staged, Math.min(other.capacity, end - staged, TRIP_GROWTH * current.steps), staged * this.batchSize);
      } catch {
        // An array detached meanwhile: the fill is tried again when these steps come to run, and
        // refuses it by name then, after the trips in flight have settled.
      }
    }
    const next = current.first + current.steps;
    if (most > current.steps && next === staged && other.holds(pass, next)) this.ahead = this.queue(other, pass, next, most - current.steps, optimizer, current.trip, options);
    return current.result;
  }

  /**
   * Stops the queued trip (after its step in progress, if it has begun) and waits for it: its
   * steps, those it ran. Called when the caller stops early (stopTraining, an error), so that no
   * trip runs on after it returns.
   */
  async drain(): Promise<TripResult['steps']> {
    const flight = this.ahead;
    this.ahead = null;
    if (flight === null) return [];
    flight.trip.stop();
    return (await flight.result).steps;
  }

  /**
   * Queues the run of at most `most` of trip's staged steps from `first`, behind `after`'s; the
   * optimizer counts its updates as it settles.
   */
  private queue(trip: TripPlan, pass: number, first: number, most: number, optimizer: Optimizer | null, after: TripPlan | null, options: { signal?: AbortSignal | undefined; budgetMs: number; call: string }): Flight {
    const steps = Math.min(most, trip.stagedEnd(pass) - first);
    const updatesAhead = this.updatesQueued;
    if (optimizer !== null) this.updatesQueued += steps;
    const settled = (): void => {
      if (optimizer !== null) this.updatesQueued -= steps;
    };
    const result = trip.runAsync(pass, first, steps, optimizer, { updatesAhead, after }, options).then(
      (result) => {
        settled();
        if (optimizer !== null) optimizer.advance(result.steps.filter((r) => Number.isFinite(r.loss)).length);
        return result;
      },
      (error: unknown) => {
        settled();
        throw error;
      },
    );
    // A queued trip's failure reaches its caller when it awaits the trip; until then it is not
    // an unhandled rejection (which would end the process).
    result.catch(() => undefined);
    return { trip, pass, first, steps, result };
  }

  /**
   * The plan of `pair` that holds step `first`, staged now when none does: with one step, which
   * the main thread gathers while the libuv thread waits (the first of a pass), so that the
   * steps after it are gathered while it runs.
   */
  private staged(pair: [TripPlan, TripPlan], pass: number, order: Uint32Array, first: number): TripPlan {
    const held = pair.find((t) => t.holds(pass, first));
    if (held !== undefined) return held;
    const trip = pair[0].stagedEnd(pass) > first ? pair[1] : pair[0];
    trip.fill(this.data, order, pass, first, 1, first * this.batchSize);
    return trip;
  }

  /** The pair of trip plans for steps of n rows: the model keeps them from one call to the next. */
  private pairFor(n: number): [TripPlan, TripPlan] {
    let pair = this.pairs.get(n);
    if (pair === undefined) {
      const { features, labelCols, weights, weightCols } = this.data;
      const weighted = weights !== null;
      const capacity = n === this.batchSize ? Math.max(1, Math.min(TRIP_CAPACITY, Math.floor(STAGING_FLOATS / (n * (features + labelCols + (weighted ? weightCols : 0)))))) : 1;
      const make = (): TripPlan => new TripPlan(this.model.batchModel(), this.model.workspaceFor(n, weightCols), { features, labelCols, weightCols, weighted }, n, this.train, capacity);
      pair = this.model.stepPlans().keep(`trips:${this.train}:${n}:${features}:${labelCols}:${weighted}:${weightCols}:${capacity}`, (): [TripPlan, TripPlan] => [make(), make()]);
      for (const trip of pair) trip.forget(); // what an earlier call staged is not this call's
      this.pairs.set(n, pair);
    }
    return pair;
  }
}
