/**
 * model.fit(): epochs of shuffled mini-batches, validation, callbacks and progress. Batches are
 * gathered into buffers made once per call; between batches the loop yields to the event loop,
 * so a server stays responsive while it trains.
 */
import { native } from '../backend';
import { CallbackList, type CustomCallbackArgs, type Logs } from '../callbacks';
import { ArgumentRangeError, ArgumentTypeError, ShapeError, TrainingError } from '../errors';
import { ProgressReporter } from '../progress';
import { globalRandom } from '../random';
import { Tensor, type LabelsLike, type TensorLike } from '../tensor';
import { boolean, describe, knownOptions, numberIn, plainObject, positiveInteger } from '../validate';
import type { Sequential } from './sequential';

export type { Logs } from '../callbacks';

export interface FitArgs {
  /** Passes over the training data (default 1). */
  epochs?: number;
  /** Samples per gradient step (default 32): the whole set gives batch gradient descent, 1 gives stochastic. */
  batchSize?: number;
  /** Reshuffle the training samples before each epoch (default true). */
  shuffle?: boolean;
  /** Fraction of the samples, taken from the end before shuffling, held out for validation. */
  validationSplit?: number;
  /** A separate validation set [x, y]; takes precedence over validationSplit. */
  validationData?: [TensorLike, LabelsLike];
  /** 0 silent, 1 progress bar on a terminal (plain lines otherwise), 2 one line per epoch. Default 1. */
  verbose?: 0 | 1 | 2;
  callbacks?: CustomCallbackArgs | CustomCallbackArgs[];
}

export interface History {
  /** Epoch indices that ran, from 0. */
  readonly epoch: number[];
  /** Per-epoch values: loss, metrics and their val_ versions. */
  readonly history: Record<string, number[]>;
  readonly params: { readonly epochs: number; readonly batchSize: number; readonly samples: number; readonly steps: number };
}

const fitOptions = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'verbose', 'callbacks'];

interface DataSplit {
  readonly x: Tensor;
  readonly y: Tensor;
  readonly validation: { readonly x: Tensor; readonly y: Tensor } | null;
}

function rows(t: Tensor, start: number, end: number): Tensor {
  const cols = t.shape[1] as number;
  return new Tensor(t.data.subarray(start * cols, end * cols), [end - start, cols]);
}

function splitData(model: Sequential, x: TensorLike, y: LabelsLike, options: Record<string, unknown>): DataSplit {
  const xs = model.checkInputs(x, 'x');
  const samples = xs.shape[0] as number;
  const ys = model.checkLabels(y, samples, 'y');
  if (options['validationData'] !== undefined) {
    const data = options['validationData'];
    if (!Array.isArray(data) || data.length !== 2) {
      throw new ArgumentTypeError({ argument: 'validationData', expected: 'a pair [x, y]', received: describe(data) });
    }
    const vx = model.checkInputs(data[0], 'validationData[0]');
    const vy = model.checkLabels(data[1], vx.shape[0] as number, 'validationData[1]');
    return { x: xs, y: ys, validation: { x: vx, y: vy } };
  }
  const fraction = numberIn(options['validationSplit'] ?? 0, 'validationSplit', { min: 0, max: 1, maxInclusive: false });
  const held = Math.floor(samples * fraction);
  if (fraction > 0 && (held === 0 || held === samples)) {
    throw new ShapeError({ argument: 'validationSplit', expected: `a fraction that leaves samples on both sides of ${samples}`, received: `${fraction}, which holds out ${held}` });
  }
  if (held === 0) return { x: xs, y: ys, validation: null };
  const cut = samples - held;
  return { x: rows(xs, 0, cut), y: rows(ys, 0, cut), validation: { x: rows(xs, cut, samples), y: rows(ys, cut, samples) } };
}

/** Lets timers and I/O run between batches. */
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** One step's buffers, made once per fit: its rows of the data, or views of the gather buffers
 * and the slice of the shuffled order that fills them. */
interface Batch {
  readonly n: number;
  readonly input: Float32Array;
  readonly labels: Float32Array;
  readonly order: Uint32Array | null;
}

function planBatches(data: DataSplit, order: Uint32Array, batchSize: number, shuffle: boolean): Batch[] {
  const samples = data.x.shape[0] as number;
  const inputCols = data.x.shape[1] as number;
  const labelCols = data.y.shape[1] as number;
  const gatherX = new Float32Array(shuffle ? Math.min(batchSize, samples) * inputCols : 0);
  const gatherY = new Float32Array(shuffle ? Math.min(batchSize, samples) * labelCols : 0);
  const batches: Batch[] = [];
  for (let start = 0; start < samples; start += batchSize) {
    const n = Math.min(batchSize, samples - start);
    batches.push(
      shuffle
        ? { n, input: gatherX.subarray(0, n * inputCols), labels: gatherY.subarray(0, n * labelCols), order: order.subarray(start, start + n) }
        : { n, input: data.x.data.subarray(start * inputCols, (start + n) * inputCols), labels: data.y.data.subarray(start * labelCols, (start + n) * labelCols), order: null },
    );
  }
  return batches;
}

export async function fitLoop(model: Sequential, x: TensorLike, y: LabelsLike, args: FitArgs): Promise<History> {
  const options = plainObject(args, 'fit args');
  knownOptions(options, 'fit args', fitOptions);
  const epochs = positiveInteger(options['epochs'] ?? 1, 'epochs');
  const batchSize = positiveInteger(options['batchSize'] ?? 32, 'batchSize');
  const shuffle = boolean(options['shuffle'] ?? true, 'shuffle');
  const verbose = options['verbose'] ?? 1;
  if (verbose !== 0 && verbose !== 1 && verbose !== 2) {
    const ErrorClass = typeof verbose === 'number' ? ArgumentRangeError : ArgumentTypeError;
    throw new ErrorClass({ argument: 'verbose', expected: '0, 1 or 2', received: describe(verbose) });
  }
  const callbacks = new CallbackList(options['callbacks']);
  const data = splitData(model, x, y, options);

  const samples = data.x.shape[0] as number;
  const inputCols = data.x.shape[1] as number;
  const labelCols = data.y.shape[1] as number;
  const order = Uint32Array.from({ length: samples }, (_, i) => i);
  const batches = planBatches(data, order, batchSize, shuffle);
  const steps = batches.length;
  const progress = verbose === 0 ? null : new ProgressReporter(process.stdout, epochs, steps, verbose);
  const history: History = { epoch: [], history: {}, params: { epochs, batchSize, samples, steps } };

  model.stopTraining = false;
  await callbacks.trainBegin({});
  for (let epoch = 0; epoch < epochs && !model.stopTraining; epoch++) {
    const began = process.hrtime.bigint();
    if (shuffle) globalRandom.shuffle(order);
    await callbacks.epochBegin(epoch, {});
    const sums: Logs = {};
    let seen = 0;
    for (let step = 0; step < steps && !model.stopTraining; step++) {
      const { n, input, labels, order: rows } = batches[step] as Batch;
      await callbacks.batchBegin(step, { batch: step, size: n });
      if (rows !== null) {
        native.gatherRows(input, data.x.data, rows, inputCols);
        native.gatherRows(labels, data.y.data, rows, labelCols);
      }
      const { loss, predictions } = model.runBatch(input, labels, null, n, true);
      if (!Number.isFinite(loss)) {
        throw new TrainingError(
          `The loss or its gradient became ${loss} at epoch ${epoch + 1}, batch ${step + 1}; training stopped with the weights of the last good step. ` +
            'Try a smaller learningRate, or check the data for extreme values.',
        );
      }
      const batchLogs: Logs = { batch: step, size: n, loss, ...model.batchMetrics(predictions, labels, n) };
      seen += n;
      for (const [name, value] of Object.entries(batchLogs)) {
        if (name !== 'batch' && name !== 'size') sums[name] = (sums[name] ?? 0) + value * n;
      }
      await callbacks.batchEnd(step, batchLogs);
      progress?.batchEnd(epoch, step + 1, averages(sums, seen));
      await yieldToEventLoop();
    }
    const logs = averages(sums, seen);
    if (data.validation !== null) {
      for (const [name, value] of Object.entries(model.evaluateTensors(data.validation.x, data.validation.y, batchSize))) {
        logs[`val_${name}`] = value;
      }
    }
    history.epoch.push(epoch);
    for (const [name, value] of Object.entries(logs)) (history.history[name] ??= []).push(value);
    await callbacks.epochEnd(epoch, logs);
    progress?.epochEnd(epoch, logs, Number(process.hrtime.bigint() - began) / 1e9);
  }
  await callbacks.trainEnd({});
  return history;
}

function averages(sums: Logs, count: number): Logs {
  const out: Logs = {};
  for (const [name, value] of Object.entries(sums)) out[name] = count > 0 ? value / count : NaN;
  return out;
}
