/**
 * A graph model's topology (graph-header.ts describes the JSON) from the model, and the model
 * from it. Writing walks the core's graph: each layer's applications in graph order become its
 * inbound nodes, numbered from 0 within the model (a layer applied in another graph too, such as a
 * nested model's, is numbered by its applications here). Reading builds the graph again with
 * layer.apply(), each application once the tensors it reads exist, and refuses, naming the entry,
 * what cannot be a graph: a name given twice, a tensor of a layer or node that does not exist, a
 * cycle, inputs that a layer does not take (a merge of mismatched shapes), an output that does not
 * exist, a layer no output uses.
 */
import { ModelFormatError } from '../errors';
import type { GraphNode } from '../core/graph';
import type { Model } from '../core/model';
import { makeGraphModel } from '../core/registry';
import type { Layer } from '../layers/layer';
import { layerFromConfig } from '../layers/registry';
import { SymbolicTensor } from '../layers/symbolic';
import { asFormatError } from './format-error';
import { INPUT_LAYER, type GraphLayerEntry, type GraphTopology, type TensorRef } from './graph-header';

/**
 * The front end's class name and, for a graph model, its name: what the core leaves to the front
 * ends (Sequential, Functional). Writers and summary() treat any model but a Sequential as a graph.
 */
export function frontEnd(model: Model): { className: string; name: string } {
  const { className, name } = model as Model & { readonly className?: unknown; readonly name?: unknown };
  return { className: typeof className === 'string' ? className : 'Functional', name: typeof name === 'string' ? name : 'model' };
}

/**
 * How a graph file names `model`'s tensors: each layer's applications in graph order, numbered
 * from 0 (its inbound nodes: the tensors each reads), and the reference [layer or input name,
 * node index, 0] of any graph node's output.
 */
export function graphReferences(model: Model): { inbound: Map<Layer, TensorRef[][]>; refOf: (node: GraphNode) => TensorRef } {
  const graph = model.graph();
  const specs = model.inputSpecs();
  const inputNames = new Map<GraphNode, string>(graph.inputs.map((node, i) => [node, specs[i]?.name ?? 'input']));
  const application = new Map<GraphNode, number>();
  const inbound = new Map<Layer, TensorRef[][]>();
  const refOf = (node: GraphNode): TensorRef => (node.layer === null ? [inputNames.get(node) as string, 0, 0] : [node.layer.name, application.get(node) as number, 0]);
  for (const node of graph.nodes) {
    if (node.layer === null) continue;
    const nodes = inbound.get(node.layer) ?? [];
    inbound.set(node.layer, nodes);
    application.set(node, nodes.length);
    nodes.push(node.inputs.map(refOf));
  }
  return { inbound, refOf };
}

/** The topology of a graph model named `name`: its inputs as InputLayer entries, then its layers in order, each with its inbound nodes. */
export function graphToJSON(model: Model, name: string): GraphTopology {
  const graph = model.graph();
  const { inbound, refOf } = graphReferences(model);
  return {
    className: 'Functional',
    config: {
      name,
      layers: [
        ...model.inputSpecs().map((input): GraphLayerEntry => ({ className: INPUT_LAYER, name: input.name, config: { name: input.name, batchInputShape: [null, input.units] }, inboundNodes: [] })),
        ...model.layers.map((layer): GraphLayerEntry => ({ className: layer.className, name: layer.name, config: layer.getConfig(), inboundNodes: inbound.get(layer) ?? [] })),
      ],
      inputLayers: graph.inputs.map(refOf),
      outputLayers: graph.outputs.map(refOf),
    },
  };
}

/** The graph model a checked topology describes (layers built, weights not yet drawn); `source` names the file or 'JSON' in errors. */
export function buildGraphModel(topology: GraphTopology, source: string): Model {
  const { name, layers: entries, inputLayers, outputLayers } = topology.config;
  const fail = (problem: string): never => {
    throw new ModelFormatError(source, problem);
  };
  const entry = (i: number): GraphLayerEntry => entries[i] as GraphLayerEntry;
  const where = (i: number): string => `topology.config.layers[${i}] (${entry(i).name})`;
  const isInput = (i: number): boolean => entry(i).className === INPUT_LAYER;

  const byName = new Map<string, number>();
  entries.forEach((e, i) => {
    const other = byName.get(e.name);
    if (other !== undefined) fail(`topology.config.layers[${i}] reuses the name '${e.name}' of layers[${other}]: the layers and inputs of a model have distinct names`);
    byName.set(e.name, i);
  });
  const layers = entries.map((e, i): Layer | null => {
    if (isInput(i)) {
      if (e.inboundNodes.length > 0) fail(`${where(i)} is an InputLayer, which has no inbound nodes, but lists ${e.inboundNodes.length}`);
      return null;
    }
    const layer = asFormatError(source, where(i), () => layerFromConfig({ className: e.className, config: e.config }, `topology.config.layers[${i}]`));
    if (layer.name !== e.name) fail(`${where(i)}: its config names the layer '${layer.name}', not '${e.name}'`);
    if (e.inboundNodes.length === 0) fail(`${where(i)} has no inbound nodes: every layer of a graph is applied at least once`);
    return layer;
  });

  /** The entry and node a reference names, checked to exist. */
  const resolve = (ref: TensorRef, at: string): [number, number] => {
    const [layerName, node] = ref;
    const i = byName.get(layerName);
    if (i === undefined) return fail(`${at} names the layer '${layerName}', which the topology does not have`);
    const count = isInput(i) ? 1 : entry(i).inboundNodes.length;
    if (node >= count) fail(`${at} names node ${node} of '${layerName}', which has ${count === 1 ? 'node 0 only' : `nodes 0 to ${count - 1}`}`);
    return [i, node];
  };

  // Every node (an input, or an application of a layer) gets an id; an application waits for the
  // nodes it reads and for its layer's previous application, and is made once they all are.
  const firstId: number[] = [];
  let ids = 0;
  entries.forEach((e, i) => {
    firstId.push(ids);
    ids += isInput(i) ? 1 : e.inboundNodes.length;
  });
  const reads: [number, number][][] = new Array(ids);
  const waits = new Int32Array(ids);
  const dependents: number[][] = Array.from({ length: ids }, () => []);
  const ready: number[] = [];
  entries.forEach((e, i) => {
    if (isInput(i)) {
      ready.push(firstId[i] as number);
      return;
    }
    e.inboundNodes.forEach((node, j) => {
      const id = (firstId[i] as number) + j;
      const sources = node.map((ref, k) => resolve(ref, `${where(i)}.inboundNodes[${j}][${k}]`));
      reads[id] = sources;
      const before = new Set(sources.map(([s, n]) => (firstId[s] as number) + n));
      if (j > 0) before.add(id - 1);
      for (const source of before) (dependents[source] as number[]).push(id);
      waits[id] = before.size;
      if (before.size === 0) ready.push(id);
    });
  });
  const entryOf = (id: number): number => {
    let lo = 0;
    let hi = entries.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((firstId[mid] as number) <= id) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  };
  const tensors: (SymbolicTensor | undefined)[] = new Array(ids);
  for (let next = 0; next < ready.length; next++) {
    const id = ready[next] as number;
    const i = entryOf(id);
    const j = id - (firstId[i] as number);
    const layer = layers[i];
    if (layer === null || layer === undefined) {
      const shape = entry(i).config['batchInputShape'] as [null, number];
      tensors[id] = new SymbolicTensor(shape[1], null, [], 0, entry(i).name);
    } else {
      const inputs = (reads[id] as [number, number][]).map(([s, n]) => tensors[(firstId[s] as number) + n] as SymbolicTensor);
      tensors[id] = asFormatError(source, `${where(i)}.inboundNodes[${j}]`, () => layer.apply(inputs.length === 1 ? (inputs[0] as SymbolicTensor) : inputs));
    }
    for (const dependent of dependents[id] as number[]) {
      waits[dependent] = (waits[dependent] as number) - 1;
      if (waits[dependent] === 0) ready.push(dependent);
    }
  }
  if (ready.length < ids) {
    // Every node not made waits for one not made (a tensor it reads, or its layer's previous
    // application): following them from the first one ends in a loop, which the error shows.
    const label = (id: number): string => `${entry(entryOf(id)).name}[${id - (firstId[entryOf(id)] as number)}]`;
    const blocker = (id: number): number => (reads[id] as [number, number][]).map(([s, n]) => (firstId[s] as number) + n).find((read) => tensors[read] === undefined) ?? id - 1;
    const first = tensors.findIndex((t) => t === undefined);
    const path: number[] = [];
    const seen = new Map<number, number>();
    let id = first;
    while (!seen.has(id)) {
      seen.set(id, path.length);
      path.push(id);
      id = blocker(id);
    }
    const loop = [...path.slice(seen.get(id)), id].map(label);
    const i = entryOf(first);
    fail(`${where(i)}.inboundNodes[${first - (firstId[i] as number)}] can never be computed: the graph has a cycle (${loop.join(', which needs ')})`);
  }

  const inputs = inputLayers.map((ref, k) => {
    const at = `topology.config.inputLayers[${k}]`;
    const [i] = resolve(ref, at);
    if (!isInput(i)) fail(`${at} names '${ref[0]}', a ${entry(i).className} layer: a model's inputs are InputLayer entries`);
    return tensors[firstId[i] as number] as SymbolicTensor;
  });
  const listed = new Set(inputLayers.map((ref) => ref[0]));
  entries.forEach((e, i) => {
    if (isInput(i) && !listed.has(e.name)) fail(`${where(i)} is an InputLayer that topology.config.inputLayers does not list`);
  });
  const outputs = outputLayers.map((ref, k) => {
    const [i, j] = resolve(ref, `topology.config.outputLayers[${k}]`);
    return tensors[(firstId[i] as number) + j] as SymbolicTensor;
  });
  const model = asFormatError(source, 'topology.config', () => makeGraphModel(topology.className, { name, inputs, outputs }));
  if (model === undefined) throw new Error(`Internal error: no front end registered the model class '${topology.className}' (lib/models/functional.ts does when it loads)`);
  const used = new Set(model.layers);
  layers.forEach((layer, i) => {
    if (layer !== null && !used.has(layer)) fail(`${where(i)} is not used: no output of the model is computed from it`);
  });
  return model;
}
