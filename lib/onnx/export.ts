/**
 * ONNX export of a model for inference: a standard ModelProto (opset 17) holding what
 * model.predict() returns, probabilities included when the loss fuses an output's activation.
 * A Sequential has one float32 input 'input' [N, features] and one output 'output' [N, outputs];
 * a graph model has an input [N, width] per model input, named as it is, and an output per model
 * output, named as the output is (model.outputNames): a name an input already took gets a suffix,
 * name_2. Each graph node becomes its layer's operators, a shared layer's weights stored once.
 * Checked against onnxruntime in test/onnx/.
 */
import { onnx } from './proto/onnx';

import { ArgumentTypeError, ModelStateError } from '../errors';
import { atomicWrite, atomicWriteSync } from '../io/atomic-write';
import { foldablePairs, foldedWeights } from '../core/fold-batch-norm';
import type { GraphNode } from '../core/graph';
import type { Model } from '../core/model';
import type { BatchNormalization } from '../layers/batch-normalization';
import type { Dense } from '../layers/dense';
import type { Layer } from '../layers/layer';
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

/** The names and widths of the ONNX graph's inputs and outputs, in the model's order. */
export interface OnnxSignature {
  readonly inputs: readonly { readonly name: string; readonly width: number }[];
  readonly outputs: readonly { readonly name: string; readonly width: number }[];
}

/**
 * Whether the model is a graph model (lib/models/functional.ts, whose layout() is for writers
 * like this one), told without importing the front end, which imports the core, which imports this.
 */
function isGraphModel(model: Model): boolean {
  return typeof (model as Partial<Record<'layout', unknown>>).layout === 'function';
}

/** What the model's ONNX file takes and gives, names as written in it. */
export function onnxSignature(model: Model): OnnxSignature {
  const outputs = model.graph().outputs;
  const names = isGraphModel(model) ? model.outputNames : ['output'];
  // Reserved as toOnnx reserves them, so a clash is resolved the same way.
  const g = new GraphBuilder();
  const inputs = model.inputSpecs().map((spec) => ({ name: g.reserve(spec.name), width: spec.units }));
  return { inputs, outputs: outputs.map((node, i) => ({ name: g.reserve(names[i] as string), width: node.units })) };
}

/**
 * The weights each layer is emitted with: its own, but for a Dense a BatchNormalization folds
 * into, which gets the folded kernel and bias (the BatchNormalization then emits nothing).
 */
function emittedWeights(model: Model, folds: ReadonlyMap<GraphNode, GraphNode>): Map<Layer, ReadonlyMap<string, Float32Array>> {
  const weights = new Map<Layer, ReadonlyMap<string, Float32Array>>(model.layers.map((layer) => [layer, model.weightViews(layer)]));
  for (const [dense, bn] of folds) {
    const d = dense.layer as Dense;
    const b = bn.layer as BatchNormalization;
    const { kernel, bias } = foldedWeights(d, weights.get(d) as ReadonlyMap<string, Float32Array>, b, weights.get(b) as ReadonlyMap<string, Float32Array>);
    weights.set(d, new Map([['kernel', kernel], ['bias', bias]]));
  }
  return weights;
}

/** The model as the bytes of an ONNX file. */
export function toOnnx(model: Model, options?: ExportOnnxOptions): Uint8Array {
  const { foldBatchNorm } = parseOptions(options);
  if (model.layers.length === 0) throw new ModelStateError('The model has no layers: add one with model.add(layers.dense({ ... })) before exporting it.');
  checkSupported(model.layers);
  const graph = model.graph();
  const folds = foldBatchNorm ? foldablePairs(graph) : new Map<GraphNode, GraphNode>();
  const folded = new Set(folds.values());
  const weights = emittedWeights(model, folds);
  const signature = onnxSignature(model);
  const g = new GraphBuilder();
  signature.inputs.forEach((input) => g.reserve(input.name));
  signature.outputs.forEach((output) => g.reserve(output.name));
  /** Each graph node's output, by node index. */
  const values: string[] = [];
  graph.inputs.forEach((node, i) => (values[node.index] = (signature.inputs[i] as { name: string }).name));
  const applications = new Map<Layer, number>();
  for (const node of graph.nodes) {
    const layer = node.layer;
    if (layer === null) continue;
    const xs = node.inputs.map((input) => values[input.index] as string);
    if (folded.has(node)) {
      values[node.index] = xs[0] as string; // inside the Dense's Gemm
      continue;
    }
    const k = applications.get(layer) ?? 0;
    applications.set(layer, k + 1);
    values[node.index] = emitLayer(g, layer, weights.get(layer) as ReadonlyMap<string, Float32Array>, xs, k === 0 ? layer.name : `${layer.name}/${k}`);
  }
  const proto = g.model({
    graphName: isGraphModel(model) ? 'myelin_functional' : 'myelin_sequential',
    inputs: signature.inputs,
    outputs: signature.outputs.map((output, i) => ({ ...output, value: values[(graph.outputs[i] as GraphNode).index] as string })),
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
