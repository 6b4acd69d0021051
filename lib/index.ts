/**
 * myelin: neural networks for Node.js with a TensorFlow.js / Keras-style API over native kernels.
 *
 *   import * as my from 'myelin';
 *   const model = my.sequential([my.layers.dense({ inputShape: [64], units: 32, activation: 'relu' }), ...]);
 */
import { native } from './backend';
import * as initializerFns from './initializers';
import { positiveInteger } from './validate';

export { Tensor, tensor1d, tensor2d, type LabelsLike, type TensorLike } from './tensor';
export { Sequential, sequential, type BatchArgs, type CompileArgs } from './models/sequential';
export type { FitArgs, History } from './models/fit';
export type { CustomCallbackArgs, Logs } from './callbacks';
export type { ActivationName } from './activations';
export type { LossName } from './losses';
export type { MetricName } from './metrics';
export type { Initializer, InitializerName } from './initializers';
export type { OptimizerName } from './optimizers/by-name';
export * as layers from './layers';
export * as optimizers from './optimizers';
export * as datasets from './data';
export * from './errors';
export { seed } from './random';

/** Initializers to pass as kernelInitializer / biasInitializer, e.g. initializers.heNormal(). */
export const initializers = {
  zeros: initializerFns.zeros,
  glorotUniform: initializerFns.glorotUniform,
  heNormal: initializerFns.heNormal,
};

export const version: string = (require('../package.json') as { version: string }).version;

export interface BackendInfo {
  /** The instruction-set path the kernels take: 'avx512', 'avx2' or 'generic' (MYELIN_ISA overrides). */
  readonly isa: string;
  /** Threads a kernel call uses (MYELIN_NUM_THREADS or setNumThreads). */
  readonly threads: number;
  readonly maxThreads: number;
  readonly supportedIsas: readonly string[];
  readonly version: string;
}

export function backendInfo(): BackendInfo {
  return { ...native.backendInfo(), version };
}

/** Threads for the native kernels, from 1 to backendInfo().maxThreads. */
export function setNumThreads(n: number): void {
  native.setNumThreads(positiveInteger(n, 'threads'));
}
