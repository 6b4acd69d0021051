/**
 * The parameter arena: every trainable parameter of a model in ONE Float32Array, each layer's
 * kernel and bias a subarray view of it, and the gradients in a twin arena of the same layout.
 * So an optimizer step is one native call, saving is writing one buffer, and copying a model is
 * copying one buffer. Non-trainable state (a batch normalization's moving mean and variance)
 * lives in a third array, `state`, which no optimizer and no gradient touches.
 */
import { applyConstraint, type Constraint, isBuiltInConstraint } from '../constraints';
import type { Kernels } from '../core/kernels';
import type { Layer, ParamSpec } from '../layers/layer';
import { applyRegularizer, isBuiltInRegularizer, type Regularizer } from '../regularizers';

export interface ParamSlot {
  readonly layer: Layer;
  readonly spec: ParamSpec;
  readonly trainable: boolean;
  /** Offset in `params` (trainable) or in `state` (not trainable). */
  readonly offset: number;
  readonly size: number;
}

export class ParameterArena {
  readonly params: Float32Array;
  readonly grads: Float32Array;
  readonly state: Float32Array;
  /** Every slot, in layer order and, within a layer, in the order of its paramSpecs(). */
  readonly slots: readonly ParamSlot[];
  /**
   * Where each trainable tensor starts in `params`, and its end: tensor i is
   * [segments[i], segments[i + 1]). Per-tensor work over the arena (clipNorm) reads it.
   */
  readonly segments: Uint32Array;
  private readonly regularized: readonly ParamSlot[];
  private readonly constrained: readonly ParamSlot[];
  private readonly byLayer = new Map<Layer, readonly ParamSlot[]>();

  /**
   * Lays out the parameters of `layers` (already built) in order. Parameters already present in
   * `previous` (an arena or several: the same layer and weight name) keep their values, wherever they now lie (a layer
   * appended or removed, a layer frozen); the rest are drawn from their initializers.
   */
  constructor(layers: readonly Layer[], specs: readonly ParamSpec[][], previous: ParameterArena | readonly ParameterArena[] = []) {
    const slots: ParamSlot[] = [];
    const ends = { params: 0, state: 0 };
    layers.forEach((layer, i) => {
      const own: ParamSlot[] = [];
      for (const spec of specs[i] ?? []) {
        const size = spec.shape.reduce((a, b) => a * b, 1);
        const trainable = spec.trainable !== false;
        const key = trainable ? 'params' : 'state';
        own.push({ layer, spec, trainable, offset: ends[key], size });
        ends[key] += size;
      }
      this.byLayer.set(layer, own);
      slots.push(...own);
    });
    this.slots = slots;
    this.params = new Float32Array(ends.params);
    this.grads = new Float32Array(ends.params);
    this.state = new Float32Array(ends.state);
    const trainable = slots.filter((s) => s.trainable);
    this.segments = Uint32Array.from([...trainable.map((s) => s.offset), ends.params]);
    this.regularized = trainable.filter((s) => s.spec.regularizer);
    this.constrained = trainable.filter((s) => s.spec.constraint);
    const earlier = Array.isArray(previous) ? (previous as readonly ParameterArena[]) : [previous as ParameterArena];
    for (const slot of slots) {
      const view = this.view(slot);
      // Looked up among the layer's own few slots: a search of every slot per slot would make a
      // load quadratic in the layers. By name, wherever it was: a frozen layer's weights move
      // from the parameter arena to the state array with their values.
      const kept = earlier.map((arena) => ({ arena, slot: arena.slotsOf(slot.layer).find((s) => s.spec.name === slot.spec.name && s.size === slot.size) })).find((k) => k.slot !== undefined);
      if (kept?.slot !== undefined) view.set(kept.arena.view(kept.slot));
      else slot.spec.initializer.fill(view, slot.spec.fanIn, slot.spec.fanOut);
    }
    for (const [layer, own] of this.byLayer) {
      layer.bindParams(
        own.map((s) => this.view(s)),
        own.map((s) => (s.trainable ? this.grads.subarray(s.offset, s.offset + s.size) : new Float32Array(0))),
      );
    }
  }

  /**
   * Where each trainable tensor of this arena went in `next`, a layout of the same layers made
   * anew: the optimizer's slots follow their parameters.
   */
  movesTo(next: ParameterArena): { from: number; to: number; size: number }[] {
    return this.slots.flatMap((slot) => {
      const moved = slot.trainable ? next.slotsOf(slot.layer).find((s) => s.trainable && s.spec.name === slot.spec.name && s.size === slot.size) : undefined;
      return moved === undefined ? [] : [{ from: slot.offset, to: moved.offset, size: slot.size }];
    });
  }

  /** A layer's slots, in the order of its paramSpecs() (none for a layer not in this arena). */
  slotsOf(layer: Layer): readonly ParamSlot[] {
    return this.byLayer.get(layer) ?? [];
  }

  /**
   * Adds the weight regularizers' gradients to the gradient arena (when `withGradients`) and
   * returns their penalties, which the model adds to the loss, as `k` gives them (values run
   * now, the indices of the values in a plan).
   */
  regularize<S extends number>(k: Kernels<S>, withGradients: boolean): S[] {
    return this.regularized.map((slot) => {
      const grads = withGradients ? this.grads.subarray(slot.offset, slot.offset + slot.size) : null;
      return applyRegularizer(k, slot.spec.regularizer as Regularizer, this.view(slot), grads, 1);
    });
  }

  /** Whether every regularizer and constraint is a built-in one, whose work is native (recordable). */
  get native(): boolean {
    return this.regularized.every((s) => isBuiltInRegularizer(s.spec.regularizer)) && this.constrained.every((s) => isBuiltInConstraint(s.spec.constraint));
  }

  /** Projects every constrained weight onto its constraint, through `k`; after each optimizer step. */
  applyConstraints<S extends number>(k: Kernels<S>): void {
    for (const slot of this.constrained) {
      const [rows = slot.size, cols = 1] = slot.spec.shape;
      applyConstraint(k, slot.spec.constraint as Constraint, this.view(slot), rows, slot.spec.shape.length > 1 ? cols : 1);
    }
  }

  /** The slot's values: a view of `params` or of `state`. */
  view(slot: ParamSlot): Float32Array {
    const array = slot.trainable ? this.params : this.state;
    return array.subarray(slot.offset, slot.offset + slot.size);
  }
}
