/**
 * A model's graph: an input of `features` values per sample, then layers, each applied at a
 * node to the outputs of nodes before it, in an order where every node comes after its inputs.
 * Sequential's graph is a chain; the graph itself allows a node several inputs and several
 * consumers (whose gradients its output then adds up), which merge layers and graph models use.
 */
import type { Layer } from '../layers/layer';

export interface GraphNode {
  /** Its place in the graph's order: every node's inputs have smaller indices. */
  readonly index: number;
  /** The layer applied here; null for the graph's input. */
  readonly layer: Layer | null;
  readonly inputs: readonly GraphNode[];
  /** Values per sample of this node's output. */
  readonly units: number;
}

export class Graph {
  readonly nodes: readonly GraphNode[];
  /** The nodes whose outputs each node's output feeds, by node index. */
  private readonly consumers: readonly (readonly GraphNode[])[];

  /** The chain input -> layers[0] -> layers[1] -> ...: each layer built for the one before. */
  static chain(features: number, layers: readonly Layer[]): Graph {
    const nodes: GraphNode[] = [{ index: 0, layer: null, inputs: [], units: features }];
    for (const layer of layers) nodes.push({ index: nodes.length, layer, inputs: [nodes[nodes.length - 1] as GraphNode], units: layer.outputUnits });
    return new Graph(nodes);
  }

  private constructor(nodes: readonly GraphNode[]) {
    this.nodes = nodes;
    const consumers: GraphNode[][] = nodes.map(() => []);
    for (const node of nodes) for (const input of node.inputs) consumers[input.index]?.push(node);
    this.consumers = consumers;
  }

  get input(): GraphNode {
    return this.nodes[0] as GraphNode;
  }

  get output(): GraphNode {
    return this.nodes[this.nodes.length - 1] as GraphNode;
  }

  /** The nodes that read `node`'s output, in graph order. */
  consumersOf(node: GraphNode): readonly GraphNode[] {
    return this.consumers[node.index] ?? [];
  }

  /** The layers, in graph order. */
  get layers(): Layer[] {
    return this.nodes.flatMap((node) => (node.layer === null ? [] : [node.layer]));
  }
}
