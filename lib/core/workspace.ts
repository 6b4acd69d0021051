/**
 * The buffers one forward and backward pass of a given batch size needs: each node's output and
 * the gradient flowing into it, the batch's inputs, labels and sample weights, the probabilities a
 * fused loss writes, and for a model of several outputs each one's labels, weights and the packed
 * predictions. Made once per (model, batch size) and reused, so a training step allocates
 * nothing; a plan binds them once and its every step reuses them.
 */
import type { Graph } from './graph';
import { labelWidth, predictionWidth, type Head } from './heads';

export class Workspace {
  /**
   * outputs[i] is node i's output (n x units); node 0's is the batch's inputs, which a step
   * gathers or a call copies there; an output node's is logits when its loss is fused.
   */
  readonly outputs: Float32Array[];
  /** grads[i] is dL/d outputs[i], overwritten by each backward; none for node 0 and the input nodes. */
  readonly grads: Float32Array[];
  /** The batch's labels (n x every head's label columns) and sample weights (n x weightCols). */
  readonly labels: Float32Array;
  readonly weights: Float32Array;
  /** Per head: its predictions when its loss applies the output activation, else null. */
  readonly probs: (Float32Array | null)[];
  /** Per head of a model of several outputs: its labels and weights, copied out of the packed ones. */
  readonly headLabels: Float32Array[];
  readonly headWeights: Float32Array[];
  /** A model of several outputs: every head's predictions side by side, for the metrics. */
  readonly predictions: Float32Array | null;

  constructor(graph: Graph, readonly n: number, heads: readonly Head[], readonly weightCols: number) {
    this.outputs = graph.nodes.map((node) => new Float32Array(n * node.units));
    this.grads = graph.nodes.map((node) => new Float32Array(node.layer === null ? 0 : n * node.units));
    this.labels = new Float32Array(n * labelWidth(heads));
    this.weights = new Float32Array(n * weightCols);
    this.probs = heads.map((h) => (h.fused ? new Float32Array(n * h.node.units) : null));
    const several = heads.length > 1;
    this.headLabels = several ? heads.map((h) => new Float32Array(n * h.labelCols)) : [];
    this.headWeights = several ? heads.map(() => new Float32Array(n)) : [];
    this.predictions = several ? new Float32Array(n * predictionWidth(heads)) : null;
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

  private readonly stashes = new Map<number, Float32Array>();

  /** Where a shared layer's parameter gradient (at `offset` in the arena) waits while another node's backward overwrites it. */
  stash(offset: number, size: number): Float32Array {
    let buffer = this.stashes.get(offset);
    if (buffer === undefined || buffer.length !== size) {
      buffer = new Float32Array(size);
      this.stashes.set(offset, buffer);
    }
    return buffer;
  }
}
