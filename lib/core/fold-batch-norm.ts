/**
 * Folding batch normalization into the Dense layer before it, for inference: at inference a
 * BatchNormalization is an affine map per unit, y = (z - mean) * s + beta with
 * s = gamma / sqrt(var + epsilon), so Dense (no activation) then BatchNormalization equals one
 * Dense with W' = W * s (each unit's column scaled) and b' = (b - mean) * s + beta. The folded
 * model runs one layer (and one native call) fewer per pair and predicts the same to float32
 * rounding.
 *
 * In a graph a pair folds only when nothing else sees the Dense's output (the BatchNormalization
 * is its one consumer and it is no model output) and neither layer is shared: a shared Dense
 * would need its unfolded weights at its other nodes. The ONNX exporter folds the same pairs with
 * the same arithmetic, writing the folded weights straight into the file.
 */
import { Dense } from '../layers/dense';
import { BatchNormalization } from '../layers/batch-normalization';
import type { Layer } from '../layers/layer';
import { globalRandom } from '../random';
import type { Graph, GraphNode } from './graph';
import type { Model } from './model';
import { makeModel } from './registry';

/** A layer's weights by name (model.weightViews). */
type Weights = ReadonlyMap<string, Float32Array>;

/** A fresh, unbuilt copy of a layer from its config, as Keras's from_config(get_config()). */
function cloneLayer(layer: Layer, overrides: Record<string, unknown> = {}): Layer {
  const Ctor = layer.constructor as new (config: Record<string, unknown>) => Layer;
  return new Ctor({ ...layer.getConfig(), ...overrides });
}

/** Whether node `bn` is a BatchNormalization that folds into the Dense node before it (see the header). */
function foldsIntoInput(graph: Graph, bn: GraphNode): boolean {
  const dense = bn.inputs[0];
  if (!(bn.layer instanceof BatchNormalization) || dense === undefined || !(dense.layer instanceof Dense)) return false;
  const consumers = graph.consumersOf(dense);
  return (
    dense.layer.activation === 'linear' &&
    graph.applicationsOf(dense.layer) === 1 &&
    graph.applicationsOf(bn.layer) === 1 &&
    consumers.length === 1 &&
    consumers[0] === bn &&
    !graph.outputs.includes(dense)
  );
}

/** The pairs of `graph` that fold: each BatchNormalization node, keyed by the Dense node it folds into. */
export function foldablePairs(graph: Graph): Map<GraphNode, GraphNode> {
  const pairs = new Map<GraphNode, GraphNode>();
  for (const node of graph.nodes) if (foldsIntoInput(graph, node)) pairs.set(node.inputs[0] as GraphNode, node);
  return pairs;
}

/** The kernel and bias of one Dense that computes `dense` (weights `own`) then `bn` (weights `stats`). */
export function foldedWeights(dense: Dense, own: Weights, bn: BatchNormalization, stats: Weights): { kernel: Float32Array; bias: Float32Array } {
  const units = dense.units;
  const mean = stats.get('movingMean') as Float32Array;
  const variance = stats.get('movingVariance') as Float32Array;
  const gamma = stats.get('gamma');
  const beta = stats.get('beta');
  const scale = Float64Array.from({ length: units }, (_, j) => (gamma?.[j] ?? 1) / Math.sqrt((variance[j] as number) + bn.epsilon));
  const kernel = own.get('kernel') as Float32Array;
  const bias = own.get('bias');
  const foldedKernel = new Float32Array(kernel.length);
  for (let r = 0; r < dense.inputUnits; r++) {
    for (let j = 0; j < units; j++) foldedKernel[r * units + j] = (kernel[r * units + j] as number) * (scale[j] as number);
  }
  const foldedBias = Float32Array.from({ length: units }, (_, j) => ((bias?.[j] ?? 0) - (mean[j] as number)) * (scale[j] as number) + (beta?.[j] ?? 0));
  return { kernel: foldedKernel, bias: foldedBias };
}

/**
 * Makes the folded model from what each layer of the original becomes: its fresh copy, or null
 * for a BatchNormalization folded into the Dense before it (whose output then stands for its own).
 */
export type Rebuild = (replacement: (layer: Layer) => Layer | null) => Model;

/** A Sequential of the layers of `model` that remain, in order. */
function chainOf(model: Model): Rebuild {
  return (replacement) => makeModel('Sequential', model.layers.map(replacement).filter((layer): layer is Layer => layer !== null)) as Model;
}

/**
 * A new model for inference with every foldable pair folded and every other layer copied with its
 * weights; `rebuild` lays the copies out as the original's front end does (a Sequential by default).
 */
export function foldBatchNorm(model: Model, rebuild: Rebuild = chainOf(model)): Model {
  const graph = model.graph();
  const pairs = foldablePairs(graph);
  const folded = new Set<Layer>([...pairs.values()].map((bn) => bn.layer as Layer));
  const copies = new Map<Layer, Layer | null>();
  /** For each copy, how to fill its weights by name. */
  const fills = new Map<Layer, (weights: Map<string, Float32Array>) => void>();
  for (const node of graph.nodes) {
    const layer = node.layer;
    if (layer === null || copies.has(layer)) continue;
    if (folded.has(layer)) {
      copies.set(layer, null); // now inside the Dense
      continue;
    }
    const bn = pairs.get(node);
    const copy = cloneLayer(layer, bn === undefined ? {} : { useBias: true });
    copies.set(layer, copy);
    const own = model.weightViews(layer);
    if (bn === undefined) {
      fills.set(copy, (weights) => {
        for (const [name, values] of own) (weights.get(name) as Float32Array).set(values);
      });
    } else {
      const { kernel, bias } = foldedWeights(layer as Dense, own, bn.layer as BatchNormalization, model.weightViews(bn.layer as Layer));
      fills.set(copy, (weights) => {
        (weights.get('kernel') as Float32Array).set(kernel);
        (weights.get('bias') as Float32Array).set(bias);
      });
    }
  }
  const result = rebuild((layer) => {
    const copy = copies.get(layer);
    if (copy === undefined) throw new Error(`Internal error: foldBatchNorm() met '${layer.name}', which is no layer of the model`);
    return copy;
  });
  result.classNames = model.classNames;
  // The copy's arena draws initial values before they are overwritten: put the generator back,
  // so folding (or exporting) never changes what the next fit() draws.
  const state = globalRandom.getState();
  try {
    for (const [copy, fill] of fills) fill(result.weightViews(copy));
  } finally {
    globalRandom.setState(state);
  }
  return result;
}
