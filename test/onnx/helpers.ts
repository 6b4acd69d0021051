/**
 * Checks an exported model against the real peer: onnxruntime-node loads the ONNX bytes and its
 * output must equal model.predict() within 1e-5, on a batch of 1 and a larger one.
 */
import * as ort from 'onnxruntime-node';

import * as my from '../../lib/index';
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
export function randomizeWeights(model: my.Sequential, seed: number): void {
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
