/**
 * Prediction: the forward pass in inference mode, batch by batch, into a result's rows. Run now
 * (predict) or as a plan made for the call and run off the main thread (predictAsync), which
 * reads its input and writes its result, arrays of its own that nobody else can touch meanwhile.
 */
import { activationCode } from '../activations';
import { BoundedCache } from '../bounded-cache';
import type { Dense } from '../layers/dense';
import type { Tensor } from '../tensor';
import type { Graph, GraphNode } from './graph';
import { PlanCalls, type Work } from './kernels';
import { Plan } from './plan';

/** What a prediction needs of a model: its graph, and whether its loss holds the output activation. */
export interface InferenceModel {
  readonly graph: Graph;
  /** The last layer leaves logits, the loss applying its activation: a prediction applies it. */
  readonly fused: boolean;
}

/**
 * Node outputs for inference at any batch size: buffers per power-of-two capacity, seen through
 * views of n rows, so the varied batch sizes of a request batcher share a few buffers instead of
 * each allocating its own.
 */
export class InferenceBuffers {
  private readonly cache = new BoundedCache<number, Float32Array[]>(4);

  constructor(private readonly graph: Graph) {}

  /** Node i's output for n rows (the input node's is unused: the batch's rows are read in place). */
  get(n: number): Float32Array[] {
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(n, 1)));
    const buffers = this.cache.get(capacity, () => this.graph.nodes.map((node) => new Float32Array(node.layer === null ? 0 : capacity * node.units)));
    return buffers.map((b, i) => b.subarray(0, n * (this.graph.nodes[i] as GraphNode).units));
  }
}

/** The outputs for xs, batch by batch, into result, through w's kernels (now, or into a plan). */
export function predictInto<S extends number>(model: InferenceModel, w: Work<S>, result: Float32Array, xs: Tensor, batchSize: number, buffers: InferenceBuffers): void {
  const { graph, fused } = model;
  const samples = xs.shape[0] as number;
  const k = graph.input.units;
  const c = graph.output.units;
  for (let start = 0; start < samples; start += batchSize) {
    const n = Math.min(batchSize, samples - start);
    const rows = result.subarray(start * c, (start + n) * c);
    const outputs = buffers.get(n);
    outputs[0] = xs.data.subarray(start * k, (start + n) * k);
    for (const node of graph.nodes) {
      if (node.layer === null) continue;
      // The last node writes the result's rows itself, unless its activation is still to apply.
      const y = node === graph.output && !fused ? rows : (outputs[node.index] as Float32Array);
      node.layer.forward(w.k, outputs[(node.inputs[0] as GraphNode).index] as Float32Array, y, n, false);
      outputs[node.index] = y;
    }
    // A fused model's last layer leaves logits; its activation is then applied into the rows.
    if (fused) w.k.activationForward(rows, outputs[graph.output.index] as Float32Array, n, c, activationCode((graph.output.layer as Dense).activation), 0);
  }
}

/** predictInto as a plan made for this call, run off the main thread; an abort stops it between two kernels. */
export async function predictOffThread(model: InferenceModel, result: Float32Array, xs: Tensor, batchSize: number, buffers: InferenceBuffers, signal?: AbortSignal): Promise<void> {
  const calls = new PlanCalls([]);
  predictInto(model, calls, result, xs, batchSize, buffers);
  const plan = new Plan(calls, []);
  await plan.runAsync(1, new Float64Array(0), new Float64Array(plan.valueCount), { call: 'predictAsync()', signal, interruptible: true });
}
