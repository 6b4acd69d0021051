/**
 * ONNX export of a Sequential model for inference: a standard ModelProto (opset 17) with one
 * float32 input 'input' [N, features] and one output 'output' [N, outputs] holding what
 * model.predict() returns, probabilities included when the loss fuses the output activation.
 * Checked against onnxruntime in test/onnx/.
 */
import { onnx } from './proto/onnx';

import { ArgumentTypeError, ModelStateError } from '../errors';
import { atomicWrite, atomicWriteSync } from '../io/atomic-write';
import { foldBatchNorm as foldBatchNormOf } from '../core/fold-batch-norm';
import type { Model } from '../core/model';
import { boolean, describe, knownOptions, plainObject } from '../validate';
import { GraphBuilder } from './graph';
import { checkSupported, emitLayer } from './operators';

export interface ExportOnnxOptions {
  /**
   * Merge each BatchNormalization that follows a Dense without activation into that Dense's
   * Gemm (model.foldBatchNorm()), one operator fewer per pair; the others become ONNX
   * BatchNormalization operators. Default true.
   */
  foldBatchNorm?: boolean;
}

const producerVersion = (require('../../package.json') as { version: string }).version;

function parseOptions(value: unknown): Required<ExportOnnxOptions> {
  const options = plainObject(value ?? {}, 'exportOnnx options');
  knownOptions(options, 'exportOnnx options', ['foldBatchNorm']);
  return { foldBatchNorm: options['foldBatchNorm'] === undefined ? true : boolean(options['foldBatchNorm'], 'foldBatchNorm') };
}

/** The model as the bytes of an ONNX file. */
export function toOnnx(model: Model, options?: ExportOnnxOptions): Uint8Array {
  const { foldBatchNorm } = parseOptions(options);
  if (model.layers.length === 0) throw new ModelStateError('The model has no layers: add one with model.add(layers.dense({ ... })) before exporting it.');
  // Checked first, so an unsupported layer is named before folding tries to copy it.
  checkSupported(model.layers);
  const source = foldBatchNorm ? foldBatchNormOf(model) : model;
  const g = new GraphBuilder();
  const input = g.input('input');
  const result = source.layers.reduce((x, layer) => emitLayer(g, layer, source.weightViews(layer), x), input);
  const proto = g.model({
    input,
    inputWidth: source.inputUnits,
    result,
    output: 'output',
    outputWidth: source.outputUnits,
    producerVersion,
    docString: `A myelin model: ${model.layers.map((l) => `${l.name} (${l.className})`).join(', ')}.`,
  });
  return onnx.ModelProto.encode(proto).finish();
}

function checkPath(value: unknown): string {
  if (typeof value !== 'string' || value === '') throw new ArgumentTypeError({ argument: 'path', expected: 'a file path (a non-empty string)', received: describe(value) });
  return value;
}

/**
 * Writes the model's ONNX file atomically (lib/io/atomic-write.ts): an existing file at path is
 * replaced only once the new one is complete. Everything is checked before the file is touched.
 */
export async function exportOnnx(model: Model, path: string, options?: ExportOnnxOptions): Promise<void> {
  const target = checkPath(path);
  await atomicWrite(target, [toOnnx(model, options)]);
}

export function exportOnnxSync(model: Model, path: string, options?: ExportOnnxOptions): void {
  const target = checkPath(path);
  atomicWriteSync(target, [toOnnx(model, options)]);
}
