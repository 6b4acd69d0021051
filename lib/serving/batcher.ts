/**
 * Request batching for servers. Single-sample predictions that arrive together are written into
 * the rows of one [n, features] buffer and predicted with ONE model.predictAsync call (one GEMM
 * per layer instead of n), and each caller gets its own copy of its output row. A batch is sent
 * when maxBatchSize requests wait or maxDelayMs after its first request, whichever comes first.
 * Aborting a waiting request rejects it with an AbortError (its cause the signal's reason).
 *
 * Per request nothing is allocated beyond the promise (and an abort listener when a signal is
 * given) and the result row: samples are copied straight into a batch buffer, and the buffers
 * with their callback arrays are reused once their batch has been answered.
 */
import { ArgumentRangeError, ArgumentTypeError, ModelStateError } from '../errors';
import { MAX_BATCHER_BATCH } from '../limits';
import { Model } from '../core/model';
import { perName } from '../core/model-data';
import { abortError, signalOption } from '../core/plan';
import { Tensor, writeSample } from '../tensor';
import { describe, knownOptions, numberIn, plainObject, positiveInteger } from '../validate';

export interface BatcherOptions {
  /** Requests gathered into one batch at most (default 32, at most 65536). */
  maxBatchSize?: number;
  /** Milliseconds a batch's first request waits for company before the batch is sent (default 1). */
  maxDelayMs?: number;
}

export interface BatcherPredictOptions {
  /** Aborting removes the request while it waits for its batch; once the batch is sent, it completes. */
  signal?: AbortSignal;
}

export interface BatcherStats {
  /** Samples sent to the model (those rejected on entry or aborted while waiting are not counted). */
  readonly requests: number;
  /** predictAsync calls made. */
  readonly batches: number;
  /** The most samples one batch held. */
  readonly largestBatch: number;
}

/** setTimeout's longest delay; a longer one would fire at once, with a warning. */
const MAX_DELAY_MS = 2 ** 31 - 1;
/** Batch buffers kept for reuse beyond the one gathering; more would only hold memory after a burst. */
const SPARE_BATCHES = 2;

/** One batch: samples in the rows of `data`, and each waiting caller's callbacks at the same index. */
interface Gathering {
  readonly data: Float32Array;
  readonly resolves: ((row: Float32Array) => void)[];
  readonly rejects: ((error: unknown) => void)[];
  /** The caller's signal and abort listener (undefined without one), detached when the batch is sent. */
  readonly signals: (AbortSignal | undefined)[];
  readonly listeners: ((() => void) | undefined)[];
}

function predictSignal(options: unknown): AbortSignal | undefined {
  if (options === undefined) return undefined;
  const o = plainObject(options, 'options');
  knownOptions(o, 'options', ['signal']);
  return signalOption(o['signal']);
}

const abortedRequest = (signal: AbortSignal): Error => abortError('batcher.predict()', signal);

export class Batcher {
  readonly maxBatchSize: number;
  readonly maxDelayMs: number;
  private readonly model: Model;
  /** Features per sample, fixed when the batcher is made: the batch buffers have this width. */
  private readonly features: number;
  /** The model's inputs: a request to a model of several gives one sample per input, written side by side. */
  private readonly inputs: readonly { readonly name: string; readonly units: number }[];
  private gathering: Gathering | null = null;
  private readonly spare: Gathering[] = [];
  /** The one timer: set by a batch's first request, cleared when that batch is sent. */
  private timer: NodeJS.Timeout | null = null;
  private readonly inFlight = new Set<Promise<void>>();
  private closed = false;
  private requests = 0;
  private batches = 0;
  private largestBatch = 0;

  constructor(model: Model, options: BatcherOptions = {}) {
    if (!(model instanceof Model)) {
      throw new ArgumentTypeError({ argument: 'model', expected: 'a model (sequential([...]) or loadModel())', received: describe(model) });
    }
    if (model.layers.length === 0) {
      throw new ArgumentRangeError({ argument: 'model', expected: 'a model with layers', received: 'a model with no layers' });
    }
    if (model.outputNames.length !== 1) {
      throw new ArgumentRangeError({ argument: 'model', expected: 'a model of one output', received: `a model of ${model.outputNames.length} outputs (${model.outputNames.join(', ')})` });
    }
    const o = plainObject(options, 'batcher options');
    knownOptions(o, 'batcher options', ['maxBatchSize', 'maxDelayMs']);
    this.maxBatchSize = o['maxBatchSize'] === undefined ? 32 : positiveInteger(o['maxBatchSize'], 'maxBatchSize');
    if (this.maxBatchSize > MAX_BATCHER_BATCH) {
      throw new ArgumentRangeError({ argument: 'maxBatchSize', expected: `a positive integer of at most ${MAX_BATCHER_BATCH}`, received: describe(o['maxBatchSize']) });
    }
    // A full batch's buffers, checked now rather than at the first request.
    model.checkBatchSize('maxBatchSize', this.maxBatchSize, [{ what: `the batch buffer [${this.maxBatchSize}, ${model.inputUnits}]`, floats: this.maxBatchSize * model.inputUnits }]);
    this.maxDelayMs = o['maxDelayMs'] === undefined ? 1 : numberIn(o['maxDelayMs'], 'maxDelayMs', { min: 0, max: MAX_DELAY_MS });
    this.model = model;
    this.features = model.inputUnits;
    this.inputs = model.inputSpecs();
  }

  get stats(): BatcherStats {
    return { requests: this.requests, batches: this.batches, largestBatch: this.largestBatch };
  }

  /**
   * The model's output for one sample of inputUnits features, as a new Float32Array; for a model
   * of several inputs, one sample per input (an array in order, or an object keyed by input name).
   * A bad sample, a closed batcher or an aborted signal rejects this call only; nothing is thrown.
   */
  predict(sample: Float32Array | readonly number[] | readonly (Float32Array | readonly number[])[] | Readonly<Record<string, Float32Array | readonly number[]>>, options?: BatcherPredictOptions): Promise<Float32Array> {
    if (this.closed) return Promise.reject(new ModelStateError('The batcher is closed: make a new one with serving.batcher(model) to go on predicting.'));
    let signal: AbortSignal | undefined;
    let g: Gathering;
    try {
      g = this.gathering ??= this.spare.pop() ?? this.newGathering();
      signal = predictSignal(options);
      this.write(g.data, g.resolves.length * this.features, sample);
    } catch (error) {
      return Promise.reject(error);
    }
    if (signal?.aborted === true) return Promise.reject(abortedRequest(signal));
    return new Promise((resolve, reject) => {
      g.resolves.push(resolve);
      g.rejects.push(reject);
      g.signals.push(signal);
      if (signal === undefined) {
        g.listeners.push(undefined);
      } else {
        const listener = (): void => this.abort(g, resolve, signal);
        signal.addEventListener('abort', listener, { once: true });
        g.listeners.push(listener);
      }
      const waiting = g.resolves.length;
      if (waiting === this.maxBatchSize) this.send();
      else if (waiting === 1) this.timer = setTimeout(this.onTimer, this.maxDelayMs);
    });
  }

  /**
   * Sends what waits and resolves once every batch sent has been answered; predict() rejects
   * from now on. Calling it again is harmless.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.send();
    await Promise.all(this.inFlight);
  }

  /** Writes a request's sample (one per input, side by side) at `offset`. */
  private write(data: Float32Array, offset: number, sample: unknown): void {
    if (this.inputs.length === 1) {
      writeSample(data, offset, this.features, sample);
      return;
    }
    let at = offset;
    perName(sample, this.inputs.map((i) => i.name), 'sample', 'input').forEach((entry, i) => {
      const units = (this.inputs[i] as { units: number }).units;
      writeSample(data, at, units, entry.value, entry.argument);
      at += units;
    });
  }

  private newGathering(): Gathering {
    return { data: new Float32Array(this.maxBatchSize * this.features), resolves: [], rejects: [], signals: [], listeners: [] };
  }

  private readonly onTimer = (): void => {
    this.timer = null;
    this.send();
  };

  /** Takes the request of `resolve` out of a batch still gathering: the last row moves into its place. */
  private abort(g: Gathering, resolve: (row: Float32Array) => void, signal: AbortSignal): void {
    const i = g.resolves.indexOf(resolve);
    const reject = g.rejects[i] as (error: unknown) => void;
    const last = g.resolves.length - 1;
    if (i !== last) {
      const k = this.features;
      g.data.copyWithin(i * k, last * k, (last + 1) * k);
      g.resolves[i] = g.resolves[last] as (row: Float32Array) => void;
      g.rejects[i] = g.rejects[last] as (error: unknown) => void;
      g.signals[i] = g.signals[last];
      g.listeners[i] = g.listeners[last];
    }
    g.resolves.pop();
    g.rejects.pop();
    g.signals.pop();
    g.listeners.pop();
    if (last === 0 && this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    reject(abortedRequest(signal));
  }

  /** Sends the gathering batch, if any, to the model. */
  private send(): void {
    if (this.timer !== null) {
      clearTimeout(this.timer);
      this.timer = null;
    }
    const g = this.gathering;
    if (g === null || g.resolves.length === 0) return;
    this.gathering = null;
    const n = g.resolves.length;
    g.signals.forEach((signal, i) => signal?.removeEventListener('abort', g.listeners[i] as () => void));
    this.requests += n;
    this.batches++;
    this.largestBatch = Math.max(this.largestBatch, n);
    const done = this.run(g, n);
    this.inFlight.add(done);
    void done.then(() => this.inFlight.delete(done));
  }

  /** Predicts one batch and answers its callers; never rejects. */
  private async run(g: Gathering, n: number): Promise<void> {
    const k = this.features;
    try {
      // batchSize n: the whole batch in one forward pass, whatever predict's default chunk is.
      // The batch buffer is the batcher's alone until run() ends, so the model need not copy it.
      const out = await this.model.predictOffThread(new Tensor(g.data.subarray(0, n * k), [n, k]), n);
      const c = out.shape[1] as number;
      g.resolves.forEach((resolve, i) => resolve(out.data.slice(i * c, (i + 1) * c)));
    } catch (error) {
      g.rejects.forEach((reject) => reject(error));
    }
    g.resolves.length = 0;
    g.rejects.length = 0;
    g.signals.length = 0;
    g.listeners.length = 0;
    if (this.spare.length < SPARE_BATCHES) this.spare.push(g);
  }
}

/** A request batcher over `model`: serving.batcher(model, { maxBatchSize: 32, maxDelayMs: 1 }). */
export function batcher(model: Model, options?: BatcherOptions): Batcher {
  return new Batcher(model, options);
}
