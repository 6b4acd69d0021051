/**
 * A float64 reference of a graph model, read from its symbolic tensors (not from the model's own
 * layout): each tensor is computed from the tensors its layer was applied to, with the layer's
 * weights taken from one float64 parameter vector laid out like the model's parameter arena. So
 * central finite differences of the reference's loss are the gradient every graph's backward is
 * checked against, and its outputs are what predict must give.
 */
import type { Model } from '../../lib/core/model';
import type { Layer } from '../../lib/layers/layer';
import * as my from '../../lib/index';
import type { SymbolicTensor } from '../../lib/layers/symbolic';
import { batchNormInferRef, batchNormTrainRef } from './batch-norm-reference';
import { activationRef, denseRef, lossRef, type LossKind } from './reference';

/** A model's weights in float64: trainable ones in one vector (the arena's layout), state apart. */
export interface RefWeights {
  /** Every trainable weight, in the order of the gradient computeGradients returns. */
  readonly theta: Float64Array;
  /** A layer's weight by name: a view of theta when trainable, else a copy of its state. */
  readonly of: (layer: Layer, name: string) => Float64Array;
}

/** The model's weights as the reference reads them (the model must hold its own arena). */
export function refWeights(model: Model): RefWeights {
  const arena = model.parameterArena();
  const theta = Float64Array.from(arena.params);
  const views = new Map<Layer, Map<string, Float64Array>>();
  for (const slot of arena.slots) {
    const view = slot.trainable ? theta.subarray(slot.offset, slot.offset + slot.size) : Float64Array.from(arena.view(slot));
    if (!views.has(slot.layer)) views.set(slot.layer, new Map());
    views.get(slot.layer)?.set(slot.spec.name, view);
  }
  return {
    theta,
    of: (layer, name) => {
      const view = views.get(layer)?.get(name);
      if (view === undefined) throw new Error(`reference: no weight '${name}' for layer '${layer.name}'`);
      return view;
    },
  };
}

/** Elementwise over equal-length arrays. */
function zipWith(arrays: readonly Float64Array[], f: (values: number[]) => number): Float64Array {
  const first = arrays[0] as Float64Array;
  return first.map((_, i) => f(arrays.map((a) => a[i] as number)));
}

/** One layer in float64 over its inputs' values (n rows each); `training` as fit runs it. */
function layerRef(layer: Layer, xs: readonly Float64Array[], n: number, w: RefWeights, training: boolean): Float64Array {
  const x = xs[0] as Float64Array;
  if (layer instanceof my.layers.Dense) {
    return denseRef(x, { w: w.of(layer, 'kernel'), b: layer.useBias ? w.of(layer, 'bias') : new Float64Array(layer.units), k: layer.inputUnits, m: layer.units, act: layer.activation }, n);
  }
  if (layer instanceof my.layers.BatchNormalization) {
    const u = layer.inputUnits;
    const gamma = layer.scale ? w.of(layer, 'gamma') : null;
    const beta = layer.center ? w.of(layer, 'beta') : null;
    if (training) return batchNormTrainRef(x, gamma, beta, layer.epsilon, n, u).y;
    return batchNormInferRef(x, gamma, beta, w.of(layer, 'movingMean'), w.of(layer, 'movingVariance'), layer.epsilon, n, u);
  }
  if (layer instanceof my.layers.Activation) return activationRef(x, n, layer.inputUnits, layer.activation, layer.alpha);
  if (layer instanceof my.layers.PReLU) {
    const alpha = w.of(layer, 'alpha');
    const u = layer.inputUnits;
    return x.map((v, i) => (v > 0 ? v : (alpha[i % u] as number) * v));
  }
  if (layer instanceof my.layers.Dropout || layer instanceof my.layers.GaussianNoise) {
    if (training) throw new Error(`reference: '${layer.name}' is random while training`);
    return x;
  }
  if (layer instanceof my.layers.Add) return zipWith(xs, (v) => v.reduce((a, b) => a + b, 0));
  if (layer instanceof my.layers.Subtract) return zipWith(xs, (v) => (v[0] as number) - (v[1] as number));
  if (layer instanceof my.layers.Multiply) return zipWith(xs, (v) => v.reduce((a, b) => a * b, 1));
  if (layer instanceof my.layers.Average) return zipWith(xs, (v) => v.reduce((a, b) => a + b, 0) / v.length);
  if (layer instanceof my.layers.Maximum) return zipWith(xs, (v) => Math.max(...v));
  if (layer instanceof my.layers.Minimum) return zipWith(xs, (v) => Math.min(...v));
  if (layer instanceof my.layers.Concatenate) {
    const widths = xs.map((part) => part.length / n);
    const total = widths.reduce((a, b) => a + b, 0);
    const out = new Float64Array(n * total);
    for (let r = 0; r < n; r++) {
      let offset = 0;
      xs.forEach((part, i) => {
        const cols = widths[i] as number;
        out.set(part.subarray(r * cols, (r + 1) * cols), r * total + offset);
        offset += cols;
      });
    }
    return out;
  }
  throw new Error(`reference: no float64 form for ${layer.className}`);
}

/**
 * The values of `outputs` in float64 for n rows of each input (`given`: an input tensor's rows),
 * every tensor computed once however many layers read it.
 */
export function forwardRef(outputs: readonly SymbolicTensor[], given: ReadonlyMap<SymbolicTensor, ArrayLike<number>>, n: number, w: RefWeights, training: boolean): Float64Array[] {
  const values = forwardValues(outputs, given, n, w, training);
  return outputs.map((t) => values.get(t) as Float64Array);
}

/** Every tensor's value on the way to `outputs` (forwardRef's work, all of it). */
function forwardValues(outputs: readonly SymbolicTensor[], given: ReadonlyMap<SymbolicTensor, ArrayLike<number>>, n: number, w: RefWeights, training: boolean): Map<SymbolicTensor, Float64Array> {
  const values = new Map<SymbolicTensor, Float64Array>();
  for (const [t, v] of given) values.set(t, Float64Array.from(v));
  const valueOf = (t: SymbolicTensor): Float64Array => {
    const known = values.get(t);
    if (known !== undefined) return known;
    if (t.sourceLayer === null) throw new Error(`reference: no value given for the input '${t.name}'`);
    const value = layerRef(t.sourceLayer, t.inputs.map(valueOf), n, w, training);
    values.set(t, value);
    return value;
  };
  outputs.forEach(valueOf);
  return values;
}

/** A built-in regularizer's coefficients (regularizers.l1, l2, l1l2). */
interface Coefficients {
  readonly l1: number;
  readonly l2: number;
}

/** scale (l1 sum |v| + l2 sum v^2), Keras's penalty. */
function penalty(rule: Coefficients, values: ArrayLike<number>, scale: number): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += rule.l1 * Math.abs(values[i] as number) + rule.l2 * (values[i] as number) ** 2;
  return scale * sum;
}

/**
 * The regularizers' penalties of a graph in float64: each Dense weight penalty once, however many
 * times its layer is applied, and each activity penalty once per application, divided by n.
 */
function penaltiesRef(values: ReadonlyMap<SymbolicTensor, Float64Array>, n: number, w: RefWeights): number {
  let total = 0;
  const layers = new Set<Layer>();
  for (const [t, value] of values) {
    const layer = t.sourceLayer;
    if (layer === null) continue;
    layers.add(layer);
    if (layer.activityRegularizer !== null) total += penalty(layer.activityRegularizer as unknown as Coefficients, value, 1 / n);
  }
  for (const layer of layers) {
    if (!(layer instanceof my.layers.Dense)) continue;
    if (layer.kernelRegularizer !== null) total += penalty(layer.kernelRegularizer as unknown as Coefficients, w.of(layer, 'kernel'), 1);
    if (layer.biasRegularizer !== null) total += penalty(layer.biasRegularizer as unknown as Coefficients, w.of(layer, 'bias'), 1);
  }
  return total;
}

/** One output's loss: its kind, weight and labels (class indices for a sparse loss). */
export interface RefHead {
  readonly kind: LossKind;
  readonly weight: number;
  readonly labels: ArrayLike<number>;
  /** Sample weights, one per sample, or none. */
  readonly sampleWeights?: ArrayLike<number>;
}

/** sum_j weight_j loss_j(output_j) in float64, Keras's total of several outputs' losses. */
export function weightedLossRef(outputs: readonly Float64Array[], heads: readonly RefHead[], n: number): number {
  return heads.reduce((sum, head, j) => {
    const p = outputs[j] as Float64Array;
    const options = head.sampleWeights === undefined ? {} : { weights: head.sampleWeights };
    return sum + head.weight * lossRef(head.kind, p, head.labels, n, p.length / n, options);
  }, 0);
}

/**
 * The loss of `model` in float64 (the heads' weighted losses and the regularizers' penalties), as
 * a function of the reference weights (for finite differences).
 */
export function graphLossRef(model: my.Functional, given: ReadonlyMap<SymbolicTensor, ArrayLike<number>>, n: number, w: RefWeights, heads: readonly RefHead[]): () => number {
  return () => {
    const values = forwardValues(model.outputs, given, n, w, true);
    return weightedLossRef(model.outputs.map((t) => values.get(t) as Float64Array), heads, n) + penaltiesRef(values, n, w);
  };
}
