/**
 * Checks an exported model against the real peer: onnxruntime-node loads the ONNX bytes and its
 * output must equal model.predict() within 1e-5, on a batch of 1 and a larger one. A graph model's
 * inputs are fed and its outputs read by name.
 */
import { expect } from 'chai';
import * as ort from 'onnxruntime-node';

import * as my from '../../lib/index';
import { Layer, type ParamSpec } from '../../lib/layers/layer';
import { toOnnx, type ExportOnnxOptions } from '../../lib/onnx/export';
import { expectClose, type Tolerance } from '../helpers/compare';
import { randomArray } from '../helpers/data';

export const ONNX_TOLERANCE: Tolerance = { atol: 1e-5, rtol: 1e-5 };

/** A session on one thread, as the suite shares two cores. */
export function session(modelOrPath: Uint8Array | string): Promise<ort.InferenceSession> {
  const options: ort.InferenceSession.SessionOptions = { intraOpNumThreads: 1, interOpNumThreads: 1 };
  return typeof modelOrPath === 'string' ? ort.InferenceSession.create(modelOrPath, options) : ort.InferenceSession.create(modelOrPath, options);
}

/** onnxruntime's output for n rows of input. */
export async function runOnnx(s: ort.InferenceSession, x: Float32Array, n: number): Promise<Float32Array> {
  const results = await s.run({ input: new ort.Tensor('float32', x, [n, x.length / n]) });
  return (results['output'] as ort.Tensor).data as Float32Array;
}

/**
 * Every weight random (seeded), so that biases, slopes and statistics are not their trivial
 * initial values; variances positive.
 */
export function randomizeWeights(model: my.Model, seed: number): void {
  model.layers.forEach((layer, i) => {
    for (const [name, view] of model.weightViews(layer)) {
      const values = randomArray(view.length, seed * 100 + i * 10 + name.length, 0.5);
      view.set(/variance/i.test(name) ? values.map((v) => 0.2 + 2 * Math.abs(v)) : values);
    }
  });
}

/** Exports the model and compares onnxruntime with predict on batches of 1 and `batch` rows. */
export async function expectOnnxMatchesPredict(model: my.Sequential, seed: number, options?: ExportOnnxOptions, inputScale = 3, batch = 33): Promise<void> {
  const s = await session(toOnnx(model, options));
  for (const n of [1, batch]) {
    const x = randomArray(n * model.inputUnits, seed + n, inputScale);
    const expected = model.predict(my.tensor2d(x, [n, model.inputUnits])).data;
    expectClose(await runOnnx(s, x, n), expected, ONNX_TOLERANCE, `onnxruntime vs predict, batch ${n}`);
  }
}

/** onnxruntime's outputs, by name, for n rows of each named input. */
export async function runOnnxNamed(s: ort.InferenceSession, inputs: Readonly<Record<string, Float32Array>>, n: number): Promise<Record<string, Float32Array>> {
  const feeds = Object.fromEntries(Object.entries(inputs).map(([name, x]) => [name, new ort.Tensor('float32', x, [n, x.length / n])]));
  const results = await s.run(feeds);
  return Object.fromEntries(Object.entries(results).map(([name, t]) => [name, t.data as Float32Array]));
}

/** predict()'s outputs as a list, for a model of one output or several. */
export function predictions(model: my.Model, xs: readonly my.Tensor[]): my.Tensor[] {
  const result = model.predict(xs.length === 1 ? (xs[0] as my.Tensor) : xs);
  return Array.isArray(result) ? result : [result];
}

/**
 * Exports a graph model and compares onnxruntime with predict on batches of 1 and `batch` rows:
 * the ONNX inputs and outputs are the model's, by name and in order. `inputData(i, length, seed)`
 * makes input i's values from a seed shared by the inputs of a batch (by default random in
 * [-inputScale, inputScale], from seed + i).
 */
export async function expectGraphOnnxMatchesPredict(
  model: my.Functional,
  seed: number,
  options: { onnx?: ExportOnnxOptions; inputScale?: number; batch?: number; inputData?: (i: number, length: number, seed: number) => Float32Array; bytes?: Uint8Array } = {},
): Promise<void> {
  const { inputScale = 3, batch = 33 } = options;
  const makeInput = options.inputData ?? ((i: number, length: number, s: number) => randomArray(length, s + i, inputScale));
  const s = await session(options.bytes ?? toOnnx(model, options.onnx));
  expect(s.inputNames).to.deep.equal(model.inputs.map((t) => t.name));
  expect(s.outputNames).to.deep.equal(model.outputNames);
  for (const n of [1, batch]) {
    const xs = model.inputs.map((t, i) => my.tensor2d(makeInput(i, n * t.units, seed + 10 * n), [n, t.units]));
    const got = await runOnnxNamed(s, Object.fromEntries(model.inputs.map((t, i) => [t.name, (xs[i] as my.Tensor).data])), n);
    predictions(model, xs).forEach((expected, j) => {
      const name = model.outputNames[j] as string;
      expectClose(got[name] as Float32Array, expected.data, ONNX_TOLERANCE, `onnxruntime vs predict, output '${name}', batch ${n}`);
    });
  }
}

/** A layer with no ONNX form: the exporter must name it. */
export class Doubling extends Layer {
  readonly className = 'Doubling';
  constructor() {
    super('doubling_1', undefined);
  }
  protected computeOutputUnits(inputUnits: number): number {
    return inputUnits;
  }
  protected paramSpecs(): ParamSpec[] {
    return [];
  }
  bindParams(): void {}
  forward(_k: unknown, x: Float32Array, y: Float32Array): void {
    x.forEach((v, i) => (y[i] = 2 * v));
  }
  backward(): void {}
  protected layerConfig(): Record<string, unknown> {
    return { name: this.name };
  }
}
