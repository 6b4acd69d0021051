/**
 * A model's heads: each output with its loss, its weight in the total loss, its metrics, and where
 * its labels and predictions lie in the batch's packed matrices (each output's columns side by
 * side, as node 0 holds the inputs'). compile() makes them from what it was given: one loss for
 * every output, an array in the outputs' order, or an object keyed by output name; the same for
 * lossWeights and metrics. A model of one output has one head of weight 1 whose logs keep the plain
 * names (loss, accuracy); with several, each output's logs are named as Keras names them
 * (<output>_loss, <output>_<metric>) beside the weighted total, loss.
 */
import { ArgumentRangeError, ArgumentTypeError, ShapeError } from '../errors';
import { Dense } from '../layers/dense';
import { getLoss, type Loss } from '../losses';
import type { Metric } from '../metrics';
import { getMetrics } from '../metrics/resolve';
import { describe, float32In, plainObject } from '../validate';
import type { Graph, GraphNode } from './graph';

export interface Head {
  readonly node: GraphNode;
  /** The output's name: its layer's (for a later application of a shared layer, 'name/1', ...). */
  readonly name: string;
  readonly loss: Loss;
  /** Its loss's weight in the total (lossWeights; 1 by default). */
  readonly weight: number;
  /** The loss applies the output layer's activation (softmax or sigmoid cross-entropy from logits). */
  readonly fused: boolean;
  /** Label columns: one class index for a sparse loss, else one target per output unit. */
  readonly labelCols: number;
  /** Where its labels start in a row of the packed labels. */
  readonly labelOffset: number;
  /** Where its predictions start in a row of the packed predictions. */
  readonly predictionOffset: number;
  /** The metrics fit() accumulates over an epoch, and their twins for evaluations. */
  readonly metrics: readonly Metric[];
  readonly evalMetrics: readonly Metric[];
  /** The prefix of its logs: '' for a model of one output, else '<name>_'. */
  readonly logPrefix: string;
}

/** What compile() was given for the heads, kept to compile again when the layers change. */
export interface HeadArgs {
  readonly loss: unknown;
  readonly lossWeights: unknown;
  readonly metrics: unknown;
}

/** The output names of a graph. */
export function outputNames(graph: Graph): string[] {
  return [...graph.outputNames];
}

/**
 * A value given once for every output, as an array in the outputs' order, or as an object keyed
 * by output name (a missing name gets `missing`, an unknown one is refused): one per output. A model
 * of one output takes those forms too when `keyedForOne` (a loss, as Keras takes loss: ['mse']).
 */
function perOutput<T>(value: unknown, names: readonly string[], argument: string, single: (v: unknown) => boolean, missing: () => T | undefined, each: (v: unknown, arg: string) => T, keyedForOne = false): T[] {
  const several = names.length > 1 || keyedForOne;
  if (several && Array.isArray(value) && !single(value)) {
    if (value.length !== names.length) throw new ArgumentRangeError({ argument, expected: `one entry per output (${names.length}: ${names.join(', ')})`, received: `an array of ${value.length}` });
    return Array.from(value, (v, i) => each(v, `${argument}[${i}]`)); // a hole is refused by name, not skipped
  }
  const keyed = several && typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype && !single(value);
  // For one output, an object of other keys is no loss keyed by output name: each() says what it is.
  if (keyed && (names.length > 1 || Object.keys(value).every((key) => names.includes(key)))) {
    return byOutputName(value, names, argument).map((entry, i) => {
      if (entry.value !== undefined) return each(entry.value, entry.argument);
      const fallback = missing();
      if (fallback === undefined) throw new ArgumentRangeError({ argument, expected: `an entry for every output (${names.join(', ')})`, received: `none for '${names[i] as string}'` });
      return fallback;
    });
  }
  return names.map(() => each(value, argument));
}

/**
 * The entries of an object keyed by output name (compile's options, fit's weights), a key that
 * names no output refused; an output the object leaves out gets undefined.
 */
export function byOutputName(value: object, names: readonly string[], argument: string): { value: unknown; argument: string }[] {
  const entries = value as Record<string, unknown>;
  const unknown = Object.keys(entries).find((key) => !names.includes(key));
  if (unknown !== undefined) throw new ArgumentRangeError({ argument, expected: `keys that name outputs (${names.join(', ')})`, received: `'${unknown}'` });
  return names.map((name) => ({ value: entries[name], argument: `${argument}.${name}` }));
}

/** Whether a value is one loss (a name or a loss object) rather than one per output. */
function isOneLoss(value: unknown): boolean {
  return typeof value === 'string' || (typeof value === 'object' && value !== null && 'onOutputs' in value);
}

/** Whether a value is one metric list for every output. */
function isOneMetricList(value: unknown): boolean {
  return typeof value === 'string' || (typeof value === 'object' && value !== null && 'update' in value) || (Array.isArray(value) && value.every((v) => !Array.isArray(v)));
}

/**
 * Whether output `node` can leave its activation to `loss`: a Dense whose activation the loss
 * absorbs, read by nothing else (its consumers need the activation) and applied at this node only.
 * A model that shares its layers with the model they came from (`lent`) fuses as that model does.
 */
function fuses(graph: Graph, node: GraphNode, loss: Loss, lent: boolean): boolean {
  const layer = node.layer;
  if (!(layer instanceof Dense)) return false;
  const absorbs = loss.fusion !== null && layer.activation === loss.fusion.activation;
  if (lent) {
    if (layer.fusedIntoLoss && !absorbs) {
      throw new ArgumentRangeError({ argument: 'loss', expected: `a loss that applies '${layer.name}''s ${layer.activation}, as the model this one was cut from compiled it`, received: `'${loss.name}'` });
    }
    return layer.fusedIntoLoss;
  }
  return absorbs && layer.activityRegularizer === null && graph.consumersOf(node).length === 0 && graph.applicationsOf(layer) === 1;
}

/** The heads of `graph` for compile's loss, lossWeights and metrics. */
export function makeHeads(graph: Graph, args: HeadArgs, lent: boolean): Head[] {
  const names = outputNames(graph);
  const losses = perOutput(args.loss, names, 'loss', isOneLoss, () => undefined, (v, arg) => getLoss(v, arg), true);
  const weights = args.lossWeights === undefined ? names.map(() => 1) : lossWeightsOf(args.lossWeights, names);
  const metricLists = perOutput(args.metrics ?? [], names, 'metrics', isOneMetricList, () => [], (v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));
  const fusedLayers = new Set<Dense>();
  let labelOffset = 0;
  let predictionOffset = 0;
  const heads = graph.outputs.map((node, i): Head => {
    const loss = losses[i] as Loss;
    const fused = fuses(graph, node, loss, lent);
    if (fused && !lent) fusedLayers.add(node.layer as Dense);
    const metrics = getMetrics(metricLists[i] as unknown[], loss, node.units).map((m) => (names.length > 1 ? m.clone() : m));
    const head: Head = {
      node, name: names[i] as string, loss, weight: weights[i] as number, fused, labelCols: loss.sparse ? 1 : node.units, labelOffset, predictionOffset,
      metrics, evalMetrics: metrics.map((m) => m.clone()), logPrefix: names.length > 1 ? `${names[i] as string}_` : '',
    };
    labelOffset += head.labelCols;
    predictionOffset += node.units;
    return head;
  });
  if (!lent) for (const layer of graph.layers) if (layer instanceof Dense) layer.fusedIntoLoss = fusedLayers.has(layer);
  return heads;
}

function lossWeightsOf(value: unknown, names: readonly string[]): number[] {
  const weight = (v: unknown, argument: string): number => float32In(v, argument, { min: 0, max: Infinity, maxInclusive: false });
  if (Array.isArray(value)) {
    if (value.length !== names.length) throw new ShapeError({ argument: 'lossWeights', expected: `${names.length} weights, one per output (${names.join(', ')})`, received: `${value.length}` });
    return Array.from(value, (v, i) => weight(v, `lossWeights[${i}]`));
  }
  if (typeof value !== 'object' || value === null) {
    throw new ArgumentTypeError({ argument: 'lossWeights', expected: `an array of ${names.length} numbers, or an object keyed by output name (${names.join(', ')})`, received: describe(value) });
  }
  return byOutputName(plainObject(value, 'lossWeights'), names, 'lossWeights').map((entry) => (entry.value === undefined ? 1 : weight(entry.value, entry.argument)));
}

/** Columns of a packed row: the heads' labels. */
export function labelWidth(heads: readonly Head[]): number {
  return heads.reduce((sum, h) => sum + h.labelCols, 0);
}

/** Columns of a packed row: the heads' predictions. */
export function predictionWidth(heads: readonly Head[]): number {
  return heads.reduce((sum, h) => sum + h.node.units, 0);
}
