/**
 * model.fit(): epochs of shuffled mini-batches, sample and class weights, validation, callbacks
 * and progress. fit trains on copies of its data, made once per call, so the caller's arrays may
 * change or be transferred while it runs. Its steps run off the main thread in trips
 * (step-plans.ts): each trip runs as many steps as fit in a few milliseconds before the event loop
 * gets a turn, gathering each batch natively; a callback that watches batches gets one step per
 * trip. A model whose loss, regularizer or constraint is JavaScript trains on the main thread,
 * giving the event loop a turn between steps. An AbortSignal stops it between two steps.
 */
import type { Callback, CustomCallbackArgs, Logs } from '../callbacks';
import type { History } from '../callbacks/history';
import { CallbackList, checkCallbacks } from '../callbacks/list';
import { ArgumentRangeError, ArgumentTypeError, ShapeError, TrainingError } from '../errors';
import { ProgressReporter } from '../progress';
import { globalRandom } from '../random';
import { Tensor } from '../tensor';
import { boolean, describe, knownOptions, nonNegativeInteger, numberIn, plainObject, positiveInteger } from '../validate';
import { accumulate, evaluateOffThread, LossSums, resetMetrics } from './evaluate';
import { checkSampleWeight, withClassWeights } from './sample-weights';
import type { Model, ModelInputs, ModelLabels } from './model';
import { abortError, signalOption } from './plan';
import { refusedUpdateError } from './step-plans';
import { stageNow, type TripSource, type TripStep } from './trip-plan';
import { identityOrder, TRIP_BUDGET_MS, Trips } from './trips';

export type { Logs } from '../callbacks';
export type { History };

/**
 * Gradient descent modes are batch sizes: batch gradient descent is batchSize = the number of
 * samples (one exact gradient step per epoch); stochastic gradient descent is batchSize 1 (one
 * step per sample, noisy); mini-batch (the default, 32) sits between, with steps per epoch =
 * ceil(samples / batchSize).
 */
export interface FitArgs {
  /** The epoch index to stop before (default 1): epochs run from initialEpoch to epochs - 1. */
  epochs?: number;
  /** Samples per gradient step (default 32): the whole set gives batch gradient descent, 1 gives stochastic. */
  batchSize?: number;
  /** Reshuffle the training samples before each epoch (default true). */
  shuffle?: boolean;
  /**
   * Fraction of the samples held out for validation: the LAST rows of x and y, as given, never
   * shuffled (Keras's behaviour; shuffle only reorders the training rows). Data sorted by class
   * then validates on one class alone: shuffle it first (data.trainTestSplit with stratify, then
   * validationData), as the command line's --validation-split does.
   */
  validationSplit?: number;
  /** A separate validation set [x, y]; takes precedence over validationSplit. */
  validationData?: [ModelInputs, ModelLabels];
  /** 0 silent, 1 progress bar on a terminal (plain lines otherwise), 2 one line per epoch. Default 1. */
  verbose?: 0 | 1 | 2;
  /** Callback objects (callbacks.earlyStopping(), a Callback subclass) or plain hook objects. */
  callbacks?: Callback | CustomCallbackArgs | (Callback | CustomCallbackArgs)[];
  /** The epoch to start at, to resume an earlier fit (default 0); History.epoch holds the real indices. */
  initialEpoch?: number;
  /**
   * A weight >= 0 per sample of x: a batch's loss is sum(w_i loss_i) / n, as in Keras. With
   * validationSplit the held-out samples keep theirs for val_loss. Metrics are unweighted. A model
   * of several outputs takes one array for every output, or one per output (an array in the
   * outputs' order, or an object keyed by output name: an output left out weighs its samples 1).
   */
  sampleWeight?: Float32Array | number[] | readonly (Float32Array | number[])[] | Readonly<Record<string, Float32Array | number[]>>;
  /**
   * A weight per class, { [classIndex]: weight }, for the training samples of that class (the
   * label's index, its one-hot argmax, or its rounded value for one output); other classes weigh
   * 1. Multiplies sampleWeight when both are given. A model of several outputs takes one table for
   * every output, or one per output (an array, or an object keyed by output name).
   */
  classWeight?: Record<number, number> | readonly Record<number, number>[] | Readonly<Record<string, Record<number, number>>>;
  /**
   * Stops training between two steps: fit then rejects with an AbortError, and the weights are
   * those of the last step completed.
   */
  signal?: AbortSignal;
}

const fitOptions = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'verbose', 'callbacks', 'initialEpoch', 'sampleWeight', 'classWeight', 'signal'];

interface Part {
  readonly x: Tensor;
  readonly y: Tensor;
  /** weightCols weights per sample (one, or one per output), or null for all ones. */
  readonly weights: Float32Array | null;
  readonly weightCols: number;
}

interface DataSplit extends Part {
  readonly validation: Part | null;
  /** How the caller named the validation arrays, for errors about them. */
  readonly validationNames: TripSource['names'];
}

function rows(t: Tensor, start: number, end: number): Tensor {
  const cols = t.shape[1] as number;
  return new Tensor(t.data.subarray(start * cols, end * cols), [end - start, cols]);
}

function splitData(model: Model, x: unknown, y: unknown, options: Record<string, unknown>): DataSplit {
  const xs = model.checkInputs(x, 'x');
  const samples = xs.shape[0] as number;
  const ys = model.checkLabels(y, samples, 'y');
  const heads = model.heads();
  const { weights, weightCols } = checkSampleWeight(options['sampleWeight'], heads, samples);
  if (options['validationData'] !== undefined) {
    const data = options['validationData'];
    if (!Array.isArray(data) || data.length !== 2) {
      throw new ArgumentTypeError({ argument: 'validationData', expected: 'a pair [x, y]', received: describe(data) });
    }
    const vx = model.checkInputs(data[0], 'validationData[0]');
    const vy = model.checkLabels(data[1], vx.shape[0] as number, 'validationData[1]');
    return { x: xs, y: ys, weights, weightCols, validation: { x: vx, y: vy, weights: null, weightCols: 1 }, validationNames: { x: 'validationData[0]', y: 'validationData[1]', weights: 'sampleWeight' } };
  }
  const fraction = numberIn(options['validationSplit'] ?? 0, 'validationSplit', { min: 0, max: 1, maxInclusive: false });
  const held = Math.floor(samples * fraction);
  if (fraction > 0 && (held === 0 || held === samples)) {
    throw new ShapeError({ argument: 'validationSplit', expected: `a fraction that leaves samples on both sides of ${samples}`, received: `${fraction}, which holds out ${held}` });
  }
  const validationNames = { x: 'x', y: 'y', weights: 'sampleWeight' };
  if (held === 0) return { x: xs, y: ys, weights, weightCols, validation: null, validationNames };
  const cut = samples - held;
  return {
    x: rows(xs, 0, cut),
    y: rows(ys, 0, cut),
    weights: weights?.subarray(0, cut * weightCols) ?? null,
    weightCols,
    validation: { x: rows(xs, cut, samples), y: rows(ys, cut, samples), weights: weights?.subarray(cut * weightCols) ?? null, weightCols },
    validationNames,
  };
}

/**
 * What fit trains on: x as given, read between trips (trips.ts), and copies of the labels and
 * weights (small beside x), so that labels changed by the caller during fit (an out-of-range
 * class) cannot reach the loss after they were checked.
 */
function tripSource(part: Part, names: TripSource['names']): TripSource {
  const copyOf = (values: Float32Array): Float32Array => new Float32Array(values);
  return {
    x: part.x.data,
    y: copyOf(part.y.data),
    weights: part.weights === null ? null : copyOf(part.weights),
    weightCols: part.weightCols,
    features: part.x.shape[1] as number,
    labelCols: part.y.shape[1] as number,
    names,
    call: 'fit()',
  };
}

function verboseOption(value: unknown): 0 | 1 | 2 {
  const verbose = value ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) {
    const ErrorClass = typeof verbose === 'number' ? ArgumentRangeError : ArgumentTypeError;
    throw new ErrorClass({ argument: 'verbose', expected: '0, 1 or 2', received: describe(verbose) });
  }
  return verbose;
}

export async function fitLoop(model: Model, x: unknown, y: unknown, args: FitArgs): Promise<History> {
  const options = plainObject(args, 'fit args');
  knownOptions(options, 'fit args', fitOptions);
  const epochs = positiveInteger(options['epochs'] ?? 1, 'epochs');
  const initialEpoch = nonNegativeInteger(options['initialEpoch'] ?? 0, 'initialEpoch');
  if (initialEpoch >= epochs) {
    throw new ArgumentRangeError({ argument: 'initialEpoch', expected: `an epoch index below epochs (${epochs})`, received: describe(initialEpoch) }, 'epochs is the index to stop before, not a count from initialEpoch.');
  }
  const batchSize = positiveInteger(options['batchSize'] ?? 32, 'batchSize');
  const shuffle = boolean(options['shuffle'] ?? true, 'shuffle');
  const verbose = verboseOption(options['verbose']);
  const signal = signalOption(options['signal']);
  const stopIfAborted = (): void => {
    if (signal?.aborted === true) throw abortError('fit()', signal);
  };
  const callbacks = checkCallbacks(options['callbacks']);
  const data = splitData(model, x, y, options);
  const train = tripSource({ x: data.x, y: data.y, ...withClassWeights(data, model.heads(), options['classWeight']) }, { x: 'x', y: 'y', weights: 'sampleWeight' });
  const validation = data.validation === null ? null : tripSource(data.validation, data.validationNames);

  const samples = data.x.shape[0] as number;
  model.checkBatchSize('batchSize', Math.min(batchSize, samples));
  const order = identityOrder(new Uint32Array(samples));
  const steps = Math.ceil(samples / batchSize);
  const progress = verbose === 0 ? null : new ProgressReporter(process.stdout, epochs, steps, verbose);
  const list = new CallbackList(callbacks, model, { epochs, initialEpoch, batchSize, samples, steps, verbose });
  const stepper = new Stepper(model, train, order, batchSize);

  model.stopTraining = false;
  stopIfAborted();
  await list.trainBegin({});
  let lastLogs: Logs = {};
  try {
    for (let epoch = initialEpoch; epoch < epochs; epoch++) {
      const began = process.hrtime.bigint();
      // Each epoch's order is a shuffle of 0..n-1 drawn from the generator alone (not of the last
      // epoch's order), so a run resumed from a checkpoint's generator state shuffles as the original did.
      if (shuffle) {
        globalRandom.shuffle(identityOrder(order));
      }
      const heads = model.heads();
      resetMetrics(heads, 'fit');
      await list.epochBegin(epoch, {});
      const losses = new LossSums(heads);
      let running: Logs = {};
      const take = (results: readonly TripStep[]): void => {
        for (const result of results) {
          const n = result.labels.length / train.labelCols;
          losses.add(result, n);
          running = { ...losses.logs, ...accumulate(heads, 'fit', result.predictions, result.labels, n) };
        }
      };
      for (let step = 0; step < steps; ) {
        stopIfAborted();
        const watched = list.watchesBatches;
        if (watched) await list.batchBegin(step, { batch: step, size: stepper.rowsOf(step) });
        const results = await stepper.run(epoch, step, watched ? 1 : steps - step, signal);
        take(results);
        const last = results[results.length - 1];
        step += results.length;
        if (last === undefined) break; // aborted before a step ran
        if (watched) await list.batchEnd(step - 1, { batch: step - 1, size: stepper.rowsOf(step - 1), ...running });
        // A callback that stops on it (terminateOnNaN) makes a non-finite loss a clean end.
        if (last.updateRefused && !model.stopTraining) throw refusedUpdateError(`epoch ${epoch + 1}, batch ${step}`);
        if (!Number.isFinite(last.loss) && !model.stopTraining) {
          throw new TrainingError(
            `The loss became ${last.loss} at epoch ${epoch + 1}, batch ${step}; training stopped with the weights of the last good step. ` +
              'Try a smaller learningRate, or check the data for extreme values (or pass callbacks.terminateOnNaN() to end fit without an error).',
          );
        }
        progress?.batchEnd(epoch, step, running);
        if (model.stopTraining) {
          // Set outside a callback (a timer, a request handler) while the next trip was queued: it
          // stops after its step in progress, and what it ran counts in the epoch's logs.
          take(await stepper.drain());
          break;
        }
      }
      stopIfAborted();
      const logs: Logs = { ...running };
      if (validation !== null) {
        for (const [name, value] of Object.entries(await evaluateOffThread(model, validation, batchSize, signal))) logs[`val_${name}`] = value;
        stopIfAborted();
      }
      await list.epochEnd(epoch, logs);
      progress?.epochEnd(epoch, logs, Number(process.hrtime.bigint() - began) / 1e9);
      lastLogs = logs;
      if (model.stopTraining) break;
    }
  } catch (error) {
    await stepper.drain().catch(() => undefined); // no trip of this call runs on after it settles
    throw error;
  }
  await list.trainEnd(lastLogs);
  return list.history;
}

/**
 * Runs fit's steps: in trips off the main thread (trips.ts), or, for a model with JavaScript in
 * its step, one at a time on the main thread.
 */
class Stepper {
  private readonly trips: Trips;

  constructor(
    private readonly model: Model,
    private readonly data: TripSource,
    private readonly order: Uint32Array,
    private readonly batchSize: number,
  ) {
    this.trips = new Trips(model, data, batchSize, true);
  }

  rowsOf(step: number): number {
    return this.trips.rowsOf(step);
  }

  /**
   * Runs steps of epoch `epoch` from `first`, at most `most`: those of one trip, up to its time
   * budget. Returns each step's result; the last may have stopped (a loss not finite, an update
   * refused). An abort stops it after the step in progress.
   */
  async run(epoch: number, first: number, most: number, signal: AbortSignal | undefined): Promise<TripStep[]> {
    if (!this.model.plannable) return [await this.stepNow(first)];
    this.model.trainingRun = true;
    try {
      const { steps } = await this.trips.run(epoch, this.order, first, most, this.model.optimizer, { signal, budgetMs: TRIP_BUDGET_MS, call: 'fit()' });
      return [...steps];
    } finally {
      this.model.trainingRun = this.trips.busy; // the next trip may be queued behind this one
    }
  }

  /** Stops the trip queued behind the last one and waits for it: the steps it ran. */
  async drain(): Promise<TripStep[]> {
    try {
      return [...(await this.trips.drain())];
    } finally {
      this.model.trainingRun = false;
    }
  }

  /** One step on the main thread, its batch gathered into the workspace; then a turn of the event loop. */
  private async stepNow(step: number): Promise<TripStep> {
    const n = this.rowsOf(step);
    const ws = this.model.workspaceFor(n, this.data.weightCols);
    const input = stageNow(this.data, this.order, step * this.batchSize, n, ws);
    const result = this.model.runBatchNow({ input, labels: ws.labels, weights: this.data.weights === null ? null : ws.weights, n }, true, this.data.weightCols);
    await new Promise((resolve) => setImmediate(resolve));
    return { ...result, labels: ws.labels };
  }
}
