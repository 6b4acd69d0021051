/**
 * A graph model's topology in the file header (format version 2), Keras's functional config:
 *   { className: 'Functional', config: { name, layers, inputLayers, outputLayers } }
 * where each entry of `layers` is { className, name, config, inboundNodes }: a model input is an
 * 'InputLayer' entry with its shape and no inbound nodes; any other layer lists one inbound node
 * per application (a shared layer has several), each naming the tensors it reads as
 * [layer name, node index, tensor index]. Here every field's type and range is checked; what the
 * names point at (an unknown layer, a cycle, shapes that do not fit) is checked as the graph is
 * built (graph-topology.ts).
 */
import { MAX_LAYERS } from '../limits';
import { Checker, MAX_FLOATS } from './json-checker';

/** A tensor of the graph: [the layer or input that makes it, which application of that layer (its node), which of its outputs (always 0: a layer has one)]. */
export type TensorRef = readonly [layer: string, node: number, tensor: number];

export interface GraphLayerEntry {
  /** 'InputLayer' for a model input, else the layer's class. */
  readonly className: string;
  readonly name: string;
  /** The layer's getConfig(); an InputLayer's is { name, batchInputShape: [null, features] }. */
  readonly config: Record<string, unknown>;
  /** Each application of the layer, in order: the tensors it reads. None for an InputLayer. */
  readonly inboundNodes: readonly (readonly TensorRef[])[];
}

export interface GraphTopology {
  readonly className: 'Functional';
  readonly config: {
    readonly name: string;
    readonly layers: readonly GraphLayerEntry[];
    /** The model's inputs, in order: InputLayer entries. */
    readonly inputLayers: readonly TensorRef[];
    /** The model's outputs, in order. */
    readonly outputLayers: readonly TensorRef[];
  };
}

/** The className of a model input's entry. */
export const INPUT_LAYER = 'InputLayer';

function checkRef(c: Checker, value: unknown, where: string): TensorRef {
  const ref = c.array(value, where, 3);
  if (ref.length !== 3) c.fail(where, '[layer name, node index, tensor index]', value);
  const layer = c.string(ref[0], `${where}[0]`);
  const node = c.integer(ref[1], `${where}[1]`, 0, MAX_LAYERS - 1);
  if (ref[2] !== 0) c.fail(`${where}[2]`, '0 (a layer has one output tensor)', ref[2]);
  return [layer, node, 0];
}

function checkInputConfig(c: Checker, value: unknown, where: string): Record<string, unknown> {
  const config = c.object(value, where, ['name', 'batchInputShape']);
  const shape = c.array(config['batchInputShape'], `${where}.batchInputShape`, 2);
  if (shape.length !== 2 || shape[0] !== null) c.fail(`${where}.batchInputShape`, '[null, features]', shape);
  return { name: c.string(config['name'], `${where}.name`), batchInputShape: [null, c.integer(shape[1], `${where}.batchInputShape[1]`, 1, MAX_FLOATS)] };
}

/** A graph topology's fields, checked; `where` is its path (header.topology). */
export function checkGraphTopology(c: Checker, value: unknown, where: string): GraphTopology {
  const obj = c.object(value, where, ['className', 'config']);
  if (obj['className'] !== 'Functional') c.fail(`${where}.className`, "'Functional' (a graph model; a Sequential's topology is an array of layers)", obj['className']);
  const config = c.object(obj['config'], `${where}.config`, ['name', 'layers', 'inputLayers', 'outputLayers']);
  let nodes = 0;
  const layers = c.array(config['layers'], `${where}.config.layers`).map((value, i): GraphLayerEntry => {
    const at = `${where}.config.layers[${i}]`;
    const entry = c.object(value, at, ['className', 'name', 'config', 'inboundNodes']);
    const className = c.string(entry['className'], `${at}.className`);
    const inboundNodes = c.array(entry['inboundNodes'], `${at}.inboundNodes`, MAX_LAYERS).map((node, j) => {
      const refs = c.array(node, `${at}.inboundNodes[${j}]`);
      return refs.map((ref, k) => checkRef(c, ref, `${at}.inboundNodes[${j}][${k}]`));
    });
    nodes += inboundNodes.length;
    if (nodes > MAX_LAYERS) c.refuse(`${where}.config.layers hold more than ${MAX_LAYERS} inbound nodes (layer applications) in all, the most a graph has`);
    return {
      className,
      name: c.string(entry['name'], `${at}.name`),
      config: className === INPUT_LAYER ? checkInputConfig(c, entry['config'], `${at}.config`) : c.anyObject(entry['config'], `${at}.config`),
      inboundNodes,
    };
  });
  const refs = (key: string): TensorRef[] => {
    const list = c.array(config[key], `${where}.config.${key}`);
    if (list.length === 0) c.fail(`${where}.config.${key}`, 'a non-empty array', list);
    return list.map((ref, i) => checkRef(c, ref, `${where}.config.${key}[${i}]`));
  };
  return { className: 'Functional', config: { name: c.string(config['name'], `${where}.config.name`), layers, inputLayers: refs('inputLayers'), outputLayers: refs('outputLayers') } };
}
