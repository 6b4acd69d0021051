// The bench's one door to myelin. Loaded lazily so that a missing build (no lib/, or the
// addon not compiled) skips myelin's rows with the loader's message instead of killing the
// whole run, and so that `--only training` on a box without myelin still measures the peers.
// `require` rather than `import()`: the package is CommonJS, and under module node20 an
// `import()` would go through ESM resolution (explicit extensions, CJS interop) for nothing.

import type { Dataset } from './data';
import type { Trainer } from './training';
import type { TrainingTrial } from './trials';

export type Myelin = typeof import('../lib/index');
export type MyelinBackend = typeof import('../lib/backend');

export interface MyelinHandle {
  readonly my: Myelin;
  readonly backend: MyelinBackend;
}

/** Loads myelin from source; returns the loader's error message when it cannot. */
export function loadMyelin(): MyelinHandle | string {
  try {
    const my = require('../lib/index') as Myelin;
    const backend = require('../lib/backend') as MyelinBackend;
    my.backendInfo(); // touches the addon, so a load failure shows up here and not mid-suite
    return { my, backend };
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  }
}

/**
 * Sets myelin's thread count and reports what it actually is; callers skip a runner whose
 * count differs from the one asked for (a 1-CPU machine has no 2-thread figure).
 */
export function useThreads(my: Myelin, threads: number): number {
  const info = my.backendInfo();
  if (threads > info.maxThreads) return info.threads; // setNumThreads would throw RangeError
  my.setNumThreads(threads);
  return my.backendInfo().threads;
}

/** Builds the trial's model in myelin and returns a Trainer that steps at `threads` threads through `data`. */
export function myelinTrainer(my: Myelin, trial: TrainingTrial, data: Dataset, threads: number): Trainer {
  my.seed(trial.seed);
  const model = my.sequential(
    trial.layers.map((layer, i) =>
      my.layers.dense({
        units: layer.units,
        activation: layer.activation,
        kernelInitializer: 'glorotUniform',
        ...(i === 0 ? { inputShape: [trial.inputDim] } : {}),
      }),
    ),
  );
  model.compile({ optimizer: my.optimizers.adam({ learningRate: trial.learningRate }), loss: trial.loss });

  // Tensors are built once, outside the timed window, as the peers' are.
  const nBatches = Math.floor(data.samples / trial.batchSize);
  const xs: ReturnType<Myelin['tensor2d']>[] = [];
  const ys: ReturnType<Myelin['tensor2d']>[] = [];
  for (let b = 0; b < nBatches; b++) {
    const start = b * trial.batchSize;
    const end = start + trial.batchSize;
    xs.push(my.tensor2d(data.x.slice(start * data.inputDim, end * data.inputDim), [trial.batchSize, data.inputDim]));
    ys.push(my.tensor2d(data.labels.slice(start, end), [trial.batchSize, 1]));
  }

  const info = my.backendInfo();
  return {
    impl: 'myelin',
    isa: info.isa,
    threads: info.threads,
    note: '',
    activate(): void {
      useThreads(my, threads);
    },
    step(batch: number): number {
      const i = batch % nBatches;
      const x = xs[i];
      const y = ys[i];
      if (x === undefined || y === undefined) throw new Error(`no batch ${i}`);
      return model.trainOnBatch(x, y);
    },
    dispose(): void {
      // Nothing to free: the garbage collector owns myelin's memory.
    },
  };
}
