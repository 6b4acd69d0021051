/**
 * The gradient flowing into each node during one backward pass. A node's gradient is whole once
 * every part has been given (a head's loss, then each consumer's, in reverse graph order): the
 * first part is written into the node's gradient, each later one into its accumulator and added.
 * A consumer whose input's gradient is its own unchanged (an add, the first input of a subtract)
 * hands its gradient buffer over instead of copying it, when that input has no part yet: the
 * consumer is done with it, so the copy would only cost memory traffic.
 */
import type { GraphNode } from './graph';
import type { Work } from './kernels';
import type { Workspace } from './workspace';

export class GradientFlow {
  /** Each node's gradient: its own buffer, or one handed over by a consumer. */
  private readonly buffers: Float32Array[];
  private readonly given = new Set<number>();

  constructor(private readonly ws: Workspace) {
    this.buffers = ws.grads.slice();
  }

  /** Where a head's loss writes the first part of its output node's gradient. */
  first(node: GraphNode): Float32Array {
    this.given.add(node.index);
    return this.buffers[node.index] as Float32Array;
  }

  /** The node's gradient, or null when no part was given (nothing it feeds needs one). */
  of(node: GraphNode): Float32Array | null {
    return this.given.has(node.index) ? (this.buffers[node.index] as Float32Array) : null;
  }

  /**
   * Where a consumer writes its part of `input`'s gradient: `dy` itself when the consumer passes
   * it on unchanged (`passes`) and this is the first part; else the gradient for a first part, the
   * accumulator for a later one.
   */
  target(input: GraphNode, dy: Float32Array, passes: boolean): Float32Array {
    if (this.given.has(input.index)) return this.ws.accumulator(input.index);
    if (passes) this.buffers[input.index] = dy;
    return this.buffers[input.index] as Float32Array;
  }

  /** After the consumer's backward: a later part is added to the gradient. */
  settle<S extends number>(w: Work<S>, input: GraphNode): void {
    if (this.given.has(input.index)) {
      const sum = this.buffers[input.index] as Float32Array;
      w.k.addElementwise(sum, sum, this.ws.accumulator(input.index));
    }
    this.given.add(input.index);
  }
}
