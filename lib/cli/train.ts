/**
 * `myelin train`: reads the data, holds out a validation part (shuffled, stratified by class),
 * builds an MLP (a Normalization layer adapted to the training rows, the hidden Dense layers, an
 * output chosen from the labels), trains it with progress on stderr, saves it with its class
 * names, and optionally plots its curves.
 */
import * as path from 'node:path';

import { activationNames } from '../activations';
import { earlyStopping, type EarlyStopping } from '../callbacks/early-stopping';
import { trainTestSplit } from '../data/split';
import { ShapeError } from '../errors';
import { checkOutputPathSync } from '../io/output-path';
import { dense } from '../layers/dense';
import { Normalization } from '../layers/normalization';
import type { Layer } from '../layers/layer';
import { getLoss } from '../losses';
import { metricNames } from '../metrics/resolve';
import { sequential } from '../models/sequential';
import * as optimizers from '../optimizers';
import { getOptimizer, optimizerNames } from '../optimizers/by-name';
import type { Optimizer } from '../optimizers/optimizer';
import { seed } from '../random';
import type { Tensor } from '../tensor';
import { oneOf } from '../validate';
import { loadLabelled, type DataOptions } from './data';
import { UsageError } from './errors';
import { formatLogs, type Output } from './output';
import { StderrProgress } from './progress';
import { chooseHead } from './task';

/** Epochs --early-stopping waits for an improvement when given no number. */
export const DEFAULT_PATIENCE = 5;

export interface TrainOptions extends DataOptions {
  layers: number[];
  activation: string;
  loss?: string;
  /** Metric names replacing the default (accuracy for classes, mae otherwise). */
  metrics?: string[];
  optimizer: string;
  learningRate?: number;
  epochs: number;
  batchSize: number;
  validationSplit: number;
  /** Reshuffle the training rows before each epoch (undefined: yes). */
  shuffle?: boolean;
  /** true: the default patience. */
  earlyStopping?: number | true;
  seed?: number;
  normalize: boolean;
  out?: string;
  plot?: string;
}

function makeOptimizer(name: string, learningRate: number | undefined): Optimizer {
  if (learningRate === undefined) return getOptimizer(name, '--optimizer');
  const factory = optimizers[oneOf(name, '--optimizer', optimizerNames)] as (config: { learningRate: number }) => Optimizer;
  return factory({ learningRate });
}

interface Parts {
  readonly x: Tensor;
  readonly y: Tensor;
  readonly validation: readonly [Tensor, Tensor] | null;
}

/**
 * The training and validation parts: `fraction` of the samples held out at random (by class,
 * so each keeps its share, for a classification), unlike fit's validationSplit, which takes the
 * last rows and so validates sorted data on one class alone.
 */
function holdOut(x: Tensor, y: Tensor, fraction: number, stratify: boolean): Parts {
  if (fraction === 0) return { x, y, validation: null };
  try {
    const { xTrain, yTrain, xTest, yTest } = trainTestSplit(x, y, { testSize: fraction, shuffle: true, stratify });
    return { x: xTrain, y: yTrain, validation: [xTest, yTest] };
  } catch (error) {
    if (error instanceof ShapeError) throw new UsageError(`--validation-split ${fraction} leaves no samples on one side of the ${x.shape[0]}: ${error.expected}`);
    throw error;
  }
}

export async function train(options: TrainOptions, out: Output): Promise<void> {
  // Every name is checked before the data is read: a typo should not cost a load.
  const activation = oneOf(options.activation, '--activation', activationNames);
  const optimizer = makeOptimizer(options.optimizer, options.learningRate);
  if (options.loss !== undefined) getLoss(options.loss, '--loss');
  const metrics = options.metrics?.map((name) => oneOf(name, '--metrics', metricNames));
  // Where the results go, before the data is read and the model trained: the writes would refuse them after.
  if (options.out !== undefined) checkOutputPathSync(options.out, '--out');
  if (options.plot !== undefined) checkOutputPathSync(options.plot, '--plot');
  const data = await loadLabelled(options, out.note);
  const head = chooseHead(data, options.loss);
  const [samples, features] = data.x.shape as [number, number];
  if (options.seed !== undefined) seed(options.seed);
  const parts = holdOut(data.x, head.y, options.validationSplit, head.task === 'classification');
  // Only now, after every error the data could give: a missing --out should not hide them.
  if (options.out === undefined) throw new UsageError('missing --out <file>: where to save the trained model, e.g. --out model.myelin');
  out.note(`${options.data}: ${samples} samples of ${features} features; ${head.reason}`);
  if (parts.validation !== null) {
    const held = parts.validation[0].shape[0] as number;
    out.note(`validation: ${held} samples held out at random${head.task === 'classification' ? ', each class keeping its share' : ''}${options.seed === undefined ? '' : ` (seed ${options.seed})`}`);
  }

  const layers: Layer[] = [];
  if (options.normalize) {
    // Statistics of the training rows only: the validation rows must stay unseen.
    const norm = new Normalization({ inputShape: [features] });
    norm.adapt(parts.x);
    layers.push(norm);
  }
  options.layers.forEach((units) => layers.push(dense({ units, activation, ...(layers.length === 0 ? { inputShape: [features] } : {}) })));
  layers.push(dense({ units: head.units, activation: head.activation, ...(layers.length === 0 ? { inputShape: [features] } : {}) }));
  const model = sequential(layers);
  model.compile({ optimizer, loss: head.loss, metrics: metrics ?? head.metrics });
  if (head.task === 'classification' && data.classes !== undefined) model.classNames = data.classes;

  const monitor = parts.validation === null ? 'loss' : 'val_loss';
  const patience = options.earlyStopping === true ? DEFAULT_PATIENCE : options.earlyStopping;
  const stopper: EarlyStopping | null = patience === undefined ? null : earlyStopping({ monitor, patience, restoreBestWeights: true });
  const started = Date.now();
  const history = await model.fit(parts.x, parts.y, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    shuffle: options.shuffle ?? true,
    ...(parts.validation === null ? {} : { validationData: [parts.validation[0], parts.validation[1]] as [Tensor, Tensor] }),
    verbose: 0,
    callbacks: [...(out.quiet ? [] : [new StderrProgress()]), ...(stopper === null ? [] : [stopper])],
  });
  const seconds = (Date.now() - started) / 1000;
  if (stopper !== null && stopper.stoppedEpoch > 0) {
    out.note(`early stopping: ${monitor} did not improve for ${patience} epochs after epoch ${stopper.bestEpoch + 1} (${monitor} ${stopper.best?.toFixed(4)}), whose weights are kept`);
  }
  await model.save(options.out);
  out.note(`saved the model to ${options.out}`);
  if (options.plot !== undefined) {
    await history.plot(options.plot, { title: `${path.basename(options.data)}: ${[features, ...options.layers, head.units].join('-')} ${options.activation}, ${options.optimizer}` });
    out.note(`plotted the training curves to ${options.plot}`);
  }

  const final = Object.fromEntries(Object.entries(history.history).map(([name, values]) => [name, values[values.length - 1] as number]));
  out.result(
    {
      model: options.out,
      task: head.task,
      samples,
      features,
      layers: [features, ...options.layers, head.units],
      outputActivation: head.activation,
      loss: head.loss,
      epochs: history.epoch.length,
      ...(stopper === null ? {} : { bestEpoch: stopper.bestEpoch + 1 }),
      seconds,
      final,
      ...(model.classNames === null ? {} : { classes: model.classNames }),
      ...(options.plot === undefined ? {} : { plot: options.plot }),
    },
    [
      `trained a ${[features, ...options.layers, head.units].join('-')} network (${model.countParams()} parameters) for ${history.epoch.length} epoch${history.epoch.length === 1 ? '' : 's'} in ${seconds.toFixed(1)} s`,
      `final: ${formatLogs(final)}`,
      ...(model.classNames === null ? [] : [`classes: ${model.classNames.map((c, i) => `${i} = ${c}`).join(', ')}`]),
      `model: ${options.out}`,
    ],
  );
}
