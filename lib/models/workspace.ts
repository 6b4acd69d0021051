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

/** The workspaces of the few batch sizes in use (a full batch and an epoch's last one). */
export class WorkspaceCache {
  private readonly cache = new BoundedCache<number, Workspace>(4);

  constructor(private readonly make: (n: number) => Workspace) {}

  get(n: number): Workspace {
    return this.cache.get(n, () => this.make(n));
  }
}
