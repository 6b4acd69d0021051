/**
 * `myelin train`: reads the data, builds an MLP (a Normalization layer adapted to the training
 * rows, the hidden Dense layers, an output chosen from the labels), trains it with progress on
 * stderr, saves it, and optionally plots its curves.
 */
import * as path from 'node:path';

import { activationNames } from '../activations';
import { checkOutputPathSync } from '../io/output-path';
import { dense } from '../layers/dense';
import { Normalization } from '../layers/normalization';
import type { Layer } from '../layers/layer';
import { getLoss } from '../losses';
import { sequential } from '../models/sequential';
import * as optimizers from '../optimizers';
import { getOptimizer, optimizerNames } from '../optimizers/by-name';
import type { Optimizer } from '../optimizers/optimizer';
import { seed } from '../random';
import { Tensor } from '../tensor';
import { oneOf } from '../validate';
import { loadLabelled, type DataOptions } from './data';
import { formatLogs, type Output } from './output';
import { StderrProgress } from './progress';
import { chooseHead } from './task';

export interface TrainOptions extends DataOptions {
  layers: number[];
  activation: string;
  loss?: string;
  optimizer: string;
  learningRate?: number;
  epochs: number;
  batchSize: number;
  validationSplit: number;
  seed?: number;
  normalize: boolean;
  out: string;
  plot?: string;
}

function makeOptimizer(name: string, learningRate: number | undefined): Optimizer {
  if (learningRate === undefined) return getOptimizer(name, '--optimizer');
  const factory = optimizers[oneOf(name, '--optimizer', optimizerNames)] as (config: { learningRate: number }) => Optimizer;
  return factory({ learningRate });
}

/** The first `count` rows: the training part, since fit holds out validationSplit from the end. */
function firstRows(x: Tensor, count: number): Tensor {
  const cols = x.shape[1] as number;
  return new Tensor(x.data.subarray(0, count * cols), [count, cols]);
}

export async function train(options: TrainOptions, out: Output): Promise<void> {
  // Every name is checked before the data is read: a typo should not cost a load.
  const activation = oneOf(options.activation, '--activation', activationNames);
  const optimizer = makeOptimizer(options.optimizer, options.learningRate);
  if (options.loss !== undefined) getLoss(options.loss, '--loss');
  // Where the results go, before the data is read and the model trained: the writes would refuse them after.
  checkOutputPathSync(options.out, '--out');
  if (options.plot !== undefined) checkOutputPathSync(options.plot, '--plot');
  const data = loadLabelled(options);
  const head = chooseHead(data, options.loss);
  const [samples, features] = data.x.shape as [number, number];
  out.note(`${options.data}: ${samples} samples of ${features} features; ${head.reason}`);
  if (options.seed !== undefined) seed(options.seed);

  const layers: Layer[] = [];
  if (options.normalize) {
    // Statistics of the training rows only: the validation rows must stay unseen.
    const norm = new Normalization({ inputShape: [features] });
    norm.adapt(firstRows(data.x, samples - Math.floor(samples * options.validationSplit)));
    layers.push(norm);
  }
  options.layers.forEach((units) => layers.push(dense({ units, activation, ...(layers.length === 0 ? { inputShape: [features] } : {}) })));
  layers.push(dense({ units: head.units, activation: head.activation, ...(layers.length === 0 ? { inputShape: [features] } : {}) }));
  const model = sequential(layers);
  model.compile({ optimizer, loss: head.loss, metrics: head.metrics });

  const started = Date.now();
  const history = await model.fit(data.x, head.y, {
    epochs: options.epochs,
    batchSize: options.batchSize,
    validationSplit: options.validationSplit,
    verbose: 0,
    callbacks: out.quiet ? [] : [new StderrProgress()],
  });
  const seconds = (Date.now() - started) / 1000;
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
      seconds,
      final,
      ...(data.classes === undefined ? {} : { classes: data.classes }),
      ...(options.plot === undefined ? {} : { plot: options.plot }),
    },
    [
      `trained a ${[features, ...options.layers, head.units].join('-')} network (${model.countParams()} parameters) for ${history.epoch.length} epoch${history.epoch.length === 1 ? '' : 's'} in ${seconds.toFixed(1)} s`,
      `final: ${formatLogs(final)}`,
      ...(data.classes === undefined ? [] : [`classes: ${data.classes.map((c, i) => `${i} = ${c}`).join(', ')}`]),
      `model: ${options.out}`,
    ],
  );
}
