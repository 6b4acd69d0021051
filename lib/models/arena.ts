/**
 * The parameter arena: every parameter of a model in ONE Float32Array, each layer's kernel and
 * bias a subarray view of it, and the gradients in a twin arena of the same layout. So an
 * optimizer step is one native call, saving is writing one buffer, and copying a model is
 * copying one buffer.
 */
import type { Layer, ParamSpec } from '../layers/layer';

export interface ParamSlot {
  readonly layer: Layer;
  readonly spec: ParamSpec;
  readonly offset: number;
  readonly size: number;
}

export class ParameterArena {
  readonly params: Float32Array;
  readonly grads: Float32Array;
  readonly slots: readonly ParamSlot[];

  /**
   * Lays out the parameters of `layers` (already built) in order. Parameters already present in
   * `previous` at the same offset keep their values (a layer appended to a model leaves the
   * earlier layers' weights alone); the rest are drawn from their initializers.
   */
  constructor(layers: readonly Layer[], specs: readonly ParamSpec[][], previous?: ParameterArena) {
    const slots: ParamSlot[] = [];
    let offset = 0;
    layers.forEach((layer, i) => {
      for (const spec of specs[i] ?? []) {
        const size = spec.shape.reduce((a, b) => a * b, 1);
        slots.push({ layer, spec, offset, size });
        offset += size;
      }
    });
    this.slots = slots;
    this.params = new Float32Array(offset);
    this.grads = new Float32Array(offset);
    for (const slot of slots) {
      const view = this.params.subarray(slot.offset, slot.offset + slot.size);
      const kept = previous?.slots.find((s) => s.layer === slot.layer && s.spec.name === slot.spec.name && s.offset === slot.offset);
      if (kept !== undefined && previous !== undefined) view.set(previous.params.subarray(kept.offset, kept.offset + kept.size));
      else slot.spec.initializer.fill(view, slot.spec.fanIn, slot.spec.fanOut);
    }
    layers.forEach((layer) => {
      const own = slots.filter((s) => s.layer === layer);
      layer.bindParams(
        own.map((s) => this.params.subarray(s.offset, s.offset + s.size)),
        own.map((s) => this.grads.subarray(s.offset, s.offset + s.size)),
      );
    });
  }
}
