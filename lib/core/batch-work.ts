/**
 * The work of one batch, written once for both ways of running it (lib/core/kernels.ts): the
 * forward pass through the graph, the loss, and when training the backward pass into the
 * gradient arena, the regularizers' penalties, and the optimizer's update with the constraints
 * after it. Run now, it returns the values; added to a plan, the indices the values will have.
 */
import type { Layer } from '../layers/layer';
import type { Loss } from '../losses';
import type { Optimizer } from '../optimizers/optimizer';
import { applyRegularizer } from '../regularizers';
import type { ParameterArena } from './arena';
import type { Graph, GraphNode } from './graph';
import type { Work } from './kernels';
import type { Workspace } from './workspace';

/** What the work of a batch needs of a compiled model. */
export interface BatchModel {
  readonly graph: Graph;
  readonly arena: ParameterArena;
  readonly loss: Loss;
  /** The loss applies the last layer's activation (softmax or sigmoid cross-entropy from logits). */
  readonly fused: boolean;
  readonly optimizer: Optimizer;
}

/**
 * How far the work goes: 'evaluate' (forward and loss), 'gradients' (and the backward pass:
 * the gradient arena, and every layer's training behaviour), 'train' (and the update).
 */
export type BatchMode = 'evaluate' | 'gradients' | 'train';

/** A batch: n rows of inputs, their labels, and one weight per sample or null for all ones. */
export interface Batch {
  readonly input: Float32Array;
  readonly labels: Float32Array;
  readonly weights: Float32Array | null;
  readonly n: number;
}

/** The values of a batch's work: numbers run now, the indices of the values in a plan. */
export interface BatchValues<S extends number> {
  readonly loss: S;
  /** The regularizers' penalties, which join the loss: activity ones per layer output, weight ones once. */
  readonly penalties: readonly S[];
  /** The update's outcome (1, or NaN when refused); null when the work makes no update. */
  readonly outcome: S | null;
  /** The model's predictions for the batch (probabilities when the loss is fused). */
  readonly predictions: Float32Array;
}

/** A node's output: the batch's input for the graph's input node. */
function outputOf(node: GraphNode, batch: Batch, ws: Workspace): Float32Array {
  return node.layer === null ? batch.input : (ws.outputs[node.index] as Float32Array);
}

export function batchWork<S extends number>(model: BatchModel, w: Work<S>, ws: Workspace, batch: Batch, mode: BatchMode): BatchValues<S> {
  const { graph, arena, loss, fused, optimizer } = model;
  const { n, labels, weights } = batch;
  const backward = mode !== 'evaluate';
  for (const node of graph.nodes) {
    if (node.layer === null) continue;
    node.layer.forward(w.k, outputOf(node.inputs[0] as GraphNode, batch, ws), ws.outputs[node.index] as Float32Array, n, backward);
  }
  const last = graph.output;
  const out = outputOf(last, batch, ws);
  const dOut = backward ? (ws.grads[last.index] as Float32Array) : null;
  const c = last.units;
  const predictions = fused ? (ws.probs as Float32Array) : out;
  const value = fused ? loss.fusion!.kernel(w.k, predictions, dOut, out, labels, weights, n, c) : loss.onOutputs(w.k, dOut, out, labels, weights, n, c);
  const penalties: S[] = [];
  let outcome: S | null = null;
  if (w.goesOn(value)) {
    // Backward in reverse graph order: a node's gradient is whole once every consumer has given its part.
    const given = new Set<number>();
    for (let i = graph.nodes.length - 1; i >= 0; i--) {
      const node = graph.nodes[i] as GraphNode;
      const layer = node.layer as Layer | null;
      if (layer === null) continue;
      const dOutput = backward ? (ws.grads[node.index] as Float32Array) : null;
      if (layer.activityRegularizer !== null) penalties.push(applyRegularizer(w.k, layer.activityRegularizer, ws.outputs[node.index] as Float32Array, dOutput, 1 / n));
      if (dOutput === null) continue;
      const input = node.inputs[0] as GraphNode;
      layer.backward(w.k, dOutput, input.layer === null ? null : gradientTarget(ws, graph, input, given), outputOf(input, batch, ws), ws.outputs[node.index] as Float32Array, n);
      if (input.layer !== null) addGivenPart(w, ws, graph, input, given);
    }
    penalties.push(...arena.regularize(w.k, backward));
    if (mode === 'train') {
      outcome = optimizer.addUpdate(w, arena.params, arena.grads, arena.segments);
      if (w.goesOn(outcome)) arena.applyConstraints(w.k);
    }
  }
  return { loss: value, penalties, outcome, predictions };
}

/**
 * Where a consumer writes its part of `node`'s gradient: the gradient itself for the first part,
 * the node's accumulator for each later one (added by addGivenPart), since a layer's backward
 * overwrites what it writes.
 */
function gradientTarget(ws: Workspace, graph: Graph, node: GraphNode, given: ReadonlySet<number>): Float32Array {
  if (!given.has(node.index) || graph.consumersOf(node).length < 2) return ws.grads[node.index] as Float32Array;
  return ws.accumulator(node.index);
}

function addGivenPart<S extends number>(w: Work<S>, ws: Workspace, graph: Graph, node: GraphNode, given: Set<number>): void {
  if (given.has(node.index) && graph.consumersOf(node).length >= 2) {
    const sum = ws.grads[node.index] as Float32Array;
    w.k.addElementwise(sum, sum, ws.accumulator(node.index));
  }
  given.add(node.index);
}
