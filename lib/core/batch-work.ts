/**
 * The work of one batch, written once for both ways of running it (lib/core/kernels.ts): the
 * forward pass through the graph, each head's loss, and when training the backward pass into the
 * gradient arena, the regularizers' penalties, and the optimizer's update with the constraints
 * after it. Run now, it returns the values; added to a plan, the indices the values will have.
 */
import type { Layer } from '../layers/layer';
import type { Optimizer } from '../optimizers/optimizer';
import { applyRegularizer } from '../regularizers';
import type { ParameterArena } from './arena';
import type { Graph, GraphNode } from './graph';
import { labelWidth, predictionWidth, type Head } from './heads';
import type { Work } from './kernels';
import type { Workspace } from './workspace';
import { GradientFlow } from './gradient-flow';

/** What the work of a batch needs of a compiled model. */
export interface BatchModel {
  readonly graph: Graph;
  readonly arena: ParameterArena;
  readonly heads: readonly Head[];
  readonly optimizer: Optimizer;
}

/**
 * How far the work goes: 'evaluate' (forward and loss), 'gradients' (and the backward pass:
 * the gradient arena, and every layer's training behaviour), 'train' (and the update).
 */
export type BatchMode = 'evaluate' | 'gradients' | 'train';

/**
 * A batch: n rows of inputs (every input's columns side by side), their labels (every head's),
 * and sample weights (one per sample, or one per sample and head: weightCols of them), or null
 * for all ones.
 */
export interface Batch {
  readonly input: Float32Array;
  readonly labels: Float32Array;
  readonly weights: Float32Array | null;
  readonly n: number;
}

/** The values of a batch's work: numbers run now, the indices of the values in a plan. */
export interface BatchValues<S extends number> {
  /** Each head's loss, unweighted. */
  readonly losses: readonly S[];
  /** The regularizers' penalties, which join the loss: activity ones per layer output, weight ones once. */
  readonly penalties: readonly S[];
  /** The update's outcome (1, or NaN when refused); null when the work makes no update. */
  readonly outcome: S | null;
  /** The model's predictions for the batch (probabilities when a loss is fused), every head's side by side. */
  readonly predictions: Float32Array;
}

/** A node's output: the batch's input for node 0. */
function outputOf(node: GraphNode, batch: Batch, ws: Workspace): Float32Array {
  return node.index === 0 ? batch.input : (ws.outputs[node.index] as Float32Array);
}

export function batchWork<S extends number>(model: BatchModel, w: Work<S>, ws: Workspace, batch: Batch, mode: BatchMode): BatchValues<S> {
  const { graph, arena, heads, optimizer } = model;
  const { n } = batch;
  const backward = mode !== 'evaluate';
  const total = graph.input.units;
  for (const node of graph.nodes) {
    if (node.columns !== null) w.k.copyColumns(ws.outputs[node.index] as Float32Array, node.units, 0, batch.input, total, node.columns, node.units, n);
    if (node.layer === null) continue;
    node.layer.atNode(node.index);
    node.layer.forwardInputs(w.k, node.inputs.map((input) => outputOf(input, batch, ws)), ws.outputs[node.index] as Float32Array, n, backward);
  }
  const flow = new GradientFlow(ws);
  const losses = heads.map((head, i) => headLoss(w, ws, batch, heads, head, i, backward ? flow.first(head.node) : null));
  const predictions = packedPredictions(w, ws, heads, n);
  const penalties: S[] = [];
  let outcome: S | null = null;
  if (losses.every((value) => w.goesOn(value))) {
    // Backward in reverse graph order.
    const done = new Set<Layer>();
    for (let i = graph.nodes.length - 1; i >= 0; i--) {
      const node = graph.nodes[i] as GraphNode;
      const layer = node.layer;
      if (layer === null) continue;
      const dOutput = backward ? flow.of(node) : null;
      if (layer.activityRegularizer !== null) penalties.push(applyRegularizer(w.k, layer.activityRegularizer, ws.outputs[node.index] as Float32Array, dOutput, 1 / n));
      if (dOutput === null) continue;
      // One input at most takes dOutput itself: each other needs its own copy.
      let handedOver = false;
      const targets = node.inputs.map((input, j) => {
        if (input.layer === null) return null;
        const passes = !handedOver && layer.passesGradient(j);
        const target = flow.target(input, dOutput, passes);
        handedOver ||= target === dOutput;
        return target;
      });
      const shared = done.has(layer) ? stashGradients(w, ws, arena, layer) : [];
      layer.atNode(node.index);
      layer.backwardInputs(w.k, dOutput, targets, node.inputs.map((input) => outputOf(input, batch, ws)), ws.outputs[node.index] as Float32Array, n);
      for (const [grad, stash] of shared) w.k.addElementwise(grad, grad, stash);
      done.add(layer);
      for (const input of node.inputs) if (input.layer !== null) flow.settle(w, input);
    }
    penalties.push(...arena.regularize(w.k, backward));
    if (mode === 'train') {
      outcome = optimizer.addUpdate(w, arena.params, arena.grads, arena.segments);
      if (w.goesOn(outcome)) arena.applyConstraints(w.k);
    }
  }
  return { losses, penalties, outcome, predictions };
}

/** Head i's loss on its output; its gradient (scaled by the head's weight) into the output node's. */
function headLoss<S extends number>(w: Work<S>, ws: Workspace, batch: Batch, heads: readonly Head[], head: Head, i: number, dOut: Float32Array | null): S {
  const { n } = batch;
  const c = head.node.units;
  const out = ws.outputs[head.node.index] as Float32Array;
  let labels = batch.labels;
  let weights = batch.weights;
  if (heads.length > 1) {
    labels = ws.headLabels[i] as Float32Array;
    w.k.copyColumns(labels, head.labelCols, 0, batch.labels, labelWidth(heads), head.labelOffset, head.labelCols, n);
    if (batch.weights !== null && ws.weightCols > 1) {
      weights = ws.headWeights[i] as Float32Array;
      w.k.copyColumns(weights, 1, 0, batch.weights, ws.weightCols, i, 1, n);
    }
  }
  const probs = ws.probs[i] ?? null;
  const value = probs !== null ? head.loss.fusion!.kernel(w.k, probs, dOut, out, labels, weights, n, c) : head.loss.onOutputs(w.k, dOut, out, labels, weights, n, c);
  if (dOut !== null && head.weight !== 1) w.k.scaleElementwise(dOut, dOut, head.weight);
  return value;
}

/** The heads' predictions: the one head's own, or every head's copied side by side. */
function packedPredictions<S extends number>(w: Work<S>, ws: Workspace, heads: readonly Head[], n: number): Float32Array {
  const own = (head: Head, i: number): Float32Array => ws.probs[i] ?? (ws.outputs[head.node.index] as Float32Array);
  if (ws.predictions === null) return own(heads[0] as Head, 0);
  const width = predictionWidth(heads);
  heads.forEach((head, i) => w.k.copyColumns(ws.predictions as Float32Array, width, head.predictionOffset, own(head, i), head.node.units, 0, head.node.units, n));
  return ws.predictions;
}

/**
 * Before a shared layer's backward at another node: its parameter gradients so far, set aside
 * (the backward overwrites them) to be added back after.
 */
function stashGradients<S extends number>(w: Work<S>, ws: Workspace, arena: ParameterArena, layer: Layer): [Float32Array, Float32Array][] {
  return arena.slotsOf(layer).filter((slot) => slot.trainable).map((slot) => {
    const grad = arena.grads.subarray(slot.offset, slot.offset + slot.size);
    const stash = ws.stash(slot.offset, slot.size);
    w.k.copy(stash, grad);
    return [grad, stash];
  });
}
