/**
 * Prediction: the forward pass in inference mode, batch by batch, into a result's rows. Run now
 * (predict) or as a plan made for the call and run off the main thread (predictAsync), which
 * reads its input and writes its result, arrays of its own that nobody else can touch meanwhile.
 */
import { activationCode } from '../activations';
import { BoundedCache } from '../bounded-cache';
import { Dense } from '../layers/dense';
import type { Tensor } from '../tensor';
import type { Graph, GraphNode } from './graph';
import { PlanCalls, type Work } from './kernels';
import { Plan } from './plan';

/** What a prediction needs of a model: its graph. */
export interface InferenceModel {
  readonly graph: Graph;
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

/**
 * The outputs for xs (one matrix per input), batch by batch, into results (one per output),
 * through w's kernels (now, or into a plan).
 */
export function predictInto<S extends number>(model: InferenceModel, w: Work<S>, results: readonly Float32Array[], xs: readonly Tensor[], batchSize: number, buffers: InferenceBuffers): void {
  const { graph } = model;
  const samples = (xs[0] as Tensor).shape[0] as number;
  const outputAt = new Map(graph.outputs.map((node, j) => [node.index, j]));
  for (let start = 0; start < samples; start += batchSize) {
    const n = Math.min(batchSize, samples - start);
    const rows = results.map((result, j) => {
      const c = (graph.outputs[j] as GraphNode).units;
      return result.subarray(start * c, (start + n) * c);
    });
    const outputs = buffers.get(n);
    graph.inputs.forEach((node, i) => {
      const t = xs[i] as Tensor;
      const k = t.shape[1] as number;
      outputs[node.index] = t.data.subarray(start * k, (start + n) * k);
    });
    for (const node of graph.nodes) {
      if (node.layer === null) continue;
      // An output node writes its result's rows itself, unless its activation is still to apply.
      const j = outputAt.get(node.index);
      const y = j !== undefined && !fusedIntoLoss(node) ? (rows[j] as Float32Array) : (outputs[node.index] as Float32Array);
      node.layer.atNode(node.index);
      node.layer.forwardInputs(w.k, node.inputs.map((input) => outputs[input.index] as Float32Array), y, n, false);
      outputs[node.index] = y;
    }
    // An output whose loss applies its activation leaves logits; the activation is applied into its rows.
    graph.outputs.forEach((node, j) => {
      if (fusedIntoLoss(node)) w.k.activationForward(rows[j] as Float32Array, outputs[node.index] as Float32Array, n, node.units, activationCode((node.layer as Dense).activation), 0);
    });
  }
}

/** Whether the node's layer leaves its activation to the loss. */
function fusedIntoLoss(node: GraphNode): boolean {
  return node.layer instanceof Dense && node.layer.fusedIntoLoss;
}

/** predictInto as a plan made for this call, run off the main thread; an abort stops it between two kernels. */
export async function predictOffThread(model: InferenceModel, results: readonly Float32Array[], xs: readonly Tensor[], batchSize: number, buffers: InferenceBuffers, signal?: AbortSignal): Promise<void> {
  const calls = new PlanCalls([]);
  predictInto(model, calls, results, xs, batchSize, buffers);
  const plan = new Plan(calls, []);
  await plan.runAsync(1, new Float64Array(0), new Float64Array(plan.valueCount), { call: 'predictAsync()', signal, interruptible: true });
}
