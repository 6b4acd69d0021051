/**
 * The only door to native code. Loads the addon (a prebuilt binary from prebuilds/, or one
 * compiled into build/) and gives every native function a typed signature. Everything above
 * this module validates its input before calling through; the addon checks lengths again.
 */
import * as path from 'node:path';

import { NativeLoadError } from './errors';

/** Codes shared with native/kernels/activations.h. */
export const ActivationCode = {
  linear: 0,
  relu: 1,
  sigmoid: 2,
  tanh: 3,
  softmax: 4,
  sign: 5,
  hardTanh: 6,
  hardSigmoid: 7,
  relu6: 8,
  leakyRelu: 9,
  elu: 10,
  selu: 11,
  gelu: 12,
  geluTanh: 13,
  softplus: 14,
  softsign: 15,
  swish: 16,
} as const;
export type ActivationCode = (typeof ActivationCode)[keyof typeof ActivationCode];

export interface NativeBackendInfo {
  isa: string;
  threads: number;
  maxThreads: number;
  supportedIsas: string[];
}

type F32 = Float32Array;

/** Kernel calls decoded and checked once, run as often as needed (native/binding/plan.cc); opaque to JS. */
export interface NativePlan {
  readonly __nativePlan: unique symbol;
}

/** A number a plan reads at each step from its run's inputs: the input's index. */
export interface PlanInput {
  readonly planInput: number;
}

/**
 * How a plan's run ended: 'completed' (every step ran), 'stopped' (a guard stopped step
 * `steps` - 1), 'cancelled' (cancelPlan), 'paused' (its time budget passed after `steps` steps).
 */
export interface PlanRun {
  readonly outcome: 'completed' | 'stopped' | 'cancelled' | 'paused' | 'skipped';
  readonly steps: number;
}

/**
 * What an optimizer step returns: 1 when the update was applied; NaN when it was refused because
 * a value it would write (a parameter or a slot) would be NaN or infinite, in which case params
 * and the slots' `...In` arrays keep their bits (a NaN or infinite gradient is refused too). NaN, so
 * that a guard stops a plan's step there as it stops one at a diverged loss.
 */
export type StepOutcome = number;

/**
 * The addon's functions. Every kernel runs when called and returns its value, if it has one; a
 * plan (createPlan) takes the same calls as data, to run them later and as often as needed. In a
 * plan, the arguments typed `number | PlanInput` may be read at each step instead.
 */
export interface NativeBinding {
  backendInfo(): NativeBackendInfo;
  setNumThreads(n: number): void;
  setIsa(isa: string): void;
  fmaPeakGflops(threads: number, milliseconds: number): number;
  sgemm(c: F32, a: F32, b: F32, m: number, n: number, k: number, transA: boolean, transB: boolean, alpha: number, beta: number): void;
  /** z receives the pre-activation, for a backward whose activation's derivative reads it (activationNeedsInput); null at inference. */
  denseForward(y: F32, z: F32 | null, x: F32, w: F32, b: F32 | null, n: number, k: number, m: number, act: ActivationCode, alpha: number): void;
  /** dw and db null for a frozen layer (no parameter gradients), dx null for the first layer. */
  denseBackward(dx: F32 | null, dw: F32 | null, db: F32 | null, dy: F32, x: F32, w: F32, z: F32 | null, y: F32, n: number, k: number, m: number, act: ActivationCode, alpha: number): void;
  activationForward(y: F32, z: F32, rows: number, cols: number, act: ActivationCode, alpha: number): void;
  activationBackward(dz: F32, dy: F32, z: F32 | null, y: F32, rows: number, cols: number, act: ActivationCode, alpha: number): void;
  sumOfSquares(values: F32): number;
  gatherRows(dst: F32, src: F32, order: Uint32Array, cols: number): void;
  /** dst = src's rows from `offset` (as many as dst holds): 1, or NaN when they are out of range. */
  copyRowsAt(dst: F32, src: F32, cols: number, offset: number | PlanInput): number;
  // -- activations (native/binding/nn_binding.cc) --
  /** PReLU, and RReLU as PReLU over one row of n * m values with per-element slopes. */
  preluForward(y: F32, z: F32, alpha: F32, n: number, m: number): void;
  /** dalpha is overwritten, not accumulated. */
  preluBackward(dz: F32 | null, dalpha: F32 | null, dy: F32, z: F32, alpha: F32, n: number, m: number): void;
  // -- losses (native/binding/loss_binding.cc) --
  softmaxCrossEntropy(probs: F32, dlogits: F32 | null, logits: F32, labels: F32, weights: F32 | null, n: number, c: number, labelSmoothing: number): number;
  softmaxCrossEntropySparse(probs: F32, dlogits: F32 | null, logits: F32, labels: F32, weights: F32 | null, n: number, c: number, labelSmoothing: number): number;
  sigmoidBinaryCrossEntropy(probs: F32, dlogits: F32 | null, logits: F32, labels: F32, weights: F32 | null, n: number, c: number, labelSmoothing: number): number;
  binaryCrossEntropy(dpred: F32 | null, pred: F32, labels: F32, weights: F32 | null, n: number, c: number, labelSmoothing: number): number;
  categoricalCrossEntropy(dpred: F32 | null, pred: F32, labels: F32, weights: F32 | null, n: number, c: number, labelSmoothing: number): number;
  sparseCategoricalCrossEntropy(dpred: F32 | null, pred: F32, labels: F32, weights: F32 | null, n: number, c: number, labelSmoothing: number): number;
  meanSquaredError(dpred: F32 | null, pred: F32, labels: F32, weights: F32 | null, n: number, c: number): number;
  meanAbsoluteError(dpred: F32 | null, pred: F32, labels: F32, weights: F32 | null, n: number, c: number): number;
  huber(dpred: F32 | null, pred: F32, labels: F32, weights: F32 | null, n: number, c: number, delta: number): number;
  logCosh(dpred: F32 | null, pred: F32, labels: F32, weights: F32 | null, n: number, c: number): number;
  hinge(dpred: F32 | null, pred: F32, labels: F32, weights: F32 | null, n: number, c: number): number;
  squaredHinge(dpred: F32 | null, pred: F32, labels: F32, weights: F32 | null, n: number, c: number): number;
  kullbackLeiblerDivergence(dpred: F32 | null, pred: F32, labels: F32, weights: F32 | null, n: number, c: number): number;
  // -- optimizers (native/binding/optimizer_binding.cc): each step returns a StepOutcome --
  // Each slot is two arrays: the step reads `...In` and writes `...Out` (the caller makes the outs
  // current only when the step was applied), and overwrites grads with the old params, applied or
  // refused. No two arrays may share memory, a slot's in and out included. swap (1) uses each
  // slot's arrays the other way round: a plan's steps alternate them.
  /** velocityOut and velocityIn are null when momentum is 0. */
  sgdStep(params: F32, grads: F32, velocityOut: F32 | null, velocityIn: F32 | null, learningRate: number | PlanInput, momentum: number, nesterov: boolean, swap?: number | PlanInput): StepOutcome;
  adagradStep(params: F32, grads: F32, accumulatorOut: F32, accumulatorIn: F32, learningRate: number | PlanInput, epsilon: number, swap?: number | PlanInput): StepOutcome;
  adadeltaStep(params: F32, grads: F32, accumGradOut: F32, accumDeltaOut: F32, accumGradIn: F32, accumDeltaIn: F32, learningRate: number | PlanInput, rho: number, epsilon: number, swap?: number | PlanInput): StepOutcome;
  /** momentumOut and momentumIn are null when momentum is 0; averageOut and averageIn are null unless centered. */
  rmspropStep(params: F32, grads: F32, velocityOut: F32, momentumOut: F32 | null, averageOut: F32 | null, velocityIn: F32, momentumIn: F32 | null, averageIn: F32 | null, learningRate: number | PlanInput, rho: number, momentum: number, epsilon: number, swap?: number | PlanInput): StepOutcome;
  /** vHatOut and vHatIn are null unless amsgrad; weightDecay > 0 is AdamW's decoupled decay. step counts from 1. */
  adamStep(params: F32, grads: F32, mOut: F32, vOut: F32, vHatOut: F32 | null, mIn: F32, vIn: F32, vHatIn: F32 | null, learningRate: number | PlanInput, beta1: number, beta2: number, epsilon: number, weightDecay: number, step: number | PlanInput, swap?: number | PlanInput): StepOutcome;
  adamaxStep(params: F32, grads: F32, mOut: F32, uOut: F32, mIn: F32, uIn: F32, learningRate: number | PlanInput, beta1: number, beta2: number, epsilon: number, step: number | PlanInput, swap?: number | PlanInput): StepOutcome;
  /** uProduct is Keras's running product of the momentum schedule, u_1 ... u_step. */
  nadamStep(params: F32, grads: F32, mOut: F32, vOut: F32, mIn: F32, vIn: F32, learningRate: number | PlanInput, beta1: number, beta2: number, epsilon: number, step: number | PlanInput, uProduct: number | PlanInput, swap?: number | PlanInput): StepOutcome;
  // -- clipping, regularizers, constraints (native/binding/regularization_binding.cc) --
  /** Bounds of 0 are off; clipNorm and globalClipNorm are never both set. */
  clipGradients(grads: F32, segments: Uint32Array, clipNorm: number, globalClipNorm: number, clipValue: number): void;
  /** Returns scale * (l1 sum|v| + l2 sum v^2); adds its gradient into grads unless null. */
  regularize(grads: F32 | null, values: F32, l1: number, l2: number, scale: number): number;
  minMaxNorm(w: F32, rows: number, cols: number, axis: number, minValue: number, maxValue: number, rate: number): void;
  nonNeg(w: F32): void;
  // -- stateful layers and random numbers (native/binding/layer_binding.cc) --
  randomFillUniform(state: Uint32Array, dst: F32, low: number, high: number): void;
  randomFillNormal(state: Uint32Array, dst: F32, mean: number, stddev: number): void;
  randomFillDropoutMask(state: Uint32Array, dst: F32, rate: number): void;
  /** Fisher-Yates over the same stream: fit's order, drawn natively (24 ns a row in JavaScript, a fifth of that here). */
  randomShuffle(state: Uint32Array, values: Uint32Array): void;
  batchNormForwardTrain(y: F32, xhat: F32, invStd: F32, movingMean: F32, movingVar: F32, x: F32, gamma: F32 | null, beta: F32 | null, momentum: number, epsilon: number, n: number, units: number): void;
  batchNormForwardInfer(y: F32, x: F32, gamma: F32 | null, beta: F32 | null, movingMean: F32, movingVar: F32, epsilon: number, n: number, units: number): void;
  batchNormBackward(dx: F32 | null, dgamma: F32 | null, dbeta: F32 | null, dy: F32, xhat: F32, invStd: F32, gamma: F32 | null, n: number, units: number): void;
  /** A frozen layer's backward, through the inference transform: dx = dy * gamma / sqrt(movingVar + epsilon). */
  batchNormBackwardInfer(dx: F32, dy: F32, gamma: F32 | null, movingVar: F32, epsilon: number, n: number, units: number): void;
  standardizeForward(y: F32, x: F32, mean: F32, variance: F32, epsilon: number, n: number, units: number): void;
  standardizeBackward(dx: F32, dy: F32, variance: F32, epsilon: number, n: number, units: number): void;
  multiplyElementwise(out: F32, a: F32, b: F32): void;
  // -- data (native/binding/data_binding.cc) --
  copy(dst: F32, src: F32): void;
  /** dst[offset ...] = src: 1, or NaN (nothing written) for an offset out of range. */
  copyInto(dst: F32, src: F32, offset: number | PlanInput): number;
  // -- plans (native/binding/plan.cc): see lib/core/plan.ts --
  /** calls: [kernelName, ...arguments] each, or ['guardFinite', valueIndex]; inputCount numbers per step. */
  createPlan(calls: readonly (readonly unknown[])[], inputCount: number): NativePlan;
  /** Each call as text, arrays as b<id>[length]: the same id is the same memory. */
  describePlan(plan: NativePlan): string[];
  /** inputs: steps x inputCount, read row by row; values: steps x valueCount, written row by row. */
  runPlan(plan: NativePlan, steps: number, inputs: Float64Array, values: Float64Array): PlanRun;
  /**
   * runPlan on a libuv thread, after the runs queued before it; budgetMs > 0 pauses it after the
   * step that passes it. With `after` (the plan of the run queued just before), it runs only if
   * that run completed: 'skipped' otherwise.
   */
  runPlanAsync(plan: NativePlan, steps: number, inputs: Float64Array, values: Float64Array, budgetMs: number, after: NativePlan | null): Promise<PlanRun>;
  /** The plan's run in flight, if any, stops before its next kernel call, or (whole) after the step it is in. */
  cancelPlan(plan: NativePlan, whole: boolean): void;
  /** Async runs so far, running now, and the most that ever ran at once. */
  planStats(): { runs: number; running: number; mostAtOnce: number };
  addElementwise(out: F32, a: F32, b: F32): void;
  // -- merge layers of graph models (native/binding/merge_binding.cc) --
  /** out = a - b, one length; out may be a or b itself. */
  subtractElementwise(out: F32, a: F32, b: F32): void;
  /** out = max(a, b), one length, NaN if either is NaN; out may be a or b itself. */
  maximumElementwise(out: F32, a: F32, b: F32): void;
  /** out = min(a, b), one length, NaN if either is NaN; out may be a or b itself. */
  minimumElementwise(out: F32, a: F32, b: F32): void;
  /** out = alpha * x, one length, alpha finite; out may be x itself. */
  scaleElementwise(out: F32, x: F32, alpha: number): void;
  /** dst (n x dstCols) columns [dstOffset, dstOffset + width) = src (n x srcCols) columns [srcOffset, srcOffset + width); dst's other columns kept. */
  copyColumns(dst: F32, dstCols: number, dstOffset: number, src: F32, srcCols: number, srcOffset: number, width: number, n: number): void;
  /** Maximum's and minimum's backward for one input x of y = max/min of several, called for each in order: dx = dy where x == y and no earlier input claimed it, else 0; first resets claimed. */
  winnerGradient(dx: F32, claimed: F32, dy: F32, x: F32, y: F32, first: boolean | 0 | 1): void;
}

/** The package root: lib/ when run from source, dist/ when run compiled; both sit one below it. */
const packageRoot = path.resolve(__dirname, '..');

/** The platforms whose prebuilt binary the package carries (scripts/check-package.sh checks it). */
const PREBUILT_PLATFORMS = ['linux-x64', 'linux-arm64'];

/** What compiling the addon needs on `platform` (docs/platforms.md). */
function sourceBuildNeeds(platform: NodeJS.Platform): string {
  switch (platform) {
    case 'darwin':
      return "python3 and Xcode's Command Line Tools (xcode-select --install)";
    case 'win32':
      return (
        'python3 and Visual Studio 2022 or its Build Tools ' +
        'with the "Desktop development with C++" workload'
      );
    case 'linux':
      return (
        'python3, make and a C++17 compiler, GCC 9 or Clang 10 and later ' +
        '(Debian and Ubuntu: apt-get install python3 make g++; Alpine: apk add python3 make g++)'
      );
    default:
      return 'python3, make and a C++17 compiler, GCC 9 or Clang 10 and later';
  }
}

/** Whether the package has a binary for `target`, and so whether a source build is expected. */
function prebuiltNote(target: string): string {
  if (PREBUILT_PLATFORMS.includes(target)) {
    return (
      `The package ships a prebuilt binary for ${target} (glibc 2.34 or later); it is missing here ` +
      "or did not load (on musl, as in Alpine, or without glibc 2.34 and GCC 12's libstdc++, it " +
      'cannot: build from source).'
    );
  }
  return (
    `The package ships prebuilt binaries for ${PREBUILT_PLATFORMS.join(' and ')} (glibc 2.34 or later) only; ` +
    `on ${target} myelin compiles from source.`
  );
}

function load(): NativeBinding {
  try {
    // node-gyp-build looks for build/Release, build/Debug and prebuilds/<platform>-<arch>/ in turn.
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
    return nodeGypBuild(packageRoot) as NativeBinding;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const target = `${process.platform}-${process.arch}`;
    throw new NativeLoadError(
      [
        `myelin could not load its native addon for ${target} (Node ${process.version}).`,
        prebuiltNote(target),
        `Tried, in ${packageRoot}: build/Release/myelin.node, build/Debug/myelin.node and prebuilds/${target}/*.node.`,
        `The loader said: ${reason}`,
        `A source build on ${process.platform} needs ${sourceBuildNeeds(process.platform)}.`,
        'To fix it:',
        '  - in a clone of myelin: npm install   (or: npx node-gyp rebuild);',
        '  - in a project using myelin: npm 11 runs no install script of a dependency unless you allow it:',
        '    npm install-scripts approve myelin && npm rebuild myelin.',
      ].join('\n'),
      { cause },
    );
  }
}

export const native: NativeBinding = load();

/** Row-major C = alpha * op(A) * op(B) + beta * C; see native/kernels/gemm/gemm.h. */
export function sgemm(c: F32, a: F32, b: F32, m: number, n: number, k: number, transA: boolean, transB: boolean, alpha: number, beta: number): void {
  native.sgemm(c, a, b, m, n, k, transA, transB, alpha, beta);
}
