/**
 * A model's graph, in an order where every node comes after its inputs. Node 0 holds the batch's
 * rows as the data pipeline delivers them: one matrix, each model input's columns side by side,
 * so that fit's gathering, staging and trips are the same for any number of inputs. A model of one
 * input reads node 0 as its input; a model of several has an input node per input, which copies
 * its columns out of node 0. Then come layer nodes: a layer applied to the outputs of nodes
 * before it. A node may feed several consumers (its gradient then adds up their parts) and a
 * layer may be applied at several nodes (its weights shared, their gradients summed).
 */
import type { Layer } from '../layers/layer';

export interface GraphNode {
  /** Its place in the graph's order: every node's inputs have smaller indices. */
  readonly index: number;
  /** The layer applied here; null for node 0 and the input nodes. */
  readonly layer: Layer | null;
  readonly inputs: readonly GraphNode[];
  /** Values per sample of this node's output. */
  readonly units: number;
  /** For an input node of a model of several inputs: where its columns start in node 0's rows. */
  readonly columns: number | null;
}

export class Graph {
  readonly nodes: readonly GraphNode[];
  /** The model's inputs, in order: node 0 itself when there is one. */
  readonly inputs: readonly GraphNode[];
  /** The model's outputs, in order. */
  readonly outputs: readonly GraphNode[];
  /** Each output's name: its layer's, or for a later application of a shared layer, 'name/1', ... */
  readonly outputNames: readonly string[];
  /** The nodes whose outputs each node's output feeds, by node index. */
  private readonly consumers: readonly (readonly GraphNode[])[];
  /** How many nodes apply each layer. */
  private readonly applications = new Map<Layer, number>();

  /** The chain input -> layers[0] -> layers[1] -> ...: each layer built for the one before. */
  static chain(features: number, layers: readonly Layer[]): Graph {
    const nodes: GraphNode[] = [{ index: 0, layer: null, inputs: [], units: features, columns: null }];
    for (const layer of layers) nodes.push({ index: nodes.length, layer, inputs: [nodes[nodes.length - 1] as GraphNode], units: layer.outputUnits, columns: null });
    const last = nodes[nodes.length - 1] as GraphNode;
    return new Graph(nodes, [nodes[0] as GraphNode], [last], [last.layer?.name ?? 'input']);
  }

  /**
   * A graph of `inputWidths.length` inputs, then the layer nodes `layers` gives (each naming its
   * inputs by their index in the full order: inputs first, then the layer nodes before it), then
   * the nodes `outputs` names, called `outputNames`.
   */
  static of(inputWidths: readonly number[], layers: readonly { readonly layer: Layer; readonly inputs: readonly number[] }[], outputs: readonly number[], outputNames: readonly string[]): Graph {
    const total = inputWidths.reduce((a, b) => a + b, 0);
    const nodes: GraphNode[] = [{ index: 0, layer: null, inputs: [], units: total, columns: null }];
    const named: GraphNode[] = [];
    if (inputWidths.length === 1) named.push(nodes[0] as GraphNode);
    else {
      let offset = 0;
      for (const width of inputWidths) {
        const node: GraphNode = { index: nodes.length, layer: null, inputs: [nodes[0] as GraphNode], units: width, columns: offset };
        nodes.push(node);
        named.push(node);
        offset += width;
      }
    }
    const inputs = named.slice();
    for (const { layer, inputs: from } of layers) {
      const node: GraphNode = { index: nodes.length, layer, inputs: from.map((i) => named[i] as GraphNode), units: layer.outputUnits, columns: null };
      nodes.push(node);
      named.push(node);
    }
    return new Graph(nodes, inputs, outputs.map((i) => named[i] as GraphNode), outputNames);
  }

  private constructor(nodes: readonly GraphNode[], inputs: readonly GraphNode[], outputs: readonly GraphNode[], outputNames: readonly string[]) {
    this.nodes = nodes;
    this.inputs = inputs;
    this.outputs = outputs;
    this.outputNames = outputNames;
    const consumers: GraphNode[][] = nodes.map(() => []);
    for (const node of nodes) for (const input of node.inputs) consumers[input.index]?.push(node);
    this.consumers = consumers;
    for (const node of nodes) if (node.layer !== null) this.applications.set(node.layer, (this.applications.get(node.layer) ?? 0) + 1);
  }

  /** Node 0: the batch's rows, every input's columns side by side. */
  get input(): GraphNode {
    return this.nodes[0] as GraphNode;
  }

  /** The nodes that read `node`'s output, in graph order. */
  consumersOf(node: GraphNode): readonly GraphNode[] {
    return this.consumers[node.index] ?? [];
  }

  /** How many nodes apply `layer` (more than one: its weights are shared among them). */
  applicationsOf(layer: Layer): number {
    return this.applications.get(layer) ?? 0;
  }

  /** The layers, each once, in the order of their first node. */
  get layers(): Layer[] {
    return [...this.applications.keys()];
  }
}
