// The TensorFlow.js peer: one factory that builds the benchmark MLP on the pure-JS CPU backend
// or on the WebAssembly backend. Same layers, initializer family, optimizer, loss, batch size
// and bytes of data as myelin's side, so the ratio compares engines, not models.
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
  const info = await describeBackend(backend);

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
  const optimizer = tf.train.adam(trial.learningRate);
  model.compile({ optimizer, loss: trial.loss });

  // Batches are uploaded once, outside the timed window, as myelin's are.
  const nBatches = Math.floor(data.samples / trial.batchSize);
  const xs: tf.Tensor2D[] = [];
  const ys: tf.Tensor2D[] = [];
  for (let b = 0; b < nBatches; b++) {
    const start = b * trial.batchSize;
    const end = start + trial.batchSize;
    xs.push(tf.tensor2d(data.x.subarray(start * data.inputDim, end * data.inputDim), [trial.batchSize, data.inputDim]));
    ys.push(tf.tensor2d(data.labels.subarray(start, end), [trial.batchSize, 1]));
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
