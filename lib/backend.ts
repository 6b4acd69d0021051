/**
 * The only door to native code. Loads the addon (a prebuilt binary from prebuilds/, or one
 * compiled into build/) and gives every native function a typed signature. Everything above
 * this module validates its input before calling through; the addon checks lengths again.
 */
import * as path from 'node:path';

import { NativeLoadError } from './errors';

/** Codes shared with native/kernels/activations.h. */
export const ActivationCode = { linear: 0, relu: 1, sigmoid: 2, tanh: 3, softmax: 4 } as const;
export type ActivationCode = (typeof ActivationCode)[keyof typeof ActivationCode];

export interface NativeBackendInfo {
  isa: string;
  threads: number;
  maxThreads: number;
  supportedIsas: string[];
}

type F32 = Float32Array;

interface NativeBinding {
  backendInfo(): NativeBackendInfo;
  setNumThreads(n: number): void;
  setIsa(isa: string): void;
  fmaPeakGflops(threads: number, milliseconds: number): number;
  sgemm(c: F32, a: F32, b: F32, m: number, n: number, k: number, transA: boolean, transB: boolean, alpha: number, beta: number): void;
  denseForward(y: F32, x: F32, w: F32, b: F32 | null, n: number, k: number, m: number, act: ActivationCode): void;
  denseBackward(dx: F32 | null, dw: F32, db: F32 | null, dy: F32, x: F32, w: F32, y: F32, n: number, k: number, m: number, act: ActivationCode): void;
  activationForward(y: F32, z: F32, rows: number, cols: number, act: ActivationCode): void;
  activationBackward(dz: F32, dy: F32, y: F32, rows: number, cols: number, act: ActivationCode): void;
  softmaxCrossEntropy(probs: F32, dlogits: F32 | null, logits: F32, labels: F32, n: number, c: number): number;
  softmaxCrossEntropySparse(probs: F32, dlogits: F32 | null, logits: F32, labels: F32, n: number, c: number): number;
  sigmoidBinaryCrossEntropy(probs: F32, dlogits: F32 | null, logits: F32, labels: F32, n: number, c: number): number;
  binaryCrossEntropy(dpred: F32 | null, pred: F32, labels: F32, n: number, c: number): number;
  categoricalCrossEntropy(dpred: F32 | null, pred: F32, labels: F32, n: number, c: number): number;
  sparseCategoricalCrossEntropy(dpred: F32 | null, pred: F32, labels: F32, n: number, c: number): number;
  meanSquaredError(dpred: F32 | null, pred: F32, labels: F32, n: number, c: number): number;
  sgdStep(params: F32, velocity: F32 | null, grads: F32, learningRate: number, momentum: number): void;
  sumOfSquares(values: F32): number;
  gatherRows(dst: F32, src: F32, order: Uint32Array, cols: number): void;
  adamStep(params: F32, m: F32, v: F32, grads: F32, learningRate: number, beta1: number, beta2: number, epsilon: number, step: number): void;
  // -- activations (native/binding/nn_binding.cc) --
  // -- losses (native/binding/loss_binding.cc) --
  // -- optimizers (native/binding/optimizer_binding.cc) --
  // -- clipping, regularizers, constraints (native/binding/regularization_binding.cc) --
  // -- stateful layers and random numbers (native/binding/layer_binding.cc) --
}

/** The package root: lib/ when run from source, dist/ when run compiled; both sit one below it. */
const packageRoot = path.resolve(__dirname, '..');

function load(): NativeBinding {
  try {
    // node-gyp-build looks for build/Release, build/Debug and prebuilds/<platform>-<arch>/ in turn.
    const nodeGypBuild = require('node-gyp-build') as (dir: string) => unknown;
    return nodeGypBuild(packageRoot) as NativeBinding;
  } catch (cause) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new NativeLoadError(
      [
        `myelin could not load its native addon for ${process.platform}-${process.arch} (Node ${process.version}).`,
        `Tried, in ${packageRoot}: build/Release/myelin.node, build/Debug/myelin.node and prebuilds/${process.platform}-${process.arch}/*.node.`,
        `The loader said: ${reason}`,
        'To fix it:',
        '  - in a clone of myelin: npm install   (or: npx node-gyp rebuild), which needs python3, make and a C++17 compiler;',
        '  - in a project using myelin on a platform without a prebuilt binary: npm 11 runs no install script of a dependency',
        '    unless you allow it: npm install-scripts approve myelin && npm rebuild myelin.',
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
