// What a training step costs beyond its kernels, where small networks spend most of their time:
// for each network, batch size and thread count, three figures per step measured in the same
// process, interleaved over a few passes (best kept):
//   kernels       the model's step plan run on this thread over the data set's batches in turn
//                 (trainOnBatch without its checks and tensors: one crossing into native code)
//   trainOnBatch  the same batches as tensors through model.trainOnBatch
//   fit           whole epochs of model.fit (shuffle, staging of the batches, trips off the main
//                 thread, metrics), divided by its steps
// and fit's samples/s beside TensorFlow.js (trainOnBatch, cpu and wasm backends) and PyTorch
// (bench/peers/torch_mlp.py, when python3 imports torch) on the same network and batch size.
// A residual trial (a graph model: Dense, BatchNormalization, ReLU blocks added to their input)
// also times the kernels of the same layers without the additions, so its row says what the
// merges cost inside the step.

import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { syntheticClassification, type Dataset } from './data';
import type { MyelinHandle } from './myelin';
import { useThreads } from './myelin';
import { tfjsResidualTrainer, tfjsTensorCount, tfjsTrainer } from './peers/tfjs';
import type { Reporter } from './report';
import { collectGarbage, now } from './timing';
import { overheadTiming, type OverheadTrial, type TrainingTrial } from './trials';

/** Per-step microseconds of the three ways of training, and of the kernels without the residual additions. */
interface StepCosts {
  kernels: number;
  trainOnBatch: number;
  fit: number;
  kernelsWithoutSkips: number;
}

function shapeOf(trial: OverheadTrial, batchSize: number): string {
  if (trial.residualBlocks === undefined) return `${trial.dims.join('-')} batch ${batchSize}`;
  const [inputs, width, classes] = trial.dims as [number, number, number];
  return `${inputs}-${width}-(${width} res)x${trial.residualBlocks}-${classes} batch ${batchSize}`;
}

type My = MyelinHandle['my'];
type Model = ReturnType<My['sequential']> | ReturnType<My['model']>;
type SymbolicTensor = ReturnType<My['input']>;

/**
 * The trial's network in myelin: a ReLU MLP, or the residual MLP of examples/residual-mlp.js
 * (with `skips` false, the same layers without the additions), compiled with Adam 1e-3.
 */
function myelinNetwork(my: My, trial: OverheadTrial, skips = true): Model {
  const features = trial.dims[0] as number;
  my.seed(trial.seed);
  let model: Model;
  if (trial.residualBlocks === undefined) {
    const units = trial.dims.slice(1);
    model = my.sequential(units.map((u, i) => my.layers.dense({ units: u, activation: i === units.length - 1 ? 'softmax' : 'relu', ...(i === 0 ? { inputShape: [features] } : {}) })));
  } else {
    const [, width, classes] = trial.dims as [number, number, number];
    const denseBnRelu = (t: SymbolicTensor): SymbolicTensor => {
      const h = my.layers.dense({ units: width, useBias: false, kernelInitializer: 'heNormal' }).apply(t);
      return my.layers.activation({ activation: 'relu' }).apply(my.layers.batchNormalization().apply(h));
    };
    const x = my.input({ shape: [features] });
    let h = denseBnRelu(x);
    for (let b = 0; b < trial.residualBlocks; b++) {
      const block = denseBnRelu(h);
      h = skips ? my.layers.add().apply([h, block]) : block;
    }
    model = my.model({ inputs: x, outputs: my.layers.dense({ units: classes, activation: 'softmax' }).apply(h) });
  }
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 1e-3 }), loss: 'sparseCategoricalCrossentropy' });
  return model;
}

/** Microseconds per step of `model`'s step plan run over `batches` in turn. */
function kernelsUs(model: Model, batches: readonly { input: Float32Array; labels: Float32Array; weights: null; n: number }[]): number {
  const start = now();
  const plans = model.stepPlans();
  for (const batch of batches) plans.trainNow(batch);
  return ((now() - start) * 1000) / batches.length;
}

/** The trial as the peers' trainers take it: ReLU hidden layers, softmax output, Adam 1e-3. */
function asTrainingTrial(trial: OverheadTrial, batchSize: number): TrainingTrial {
  const units = trial.dims.slice(1);
  return {
    kind: 'training',
    name: trial.name,
    inputDim: trial.dims[0] as number,
    layers: units.map((u, i) => ({ units: u, activation: i === units.length - 1 ? 'softmax' : 'relu' })),
    loss: 'sparseCategoricalCrossentropy',
    learningRate: 1e-3,
    batchSize,
    samples: trial.samples,
    seed: trial.seed,
    desc: 'Adam 1e-3',
  };
}

async function measureMyelin(my: My, trial: OverheadTrial, data: Dataset, batchSize: number): Promise<StepCosts> {
  const features = trial.dims[0] as number;
  const model = myelinNetwork(my, trial);
  const withoutSkips = trial.residualBlocks === undefined ? null : myelinNetwork(my, trial, false);
  const x = my.tensor2d(data.x, [trial.samples, features]);
  const y = my.tensor2d(data.labels, [trial.samples, 1]);
  const batches = Math.floor(trial.samples / batchSize);
  const rowsOf = (b: number) => ({ x: data.x.subarray(b * batchSize * features, (b + 1) * batchSize * features), y: data.labels.subarray(b * batchSize, (b + 1) * batchSize) });
  const planBatches = Array.from({ length: batches }, (_, b) => ({ input: rowsOf(b).x, labels: rowsOf(b).y, weights: null, n: batchSize }));
  const tensors = Array.from({ length: batches }, (_, b) => [my.tensor2d(rowsOf(b).x, [batchSize, features]), my.tensor2d(rowsOf(b).y, [batchSize, 1])] as const);
  const fitSteps = trial.fitEpochs * Math.ceil(trial.samples / batchSize);

  await model.fit(x, y, { epochs: 1, batchSize, verbose: 0 }); // warm-up: plans, staging, slots
  if (withoutSkips !== null) kernelsUs(withoutSkips, planBatches);
  const best: StepCosts = { kernels: Infinity, trainOnBatch: Infinity, fit: Infinity, kernelsWithoutSkips: withoutSkips === null ? NaN : Infinity };
  for (let pass = 0; pass < overheadTiming.passes; pass++) {
    collectGarbage();
    best.kernels = Math.min(best.kernels, kernelsUs(model, planBatches));
    if (withoutSkips !== null) {
      collectGarbage();
      best.kernelsWithoutSkips = Math.min(best.kernelsWithoutSkips, kernelsUs(withoutSkips, planBatches));
    }
    collectGarbage();
    let start = now();
    for (const [xb, yb] of tensors) model.trainOnBatch(xb, yb);
    best.trainOnBatch = Math.min(best.trainOnBatch, ((now() - start) * 1000) / batches);
    collectGarbage();
    start = now();
    await model.fit(x, y, { epochs: trial.fitEpochs, batchSize, verbose: 0 });
    best.fit = Math.min(best.fit, ((now() - start) * 1000) / fitSteps);
  }
  return best;
}

/** TensorFlow.js's trainOnBatch samples/s on the trial, after a warm-up, for overheadTiming.peerSeconds. */
async function measureTfjs(backend: 'cpu' | 'wasm', trial: OverheadTrial, data: Dataset, batchSize: number): Promise<number> {
  const before = tfjsTensorCount();
  const trainer =
    trial.residualBlocks === undefined
      ? await tfjsTrainer(backend, asTrainingTrial(trial, batchSize), data)
      : await tfjsResidualTrainer(backend, { dims: trial.dims as [number, number, number], blocks: trial.residualBlocks, batchSize, learningRate: 1e-3, seed: trial.seed }, data);
  try {
    await trainer.activate();
    for (let b = 0; b < 5; b++) await trainer.step(b);
    let steps = 0;
    const start = now();
    while (now() - start < overheadTiming.peerSeconds * 1000) await trainer.step(5 + steps++);
    return (steps * batchSize) / ((now() - start) / 1000);
  } finally {
    trainer.dispose();
    if (tfjsTensorCount() !== before) throw new Error(`tfjs holds ${tfjsTensorCount() - before} more tensors after the ${trial.name} trial`);
  }
}

/** The first Python that imports torch: Debian's python3-torch lives in /usr/bin/python3's path. */
function torchPython(): string | null {
  for (const python of ['/usr/bin/python3', 'python3']) {
    if (spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0) return python;
  }
  return null;
}

/** PyTorch's samples/s per batch size, or a reason it could not run. */
function measureTorch(python: string, trial: OverheadTrial, threads: number): Record<string, number> | string {
  const spec = { dims: trial.dims, blocks: trial.residualBlocks ?? 0, batches: trial.batchSizes, samples: trial.samples, threads, epochs: overheadTiming.passes };
  const run = spawnSync(python, [path.join(__dirname, 'peers', 'torch_mlp.py'), JSON.stringify(spec)], { encoding: 'utf8' });
  if (run.status !== 0) return `torch_mlp.py exited ${run.status}: ${run.stderr.trim().split('\n').pop() ?? ''}`;
  return (JSON.parse(run.stdout) as { samplesPerSecond: Record<string, number> }).samplesPerSecond;
}

export async function runOverheadSuite(trials: readonly OverheadTrial[], threadCounts: readonly number[], myelin: MyelinHandle, reporter: Reporter): Promise<void> {
  const { my } = myelin;
  const python = torchPython();
  if (python === null) reporter.notice('step suite: no PyTorch peer (python3 cannot import torch; Debian: apt-get install python3-torch)');
  for (const trial of trials) {
    const data = syntheticClassification(trial.samples, trial.dims[0] as number, trial.dims[trial.dims.length - 1] as number, trial.seed);
    const peers = new Map<string, number>(); // `${peer} ${batch}` -> samples/s; tfjs is single-threaded
    for (const batchSize of trial.batchSizes) {
      for (const backend of ['cpu', 'wasm'] as const) peers.set(`tfjs-${backend} ${batchSize}`, await measureTfjs(backend, trial, data, batchSize));
    }
    for (const threads of threadCounts) {
      if (useThreads(my, threads) !== threads) {
        reporter.notice(`step suite: no ${threads}-thread figure on this machine`);
        continue;
      }
      const torch = python === null ? 'not installed' : measureTorch(python, trial, threads);
      if (typeof torch === 'string') reporter.notice(`${trial.name}: no PyTorch figure at ${threads} thread(s): ${torch}`);
      const isa = my.backendInfo().isa;
      for (const batchSize of trial.batchSizes) {
        const costs = await measureMyelin(my, trial, data, batchSize);
        const added = costs.fit - costs.kernels;
        const merges = Number.isNaN(costs.kernelsWithoutSkips)
          ? ''
          : `; the same layers without the ${trial.residualBlocks ?? 0} additions: kernels ${costs.kernelsWithoutSkips.toFixed(1)} us, so the additions cost ${(costs.kernels - costs.kernelsWithoutSkips).toFixed(1)} us of the step`;
        reporter.row({
          kind: 'step',
          trial: `${trial.name}-overhead`,
          shape: shapeOf(trial, batchSize),
          impl: 'myelin',
          threads,
          isa,
          value: costs.fit,
          unit: 'us/step',
          vs: { kernels: costs.fit / costs.kernels, trainOnBatch: costs.fit / costs.trainOnBatch },
          ok: Number.isFinite(costs.fit),
          note:
            `fit ${costs.fit.toFixed(1)} us, trainOnBatch ${costs.trainOnBatch.toFixed(1)} us (${(costs.trainOnBatch / costs.kernels).toFixed(2)}x the kernels), ` +
            `kernels ${costs.kernels.toFixed(1)} us; fit adds ${added.toFixed(1)} us = ${((100 * added) / costs.fit).toFixed(1)}% of its step${merges}`,
          extra: {
            fit_us: costs.fit, train_on_batch_us: costs.trainOnBatch, kernels_us: costs.kernels, fit_added_us: added,
            ...(Number.isNaN(costs.kernelsWithoutSkips) ? {} : { kernels_without_skips_us: costs.kernelsWithoutSkips }),
          },
        });
        const rate = (batchSize * 1e6) / costs.fit;
        const vs: Record<string, number> = {};
        for (const peer of ['tfjs-cpu', 'tfjs-wasm'] as const) vs[peer] = rate / (peers.get(`${peer} ${batchSize}`) ?? NaN);
        if (typeof torch !== 'string') vs['pytorch'] = rate / (torch[String(batchSize)] ?? NaN);
        reporter.row({ kind: 'step', trial: `${trial.name}-fit`, shape: shapeOf(trial, batchSize), impl: 'myelin', threads, isa, value: rate, unit: 'samples/s', vs, ok: true, note: 'fit() over whole epochs' });
        if (typeof torch !== 'string') {
          const peerRate = torch[String(batchSize)] ?? NaN;
          reporter.row({ kind: 'step', trial: `${trial.name}-fit`, shape: shapeOf(trial, batchSize), impl: 'pytorch', threads, isa: 'native', value: peerRate, unit: 'samples/s', vs: {}, ok: Number.isFinite(peerRate), note: 'epochs of randperm mini-batches, Adam' });
        }
      }
    }
    for (const batchSize of trial.batchSizes) {
      for (const peer of ['tfjs-cpu', 'tfjs-wasm'] as const) {
        reporter.row({ kind: 'step', trial: `${trial.name}-fit`, shape: shapeOf(trial, batchSize), impl: peer, threads: 1, isa: peer === 'tfjs-cpu' ? 'js' : 'wasm', value: peers.get(`${peer} ${batchSize}`) ?? NaN, unit: 'samples/s', vs: {}, ok: true, note: trial.residualBlocks === undefined ? 'trainOnBatch' : 'trainOnBatch of tf.model with tf.layers.add' });
      }
    }
  }
}
