/**
 * The buffers one forward and backward pass of a given batch size needs: each layer's output and
 * the gradient flowing into it, and the probabilities a fused loss writes. Made once per
 * (model, batch size) and reused, so a training step allocates nothing.
 */
import { BoundedCache } from '../bounded-cache';

export class Workspace {
  /** outputs[i] is layer i's output (n x units_i); the last is logits when the loss is fused. */
  readonly outputs: Float32Array[];
  /** grads[i] is dL/d outputs[i], overwritten by each backward. */
  readonly grads: Float32Array[];
  /** The model's predictions when the loss applies the output activation. */
  readonly probs: Float32Array | null;
  constructor(layerUnits: readonly number[], readonly n: number, fused: boolean) {
    this.outputs = layerUnits.map((u) => new Float32Array(n * u));
    this.grads = layerUnits.map((u) => new Float32Array(n * u));
    const outUnits = layerUnits[layerUnits.length - 1] ?? 0;
    this.probs = fused ? new Float32Array(n * outUnits) : null;
  }
}

/**
 * Layer outputs for inference at any batch size: buffers per power-of-two capacity, seen through
 * views of n rows, so the varied batch sizes of a request batcher share a few buffers instead of
 * each allocating its own.
 */
export class InferenceBuffers {
  private readonly cache = new BoundedCache<number, Float32Array[]>(4);

  constructor(private readonly layerUnits: readonly number[]) {}

  get(n: number): Float32Array[] {
    const capacity = 2 ** Math.ceil(Math.log2(Math.max(n, 1)));
    const buffers = this.cache.get(capacity, () => this.layerUnits.map((u) => new Float32Array(capacity * u)));
    return buffers.map((b, i) => b.subarray(0, n * (this.layerUnits[i] as number)));
  }
}

/** The workspaces of the few batch sizes in use (a full batch and an epoch's last one). */
export class WorkspaceCache {
  private readonly cache = new BoundedCache<number, Workspace>(4);

  constructor(private readonly make: (n: number) => Workspace) {}

  get(n: number): Workspace {
    return this.cache.get(n, () => this.make(n));
  }
}
