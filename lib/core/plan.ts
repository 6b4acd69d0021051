/**
 * Plans: a model's work for one batch size and one mode (a training step, an evaluation batch,
 * a prediction) as the list of its kernel calls, decoded and checked once by the addon
 * (native/binding/plan.cc) and run as often as needed, on this thread or on a libuv thread, one
 * step or many steps per run. Each step reads a row of numbers (the plan's inputs: the learning
 * rate, the step, where its batch starts in the order, ...) and writes a row of values (the loss,
 * the penalties, the update's outcome).
 *
 * Async runs go one at a time, in the order they were submitted, for each JavaScript thread of
 * the process: the addon runs them back to back on one libuv thread, without coming back to the
 * main thread between them. Each uses the whole native thread pool (MYELIN_NUM_THREADS threads: the
 * libuv thread running it and the pool's helpers), so two at once would only split the same
 * cores; and at most one of libuv's threads (UV_THREADPOOL_SIZE, 4 by default) is ever busy with
 * myelin, the rest stay free for fs, dns and zlib. A run waiting its turn reads the weights when it
 * runs: a prediction queued while fit trains sees the weights between two steps, never half a step.
 */
import { native, type NativePlan, type PlanRun } from '../backend';
import { AbortError, ArgumentTypeError } from '../errors';
import { describe } from '../validate';
import { PlanCalls, type PlanInputName } from './kernels';

export type { PlanRun };

export class Plan {
  private readonly plan: NativePlan;
  /** Values per step: the width of a run's values array. */
  readonly valueCount: number;

  /** Checks every call (as the addon would when called directly) and makes the plan. */
  constructor(
    calls: PlanCalls,
    readonly inputNames: readonly PlanInputName[],
  ) {
    this.plan = native.createPlan(calls.calls, inputNames.length);
    this.valueCount = calls.valueCount;
  }

  /** Each call as text: arrays as b<id>[length], the same id for the same memory. */
  describe(): string[] {
    return native.describePlan(this.plan);
  }

  /** Runs `steps` steps now (inputs: a row of inputNames per step; values: a row of valueCount per step). */
  run(steps: number, inputs: Float64Array, values: Float64Array): PlanRun {
    return native.runPlan(this.plan, steps, inputs, values);
  }

  /**
   * The run, off the main thread, after those submitted before it. An abort rejects at once, and
   * stops the run before its next kernel call (`interruptible`: a prediction, whose output is
   * dropped) or after its step in progress (a training run, which its caller then ends).
   * budgetMs > 0 pauses a run of many steps after the step that passes it.
   */
  runAsync(steps: number, inputs: Float64Array, values: Float64Array, options: RunOptions): Promise<PlanRun> {
    const { signal, call } = options;
    if (signal?.aborted === true) return Promise.reject(abortError(call, signal));
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        native.cancelPlan(this.plan, !options.interruptible);
        if (options.interruptible) reject(abortError(call, signal as AbortSignal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      const settle = (): void => signal?.removeEventListener('abort', onAbort);
      let running: Promise<PlanRun>;
      try {
        running = native.runPlanAsync(this.plan, steps, inputs, values, options.budgetMs ?? 0);
      } catch (error) {
        running = Promise.reject(error); // a run that cannot start (the plan is busy) fails its caller
      }
      running.then(
        // Settled from a setImmediate: a result reaches JavaScript in a libuv callback that Node
        // goes on running while more results are ready, so a caller that submits its next run from
        // here (fit's steps) would run step after step with timers and I/O waiting. From the check
        // phase, the next result waits for the next turn of the loop.
        (result) =>
          setImmediate(() => {
            settle();
            if (result.outcome === 'cancelled' && options.interruptible) reject(abortError(call, signal as AbortSignal));
            else resolve(result);
          }),
        (error: unknown) => {
          settle();
          reject(error);
        },
      );
    });
  }
}

export interface RunOptions {
  /** What the caller is, for the AbortError's message, e.g. 'predictAsync()'. */
  readonly call: string;
  readonly signal?: AbortSignal | undefined;
  /** Whether an abort may stop the run between two kernel calls (else between two steps). */
  readonly interruptible: boolean;
  readonly budgetMs?: number;
}

/** The error an aborted call rejects with; `call` names it, e.g. 'predictAsync()'. */
export function abortError(call: string, signal: AbortSignal): AbortError {
  return new AbortError(`${call} was aborted through its AbortSignal.`, { cause: signal.reason });
}

/** An optional `signal` option: undefined or an AbortSignal. */
export function signalOption(value: unknown): AbortSignal | undefined {
  if (value === undefined || value instanceof AbortSignal) return value;
  throw new ArgumentTypeError({ argument: 'signal', expected: 'an AbortSignal (e.g. AbortSignal.timeout(1000) or an AbortController().signal)', received: describe(value) });
}
