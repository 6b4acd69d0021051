// The TensorFlow.js peer: factories that build the benchmark MLP, or the residual MLP as a
// tf.model, on the pure-JS CPU backend or on the WebAssembly backend. Same layers, initializer
// family, optimizer, loss, batch size and bytes of data as myelin's side, so the ratio compares
// engines, not models.
//
// tfjs keeps tensors outside the garbage collector: everything created here is disposed in
// `dispose()`, and the suite compares tfjsTensorCount() before and after, so a leak shows.
//
// Both backends stay initialized for the whole suite, because the suite's runners take turns:
// `activate()` makes this trainer's backend current again before it steps. Its tensors were
// created on that backend, so switching moves no data.

import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { Dataset } from '../data';
import type { TrainingTrial } from '../trials';
import type { Trainer } from '../training';

export type TfjsBackend = 'cpu' | 'wasm';

/** Tensors tfjs holds, across all backends (the engine's own count: tf.memory() would insist on a backend). */
export function tfjsTensorCount(): number {
  return tf.engine().state.numTensors;
}

let wasmPathsSet = false;

// The wasm backend must be told where its .wasm binaries are before its first initialization.
// Node's bundle would guess from its own __dirname; pointing at the installed package's dist/
// explicitly keeps that working under bundlers and makes the binary's origin obvious.
// In Node the backend picks the SIMD binary and never the threaded one (no cross-origin
// isolated SharedArrayBuffer), so the wasm peer is single-threaded.
async function useBackend(backend: TfjsBackend): Promise<void> {
  // The warnings tfjs prints in Node ("install tfjs-node ...") would break --json output;
  // prod mode only silences warnings.
  tf.enableProdMode();
  if (backend === 'wasm' && !wasmPathsSet) {
    const packageDir = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
    setWasmPaths(join(packageDir, 'dist') + '/');
    wasmPathsSet = true;
  }
  if (!(await tf.setBackend(backend))) throw new Error(`tfjs backend '${backend}' failed to initialize`);
  await tf.ready();
}

async function describeBackend(backend: TfjsBackend): Promise<{ isa: string; threads: number; note: string }> {
  if (backend === 'cpu') return { isa: 'js', threads: 1, note: '' };
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  const threaded = Boolean(await tf.env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'));
  return {
    isa: simd ? 'wasm-simd' : 'wasm',
    threads: 1,
    note: threaded ? 'wasm reports multithread support: figure may use more than 1 thread' : '',
  };
}

/** Builds the trial's model on `backend` and returns a Trainer stepping through `data` batch by batch. */
export async function tfjsTrainer(backend: TfjsBackend, trial: TrainingTrial, data: Dataset): Promise<Trainer> {
  await useBackend(backend);
  const model = tf.sequential();
  trial.layers.forEach((layer, i) => {
    model.add(
      tf.layers.dense({
        units: layer.units,
        activation: layer.activation,
        kernelInitializer: tf.initializers.glorotUniform({ seed: trial.seed + i }),
        biasInitializer: 'zeros',
        ...(i === 0 ? { inputShape: [trial.inputDim] } : {}),
      }),
    );
  });
  return compiledTrainer(backend, model, trial.learningRate, trial.batchSize, data);
}

/** The residual MLP of bench/trials.ts's residualBlocks: [inputs, width, classes] and its blocks. */
export interface ResidualSpec {
  readonly dims: readonly [number, number, number];
  readonly blocks: number;
  readonly batchSize: number;
  readonly learningRate: number;
  readonly seed: number;
}

/**
 * The residual MLP as a tf.model: Dense (no bias), BatchNormalization (Keras's momentum 0.99 and
 * epsilon 1e-3, as myelin's) and ReLU to the width, then blocks of the same three layers added
 * to their input with tf.layers.add, then the softmax layer.
 */
export async function tfjsResidualTrainer(backend: TfjsBackend, spec: ResidualSpec, data: Dataset): Promise<Trainer> {
  await useBackend(backend);
  const [inputs, width, classes] = spec.dims;
  let seed = spec.seed;
  const denseBnRelu = (t: tf.SymbolicTensor): tf.SymbolicTensor => {
    const h = tf.layers.dense({ units: width, useBias: false, kernelInitializer: tf.initializers.heNormal({ seed: seed++ }) }).apply(t) as tf.SymbolicTensor;
    const normalized = tf.layers.batchNormalization({ momentum: 0.99, epsilon: 1e-3 }).apply(h) as tf.SymbolicTensor;
    return tf.layers.activation({ activation: 'relu' }).apply(normalized) as tf.SymbolicTensor;
  };
  const x = tf.input({ shape: [inputs] });
  let h = denseBnRelu(x);
  for (let b = 0; b < spec.blocks; b++) h = tf.layers.add().apply([h, denseBnRelu(h)]) as tf.SymbolicTensor;
  const y = tf.layers.dense({ units: classes, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed }) }).apply(h) as tf.SymbolicTensor;
  return compiledTrainer(backend, tf.model({ inputs: x, outputs: y }), spec.learningRate, spec.batchSize, data);
}

/** Compiles `model` (Adam, sparse categorical cross-entropy) and returns a Trainer stepping through `data` batch by batch. */
async function compiledTrainer(backend: TfjsBackend, model: tf.LayersModel, learningRate: number, batchSize: number, data: Dataset): Promise<Trainer> {
  const info = await describeBackend(backend);
  const optimizer = tf.train.adam(learningRate);
  model.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });

  // Batches are uploaded once, outside the timed window, as myelin's are.
  const nBatches = Math.floor(data.samples / batchSize);
  const xs: tf.Tensor2D[] = [];
  const ys: tf.Tensor2D[] = [];
  for (let b = 0; b < nBatches; b++) {
    const start = b * batchSize;
    const end = start + batchSize;
    xs.push(tf.tensor2d(data.x.subarray(start * data.inputDim, end * data.inputDim), [batchSize, data.inputDim]));
    ys.push(tf.tensor2d(data.labels.subarray(start, end), [batchSize, 1]));
  }

  return {
    impl: backend === 'cpu' ? 'tfjs-cpu' : 'tfjs-wasm',
    isa: info.isa,
    threads: info.threads,
    note: info.note,
    async activate(): Promise<void> {
      if (tf.getBackend() !== backend) await useBackend(backend);
    },
    async step(batch: number): Promise<number> {
      const i = batch % nBatches;
      const x = xs[i];
      const y = ys[i];
      if (x === undefined || y === undefined) throw new Error(`no batch ${i}`);
      // trainOnBatch reads the loss back from the backend, as myelin's synchronous call returns it.
      const loss = await model.trainOnBatch(x, y);
      return Array.isArray(loss) ? (loss[0] ?? NaN) : loss;
    },
    dispose(): void {
      for (const t of xs) t.dispose();
      for (const t of ys) t.dispose();
      model.dispose(); // its weights; not the optimizer, which it did not create
      optimizer.dispose();
    },
  };
}
