// The onnxruntime peer of the inference suite: onnxruntime-node's CPU execution provider on the
// ONNX file myelin exported, so both sides run the same weights. Its threads are set as
// myelin's: intraOpNumThreads = the count, interOpNumThreads 1 (a chain of operators has
// nothing to run side by side); graph optimizations at their default, 'all'.

import * as ort from 'onnxruntime-node';

export const onnxruntimeVersion: string = (require('onnxruntime-node/package.json') as { version: string }).version;

/** The model in a file, ready to run on one fixed batch. */
export interface OnnxCall {
  /** Resolves to the output for the batch. */
  run(): Promise<Float32Array>;
  /** Frees the session and its threads. */
  release(): Promise<void>;
}

export async function onnxruntimeCall(file: string, threads: number, x: Float32Array, n: number): Promise<OnnxCall> {
  const session = await ort.InferenceSession.create(file, { intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential' });
  // The input tensor is built once, as myelin's is: the timed call is the run alone.
  const feeds = { input: new ort.Tensor('float32', x, [n, x.length / n]) };
  return {
    run: async () => ((await session.run(feeds))['output'] as ort.Tensor).data as Float32Array,
    release: () => session.release(),
  };
}
