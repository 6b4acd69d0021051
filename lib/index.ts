/**
 * myelin: neural networks for Node.js with a TensorFlow.js / Keras-style API over native kernels.
 *
 *   import * as my from 'myelin';
 *   const model = my.sequential([my.layers.dense({ inputShape: [64], units: 32, activation: 'relu' }), ...]);
 */
import { native } from './backend';
import * as initializerFns from './initializers';
import { ArgumentRangeError } from './errors';
import { describe, positiveInteger } from './validate';

export { Tensor, tensor1d, tensor2d, type LabelsLike, type TensorLike } from './tensor';
export { Model, type BatchArgs, type CompileArgs, type ModelInputs, type ModelLabels, type PredictAsyncArgs } from './core/model';
export { Sequential, sequential } from './models/sequential';
export { Functional, input, model, type InputConfig, type ModelConfig } from './models/functional';
export { SymbolicTensor } from './layers/symbolic';
export type { FitArgs, History } from './core/fit';
export type { ExportOnnxOptions } from './onnx/export';
export type { CallbackParams, CustomCallbackArgs, Logs } from './callbacks';
export * as callbacks from './callbacks';
export type { ActivationName } from './activations';
export type { LossName } from './losses';
export * as losses from './losses-api';
export type { MetricName } from './metrics';
export * as metrics from './metrics';
export type { Initializer, InitializerName, ConstantArgs, RandomUniformArgs, RandomNormalArgs, VarianceScalingArgs } from './initializers';
export type { OptimizerName } from './optimizers/by-name';
export * as layers from './layers';
export * as optimizers from './optimizers';
export * as schedules from './schedules';
export * as regularizers from './regularizers';
export * as constraints from './constraints';
export * as data from './data';
export * as serving from './serving';
export { crossValidate, type CrossValidateArgs, type CrossValidation } from './models/cross-validate';
export { loadCheckpoint, loadModel, loadModelSync, modelFromJSON, type Checkpoint, type LoadOptions, type ModelJSON, type SaveOptions } from './io';
export * from './errors';
export { seed } from './random';

/** Initializers to pass as kernelInitializer / biasInitializer, e.g. initializers.heNormal() or initializers.varianceScaling({ scale: 2, mode: 'fanAvg' }). */
export const initializers = {
  zeros: initializerFns.zeros,
  ones: initializerFns.ones,
  constant: initializerFns.constant,
  randomUniform: initializerFns.randomUniform,
  randomNormal: initializerFns.randomNormal,
  truncatedNormal: initializerFns.truncatedNormal,
  varianceScaling: initializerFns.varianceScaling,
  glorotUniform: initializerFns.glorotUniform,
  glorotNormal: initializerFns.glorotNormal,
  heUniform: initializerFns.heUniform,
  heNormal: initializerFns.heNormal,
  lecunUniform: initializerFns.lecunUniform,
  lecunNormal: initializerFns.lecunNormal,
};

export const version: string = (require('../package.json') as { version: string }).version;

export interface BackendInfo {
  /** The instruction-set path the kernels take: 'avx512', 'avx2' or 'generic' on x64, 'neon' or 'generic' on arm64 (MYELIN_ISA overrides). */
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
  const threads = positiveInteger(n, 'threads');
  const { maxThreads } = native.backendInfo();
  if (threads > maxThreads) throw new ArgumentRangeError({ argument: 'threads', expected: `an integer from 1 to ${maxThreads}`, received: describe(n) }, 'backendInfo().maxThreads is the most this machine runs.');
  native.setNumThreads(threads);
}
