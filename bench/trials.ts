// The declarative lists of what `npm run bench` measures (after better-sqlite3's
// benchmark/trials.js): each trial names an operation and its shape; each runner names an
// implementation, its thread count and which earlier runners its figure is divided by.
// Changing what is benchmarked means editing these lists, not the timing code.

/** Implementations the suites know how to build (one factory each). */
export type Impl = 'myelin' | 'tfjs-cpu' | 'tfjs-wasm';

/** One implementation at one thread count; `compareTo` names runners earlier in the same list (see runnerLabel). */
export interface Runner {
  readonly impl: Impl;
  readonly threads: number;
  readonly compareTo: readonly string[];
}

/** A runner of the training suite: untimed steps first (JIT, thread-pool start, tfjs kernel compilation, Adam slots). */
export interface TrainingRunner extends Runner {
  readonly warmupBatches: number;
}

/** Row-major C (m,n) = op(A) (m,k) * op(B) (k,n); A is stored (k,m) when transA, B is (n,k) when transB. */
export interface GemmTrial {
  readonly kind: 'gemm';
  readonly name: string;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transA: boolean;
  readonly transB: boolean;
  readonly desc: string;
}

export interface DenseSpec {
  readonly units: number;
  readonly activation: 'relu' | 'softmax';
}

export interface TrainingTrial {
  readonly kind: 'training';
  readonly name: string;
  readonly inputDim: number;
  readonly layers: readonly DenseSpec[];
  readonly loss: 'sparseCategoricalCrossentropy';
  readonly learningRate: number;
  readonly batchSize: number;
  /** Synthetic samples generated once (fixed seed) and shared by every runner. */
  readonly samples: number;
  readonly seed: number;
  readonly desc: string;
}

/** Label used in result rows and in `compareTo`: peers are single-threaded, so only myelin carries a thread count. */
export function runnerLabel(r: Runner): string {
  return r.impl === 'myelin' ? `myelin ${r.threads}t` : r.impl;
}

function gemm(name: string, m: number, n: number, k: number, transA: boolean, transB: boolean, desc: string): GemmTrial {
  return { kind: 'gemm', name, m, n, k, transA, transB, desc };
}

// Square sizes show the kernel's peak; the MLP shapes are what training the model below
// actually asks of GEMM (batch 128, the 784->256 layer): forward, dW = X^T dY, dX = dY W^T.
export const gemmTrials: readonly GemmTrial[] = [
  gemm('square-256', 256, 256, 256, false, false, 'square'),
  gemm('square-512', 512, 512, 512, false, false, 'square'),
  gemm('square-1024', 1024, 1024, 1024, false, false, 'square'),
  gemm('mlp-forward', 128, 256, 784, false, false, 'X W: [128x784]x[784x256]'),
  gemm('mlp-dW', 784, 256, 128, true, false, 'X^T dY: [784x128]x[128x256]'),
  gemm('mlp-dX', 128, 784, 256, false, true, 'dY W^T: [128x256]x[256x784]'),
];

export const gemmRunners: readonly Runner[] = [
  { impl: 'myelin', threads: 1, compareTo: [] },
  { impl: 'myelin', threads: 2, compareTo: ['myelin 1t'] },
];

/** GEMM timing: per runner, warm-up, then `repetitions` interleaved repetitions of at least `minRepetitionMs`; best kept. */
export const gemmTiming = { warmupMs: 100, minRepetitionMs: 60, repetitions: 15 } as const;

export const trainingTrials: readonly TrainingTrial[] = [
  {
    kind: 'training',
    name: 'mlp-784-256-128-10',
    inputDim: 784,
    layers: [
      { units: 256, activation: 'relu' },
      { units: 128, activation: 'relu' },
      { units: 10, activation: 'softmax' },
    ],
    loss: 'sparseCategoricalCrossentropy',
    learningRate: 1e-3,
    batchSize: 128,
    samples: 128 * 40,
    seed: 42,
    desc: 'Adam 1e-3, batch 128, glorotUniform',
  },
];

// The training suite interleaves its runners: `rounds` times, each runner in turn trains for
// one window of at least `windowSeconds` and `minWindowBatches` steps. The slow peers thus get
// a fixed, small number of batches (tfjs-cpu does ~350 samples/s, ~0.4 s a batch): whole
// epochs would blow the ~3 minute budget without making the figure any steadier.
export const trainingTiming = { rounds: 4, windowSeconds: 1.25, minWindowBatches: 2 } as const;

// tfjs-wasm runs its first ~10 steps slower (measured), hence its longer warm-up.
export const trainingRunners: readonly TrainingRunner[] = [
  { impl: 'tfjs-cpu', threads: 1, compareTo: [], warmupBatches: 3 },
  { impl: 'tfjs-wasm', threads: 1, compareTo: [], warmupBatches: 10 },
  { impl: 'myelin', threads: 1, compareTo: ['tfjs-cpu', 'tfjs-wasm'], warmupBatches: 5 },
  { impl: 'myelin', threads: 2, compareTo: ['tfjs-cpu', 'tfjs-wasm', 'myelin 1t'], warmupBatches: 5 },
];

/** The whole-step and inference suites' model: the MLP of the training trial, on 60000 samples
 * (an epoch of Fashion-MNIST's size). */
export type StepTrial = TrainingTrial;

export const stepTrial: StepTrial = { ...(trainingTrials[0] as TrainingTrial), name: 'mlp-784-256-128-10-epoch', samples: 60000 };

/** Epochs timed after one untimed one (best kept), calls per breakdown figure, peak-loop length. */
export const stepTiming = { epochs: 3, stepReps: 300, peakMs: 300 } as const;

/**
 * The inference suite: batch-1 calls timed after warm-up, as the issue asks (10000), then
 * `largeCalls` calls of a `largeBatch` batch; both implementations take turns in `blocks`
 * blocks. The model is first trained for `trainBatches` batches of the trial's size.
 */
export const inferenceTiming = { calls: 10000, warmup: 1000, largeBatch: 1000, largeCalls: 100, largeWarmup: 10, blocks: 10, trainBatches: 20, peakMs: 200 } as const;

/**
 * The overhead part of the step suite (bench/overhead.ts): a network, its batch sizes, the rows
 * of its data set, and the epochs of each timed fit() (enough for a few hundred milliseconds).
 */
export interface OverheadTrial {
  readonly name: string;
  /**
   * Inputs, hidden units (ReLU) and classes (softmax with sparse cross-entropy). With
   * residualBlocks, [inputs, width, classes] of a residual MLP (see residualBlocks).
   */
  readonly dims: readonly number[];
  /**
   * When given, the network is examples/residual-mlp.js's: Dense (no bias), BatchNormalization and
   * ReLU to `width`, then this many blocks of the same three layers whose output is added to the
   * block's input (layers.add), then the softmax layer. Its peers build the same graph.
   */
  readonly residualBlocks?: number;
  readonly batchSizes: readonly number[];
  readonly samples: number;
  readonly fitEpochs: number;
  readonly seed: number;
}

/**
 * The anchor MLP of the other suites, the small network of tabular data where Node users live,
 * and a graph model: the residual MLP of examples/residual-mlp.js at the tabular row's size and
 * at the example's Fashion-MNIST size.
 */
export const overheadTrials: readonly OverheadTrial[] = [
  { name: 'anchor', dims: [784, 256, 128, 10], batchSizes: [128], samples: 60000, fitEpochs: 1, seed: 42 },
  { name: 'tabular', dims: [20, 16, 16, 2], batchSizes: [16, 128, 1024], samples: 16384, fitEpochs: 4, seed: 42 },
  { name: 'residual-tabular', dims: [20, 16, 2], residualBlocks: 2, batchSizes: [16, 128, 1024], samples: 16384, fitEpochs: 4, seed: 42 },
  { name: 'residual-fashion', dims: [784, 96, 10], residualBlocks: 12, batchSizes: [128], samples: 60000, fitEpochs: 1, seed: 42 },
];

/** Passes of each measurement (best kept, interleaved kernels / trainOnBatch / fit), and each peer's timed seconds. */
export const overheadTiming = { passes: 3, peerSeconds: 1 } as const;

/** Thread counts of the step and inference suites. */
export const stepThreads: readonly number[] = [1, 2];
