/**
 * Native work off the main thread. A model records the kernel calls of a training step or a
 * prediction into a program (each call's arguments checked as it is recorded, the arrays pinned),
 * then runs the program on a libuv thread: the event loop stays free while the kernels work.
 *
 * Programs run one at a time, in the order they were submitted, for each JavaScript thread of the
 * process: native/binding/program.cc runs them back to back on one libuv thread, without coming
 * back to the main thread between them. Each uses the whole native thread pool
 * (MYELIN_NUM_THREADS threads: the libuv thread running it and the pool's helpers), so two at
 * once would only split the same cores; and at most one of libuv's threads (UV_THREADPOOL_SIZE, 4
 * by default) is ever busy with myelin, the rest stay free for fs, dns and zlib. A program waiting
 * its turn reads the weights when it runs: a prediction queued while fit trains sees the weights
 * between two steps, never half a step.
 */
import { native, type NativeProgram, type ProgramResult } from './backend';
import { AbortError, ArgumentTypeError } from './errors';
import { describe } from './validate';

export type { NativeProgram, ProgramResult };

/** Records the kernel calls `body` makes into a program instead of running them. */
export function record(body: () => void): NativeProgram {
  native.recordBegin();
  try {
    body();
  } catch (error) {
    native.recordEnd();
    throw error;
  }
  return native.recordEnd();
}

/**
 * The scalar results (losses, penalties, norms) of work written once for two modes: run now, where
 * a kernel returns its value, or recorded, where it returns the index of the program's scalar that
 * will hold the value, and a guard becomes a check inside the program.
 */
export class Scalars {
  private readonly returned: number[] = [];
  private values: Float64Array | null = null;

  constructor(readonly recording: boolean) {}

  /** Keeps what a scalar kernel returned; value(handle) reads the result. */
  add(returned: number): number {
    return this.returned.push(returned) - 1;
  }

  /**
   * Whether the work goes on past a value that must be finite. Recorded, it always does: the
   * program stops there by itself when the value is not finite.
   */
  guard(handle: number): boolean {
    const returned = this.returned[handle] as number;
    if (!this.recording) return Number.isFinite(returned);
    native.guardFinite(returned);
    return true;
  }

  /** Takes the scalars of the recorded program's run. */
  settle(result: ProgramResult): void {
    this.values = result.scalars;
  }

  /** The result; NaN for a kernel that a stopped program did not reach. */
  value(handle: number): number {
    const returned = this.returned[handle] as number;
    return this.recording ? (this.values?.[returned] ?? NaN) : returned;
  }
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

export interface RunOptions {
  /** What the caller is, for the AbortError's message, e.g. 'predictAsync()'. */
  readonly call: string;
  readonly signal?: AbortSignal | undefined;
  /**
   * Whether an abort may stop the program between two of its kernel calls once it runs (a
   * prediction: its output is dropped). A training step is never cut: its caller stops between steps.
   */
  readonly interruptible: boolean;
}

/**
 * Runs a recorded program off the main thread, after those submitted before it. An abort rejects
 * at once; an interruptible program is then skipped, or stopped between two kernel calls.
 */
export function runOffThread(program: NativeProgram, options: RunOptions): Promise<ProgramResult> {
  const { signal, call } = options;
  if (signal?.aborted === true) return Promise.reject(abortError(call, signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      if (!options.interruptible) return;
      native.cancelProgram(program);
      reject(abortError(call, signal as AbortSignal));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const settle = (): void => signal?.removeEventListener('abort', onAbort);
    let running: Promise<ProgramResult>;
    try {
      running = native.runProgramAsync(program);
    } catch (error) {
      running = Promise.reject(error); // a program that cannot start (run already) fails its caller
    }
    running.then(
      // Settled from a setImmediate: a result reaches JavaScript in a libuv callback that Node
      // goes on running while more results are ready, so a caller that queues its next program
      // from here (fit's steps) would run step after step with timers and I/O waiting. From the
      // check phase, the next result waits for the next turn of the loop.
      (result) =>
        setImmediate(() => {
          settle();
          if (result.outcome === 'cancelled') reject(abortError(call, signal as AbortSignal));
          else resolve(result);
        }),
      (error: unknown) => {
        settle();
        reject(error);
      },
    );
  });
}
