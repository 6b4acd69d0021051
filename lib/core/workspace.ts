/**
 * The buffers one forward and backward pass of a given batch size needs: each node's output and
 * the gradient flowing into it, the batch's inputs, labels and sample weights, and the
 * probabilities a fused loss writes. Made once per (model, batch size) and reused, so a training
 * step allocates nothing; a plan binds them once and its every step reuses them.
 */
import type { Graph } from './graph';

export class Workspace {
  /**
   * outputs[i] is node i's output (n x units); the graph's input node's is the batch's inputs,
   * which a step gathers or a call copies there; the last node's is logits when the loss is fused.
   */
  readonly outputs: Float32Array[];
  /** grads[i] is dL/d outputs[i], overwritten by each backward; none for the input node. */
  readonly grads: Float32Array[];
  /** The batch's labels (n x labelCols) and sample weights (n). */
  readonly labels: Float32Array;
  readonly weights: Float32Array;
  /** The model's predictions when the loss applies the output activation. */
  readonly probs: Float32Array | null;
  constructor(graph: Graph, readonly n: number, labelCols: number, fused: boolean) {
    this.outputs = graph.nodes.map((node) => new Float32Array(n * node.units));
    this.grads = graph.nodes.map((node) => new Float32Array(node.layer === null ? 0 : n * node.units));
    this.labels = new Float32Array(n * labelCols);
    this.weights = new Float32Array(n);
    this.probs = fused ? new Float32Array(n * graph.output.units) : null;
  }

  private readonly accumulators = new Map<number, Float32Array>();

  /** Where a later consumer of node `index` writes its part of the node's gradient, before it is added. */
  accumulator(index: number): Float32Array {
    let buffer = this.accumulators.get(index);
    if (buffer === undefined) {
      buffer = new Float32Array((this.grads[index] as Float32Array).length);
      this.accumulators.set(index, buffer);
    }
    return buffer;
  }
}
