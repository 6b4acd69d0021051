/**
 * model.fit(): epochs of shuffled mini-batches, sample and class weights, validation, callbacks
 * and progress. Batches (with their weights) are gathered into buffers made once per call; each
 * step's native work (and each validation batch's) runs off the main thread (lib/program.ts), so a
 * server stays responsive while it trains. An AbortSignal stops it between two steps.
 */
import { native } from '../backend';
import type { Callback, CustomCallbackArgs, Logs } from '../callbacks';
import type { History } from '../callbacks/history';
import { CallbackList, checkCallbacks } from '../callbacks/list';
import { ArgumentRangeError, ArgumentTypeError, ShapeError, TrainingError } from '../errors';
import { argmax } from '../metrics/metric';
import { abortError, signalOption } from '../program';
import { ProgressReporter } from '../progress';
import { globalRandom } from '../random';
import { Tensor, toLabels, type LabelsLike, type TensorLike } from '../tensor';
import { boolean, describe, float32In, knownOptions, nonNegativeInteger, numberIn, plainObject, positiveInteger } from '../validate';
import { expectAttached, refusedUpdateError, type Sequential } from './sequential';

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
  validationData?: [TensorLike, LabelsLike];
  /** 0 silent, 1 progress bar on a terminal (plain lines otherwise), 2 one line per epoch. Default 1. */
  verbose?: 0 | 1 | 2;
  /** Callback objects (callbacks.earlyStopping(), a Callback subclass) or plain hook objects. */
  callbacks?: Callback | CustomCallbackArgs | (Callback | CustomCallbackArgs)[];
  /** The epoch to start at, to resume an earlier fit (default 0); History.epoch holds the real indices. */
  initialEpoch?: number;
  /**
   * A weight >= 0 per sample of x: a batch's loss is sum(w_i loss_i) / n, as in Keras. With
   * validationSplit the held-out samples keep theirs for val_loss. Metrics are unweighted.
   */
  sampleWeight?: Float32Array | number[];
  /**
   * A weight per class, { [classIndex]: weight }, for the training samples of that class (the
   * label's index, its one-hot argmax, or its rounded value for one output); other classes weigh
   * 1. Multiplies sampleWeight when both are given.
   */
  classWeight?: Record<number, number>;
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
  /** One weight per sample, or null for all ones. */
  readonly weights: Float32Array | null;
}

interface DataSplit extends Part {
  readonly validation: Part | null;
}

function rows(t: Tensor, start: number, end: number): Tensor {
  const cols = t.shape[1] as number;
  return new Tensor(t.data.subarray(start * cols, end * cols), [end - start, cols]);
}

/** sampleWeight as one finite weight >= 0 per sample. */
function checkSampleWeight(value: unknown, samples: number): Float32Array | null {
  if (value === undefined) return null;
  if (!(value instanceof Float32Array) && !Array.isArray(value)) {
    throw new ArgumentTypeError({ argument: 'sampleWeight', expected: 'a Float32Array or number[] of one weight per sample', received: describe(value) });
  }
  const t = toLabels(value, 'sampleWeight');
  if (t.shape[1] !== 1 || t.size !== samples) {
    throw new ShapeError({ argument: 'sampleWeight', expected: `${samples} weights, one per sample of x`, received: `shape [${t.shape.join(', ')}]` });
  }
  const index = t.data.findIndex((w) => !(w >= 0 && w < Infinity));
  if (index >= 0) {
    throw new ArgumentRangeError({ argument: `sampleWeight[${index}]`, expected: 'a finite weight >= 0', received: describe(t.data[index]) });
  }
  return t.data;
}

function splitData(model: Sequential, x: TensorLike, y: LabelsLike, options: Record<string, unknown>): DataSplit {
  const xs = model.checkInputs(x, 'x');
  const samples = xs.shape[0] as number;
  const ys = model.checkLabels(y, samples, 'y');
  const weights = checkSampleWeight(options['sampleWeight'], samples);
  if (options['validationData'] !== undefined) {
    const data = options['validationData'];
    if (!Array.isArray(data) || data.length !== 2) {
      throw new ArgumentTypeError({ argument: 'validationData', expected: 'a pair [x, y]', received: describe(data) });
    }
    const vx = model.checkInputs(data[0], 'validationData[0]');
    const vy = model.checkLabels(data[1], vx.shape[0] as number, 'validationData[1]');
    return { x: xs, y: ys, weights, validation: { x: vx, y: vy, weights: null } };
  }
  const fraction = numberIn(options['validationSplit'] ?? 0, 'validationSplit', { min: 0, max: 1, maxInclusive: false });
  const held = Math.floor(samples * fraction);
  if (fraction > 0 && (held === 0 || held === samples)) {
    throw new ShapeError({ argument: 'validationSplit', expected: `a fraction that leaves samples on both sides of ${samples}`, received: `${fraction}, which holds out ${held}` });
  }
  if (held === 0) return { x: xs, y: ys, weights, validation: null };
  const cut = samples - held;
  return {
    x: rows(xs, 0, cut),
    y: rows(ys, 0, cut),
    weights: weights?.subarray(0, cut) ?? null,
    validation: { x: rows(xs, cut, samples), y: rows(ys, cut, samples), weights: weights?.subarray(cut) ?? null },
  };
}

/** classWeight as a table from class index to weight. */
function checkClassWeight(value: unknown): Map<number, number> {
  const options = plainObject(value, 'classWeight');
  const prototype: unknown = Object.getPrototypeOf(options);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new ArgumentTypeError({ argument: 'classWeight', expected: 'a plain object { [classIndex]: weight }', received: describe(value) });
  }
  const table = new Map<number, number>();
  for (const [key, weight] of Object.entries(options)) {
    if (!/^(0|[1-9]\d*)$/.test(key)) {
      throw new ArgumentRangeError({ argument: 'classWeight', expected: 'class indices (integers >= 0) as keys', received: `the key '${key}'` });
    }
    table.set(Number(key), float32In(weight, `classWeight[${key}]`, { min: 0, max: Infinity, maxInclusive: false }));
  }
  return table;
}

/** The training weights: sampleWeight times the weight of each sample's class, made once per fit. */
function withClassWeights(part: Part, classWeight: unknown): Float32Array | null {
  if (classWeight === undefined) return part.weights;
  const table = checkClassWeight(classWeight);
  const samples = part.y.shape[0] as number;
  const cols = part.y.shape[1] as number;
  const labels = part.y.data;
  const out = new Float32Array(samples);
  for (let r = 0; r < samples; r++) {
    const cls = cols === 1 ? Math.round(labels[r] as number) : argmax(labels, r, cols);
    out[r] = (table.get(cls) ?? 1) * (part.weights?.[r] ?? 1);
  }
  return out;
}

/**
 * One step's buffers, made once per fit: views of the gather buffers and the slice of the order
 * (shuffled, or not) that fills them. Every step gathers, shuffled or not, so that the native
 * work of a step reads only fit's own buffers, never the caller's arrays, which the caller may
 * change or transfer while the step runs on another thread.
 */
interface Batch {
  readonly n: number;
  readonly input: Float32Array;
  readonly labels: Float32Array;
  readonly weights: Float32Array | null;
  readonly order: Uint32Array;
}

function planBatches(data: Part, order: Uint32Array, batchSize: number): Batch[] {
  const samples = data.x.shape[0] as number;
  const inputCols = data.x.shape[1] as number;
  const labelCols = data.y.shape[1] as number;
  const gathered = Math.min(batchSize, samples);
  const gatherX = new Float32Array(gathered * inputCols);
  const gatherY = new Float32Array(gathered * labelCols);
  const gatherW = data.weights === null ? null : new Float32Array(gathered);
  const batches: Batch[] = [];
  for (let start = 0; start < samples; start += batchSize) {
    const n = Math.min(batchSize, samples - start);
    batches.push({ n, input: gatherX.subarray(0, n * inputCols), labels: gatherY.subarray(0, n * labelCols), weights: gatherW?.subarray(0, n) ?? null, order: order.subarray(start, start + n) });
  }
  return batches;
}

/**
 * The labels and weights as fit reads them: copies, made once, so that labels changed by the
 * caller during fit (an out-of-range class) cannot reach the loss after they were checked.
 */
function ownLabels(part: Part): Part {
  return { x: part.x, y: new Tensor(part.y.data.slice(), part.y.shape), weights: part.weights?.slice() ?? null };
}

function verboseOption(value: unknown): 0 | 1 | 2 {
  const verbose = value ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) {
    const ErrorClass = typeof verbose === 'number' ? ArgumentRangeError : ArgumentTypeError;
    throw new ErrorClass({ argument: 'verbose', expected: '0, 1 or 2', received: describe(verbose) });
  }
  return verbose;
}

export async function fitLoop(model: Sequential, x: TensorLike, y: LabelsLike, args: FitArgs): Promise<History> {
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
  const train = ownLabels({ x: data.x, y: data.y, weights: withClassWeights(data, options['classWeight']) });
  const validation = data.validation === null ? null : ownLabels(data.validation);

  const samples = train.x.shape[0] as number;
  const inputCols = train.x.shape[1] as number;
  const labelCols = train.y.shape[1] as number;
  model.checkBatchSize('batchSize', Math.min(batchSize, samples));
  const order = Uint32Array.from({ length: samples }, (_, i) => i);
  const batches = planBatches(train, order, batchSize);
  const steps = batches.length;
  const progress = verbose === 0 ? null : new ProgressReporter(process.stdout, epochs, steps, verbose);
  const list = new CallbackList(callbacks, model, { epochs, initialEpoch, batchSize, samples, steps, verbose });

  model.stopTraining = false;
  stopIfAborted();
  await list.trainBegin({});
  let lastLogs: Logs = {};
  for (let epoch = initialEpoch; epoch < epochs; epoch++) {
    const began = process.hrtime.bigint();
    // Each epoch's order is a shuffle of 0..n-1 drawn from the generator alone (not of the last
    // epoch's order), so a run resumed from a checkpoint's generator state shuffles as the original did.
    if (shuffle) {
      for (let i = 0; i < samples; i++) order[i] = i;
      globalRandom.shuffle(order);
    }
    model.resetMetrics();
    await list.epochBegin(epoch, {});
    let lossSum = 0;
    let seen = 0;
    let running: Logs = {};
    for (let step = 0; step < steps; step++) {
      const { n, input, labels, weights, order: picked } = batches[step] as Batch;
      stopIfAborted();
      await list.batchBegin(step, { batch: step, size: n });
      expectAttached(train.x.data, 'x', 'fit()');
      native.gatherRows(input, train.x.data, picked, inputCols);
      native.gatherRows(labels, train.y.data, picked, labelCols);
      if (weights !== null) native.gatherRows(weights, train.weights as Float32Array, picked, 1);
      const { loss, predictions, updateRefused } = await model.runBatchAsync(input, labels, weights, n, true);
      lossSum += loss * n;
      seen += n;
      running = { loss: lossSum / seen, ...model.batchMetrics(predictions, labels, n) };
      await list.batchEnd(step, { batch: step, size: n, ...running });
      // A callback that stops on it (terminateOnNaN) makes a non-finite loss a clean end.
      if (updateRefused && !model.stopTraining) throw refusedUpdateError(`epoch ${epoch + 1}, batch ${step + 1}`);
      if (!Number.isFinite(loss) && !model.stopTraining) {
        throw new TrainingError(
          `The loss became ${loss} at epoch ${epoch + 1}, batch ${step + 1}; training stopped with the weights of the last good step. ` +
            'Try a smaller learningRate, or check the data for extreme values (or pass callbacks.terminateOnNaN() to end fit without an error).',
        );
      }
      progress?.batchEnd(epoch, step + 1, running);
      if (model.stopTraining) break;
    }
    const logs: Logs = { ...running };
    if (validation !== null) {
      const { x: vx, y: vy, weights: vw } = validation;
      stopIfAborted();
      for (const [name, value] of Object.entries(await model.evaluateTensorsAsync(vx, vy, batchSize, vw))) logs[`val_${name}`] = value;
    }
    await list.epochEnd(epoch, logs);
    progress?.epochEnd(epoch, logs, Number(process.hrtime.bigint() - began) / 1e9);
    lastLogs = logs;
    if (model.stopTraining) break;
  }
  await list.trainEnd(lastLogs);
  return list.history;
}
