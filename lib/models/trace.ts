/**
 * From symbolic tensors to a graph's layout: model({ inputs, outputs }) walks back from the
 * outputs through the layers that made them to the inputs, and lays out every application of a
 * layer after those it reads. Bad graphs are refused here, before any weight exists: an input the
 * outputs do not depend on, an output that depends on a tensor not among the inputs (another
 * graph's), a tensor given twice, two layers (or a layer and an input) of one name.
 */
import { ArgumentRangeError, ArgumentTypeError, ShapeError } from '../errors';
import type { Layer } from '../layers/layer';
import { SymbolicTensor } from '../layers/symbolic';
import { MAX_LAYERS } from '../limits';
import { describe } from '../validate';

/** A graph's layout: its inputs, each layer node (naming its inputs by index: inputs first, then nodes), its outputs. */
export interface TracedGraph {
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
  readonly nodes: readonly { readonly layer: Layer; readonly inputs: readonly number[]; readonly tensor: SymbolicTensor }[];
  /** Each output's index among inputs-then-nodes. */
  readonly outputIndices: readonly number[];
  /** The layers, each once, in the order of their first node. */
  readonly layers: readonly Layer[];
}

/** One tensor or a list of them, each checked; `argument` names the list. */
export function tensorList(value: unknown, argument: string): SymbolicTensor[] {
  // Array.from: a hole in the list is refused by name, not skipped.
  const list: unknown[] = Array.isArray(value) ? Array.from(value as unknown[]) : [value];
  if (list.length === 0) throw new ArgumentRangeError({ argument, expected: 'at least one symbolic tensor', received: 'an empty array' });
  list.forEach((t, i) => {
    if (!(t instanceof SymbolicTensor)) {
      throw new ArgumentTypeError({ argument: Array.isArray(value) ? `${argument}[${i}]` : argument, expected: "a symbolic tensor (from input({ shape }) or a layer's apply())", received: describe(t) });
    }
  });
  if (new Set(list).size !== list.length) throw new ArgumentRangeError({ argument, expected: 'distinct tensors', received: 'one tensor given twice' });
  return list as SymbolicTensor[];
}

export function traceGraph(inputs: readonly SymbolicTensor[], outputs: readonly SymbolicTensor[]): TracedGraph {
  inputs.forEach((t, i) => {
    if (t.sourceLayer !== null) throw new ArgumentTypeError({ argument: `inputs[${i}]`, expected: 'a tensor from input({ shape })', received: `the output of layer '${t.sourceLayer.name}'` }, 'Cut a model from a layer output with inputs: input tensors, outputs: that output.');
  });
  const inputNames = new Set<string>();
  for (const t of inputs) {
    if (inputNames.has(t.name)) throw new ArgumentRangeError({ argument: 'inputs', expected: 'inputs of distinct names', received: `two inputs named '${t.name}'` });
    inputNames.add(t.name);
  }
  const index = new Map<SymbolicTensor, number>(inputs.map((t, i) => [t, i]));
  // A set, not inputs.includes(): a merge of thousands of inputs would make the trace quadratic.
  const inputSet = new Set(inputs);
  const nodes: { layer: Layer; inputs: number[]; tensor: SymbolicTensor }[] = [];
  const reached = new Set<SymbolicTensor>();
  // Depth first and iterative (a graph may be thousands of layers deep): a node is laid out once all its inputs are.
  for (const output of outputs) {
    const stack: { tensor: SymbolicTensor; expanded: boolean }[] = [{ tensor: output, expanded: false }];
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as { tensor: SymbolicTensor; expanded: boolean };
      const t = top.tensor;
      if (index.has(t)) {
        reached.add(t);
        stack.pop();
        continue;
      }
      if (t.sourceLayer === null) {
        throw new ArgumentRangeError({ argument: 'outputs', expected: `outputs computed from the inputs given (${inputs.map((i) => `'${i.name}'`).join(', ')})`, received: `outputs that depend on the input '${t.name}', which is not among them` });
      }
      if (!top.expanded) {
        top.expanded = true;
        for (let i = t.inputs.length - 1; i >= 0; i--) if (!index.has(t.inputs[i] as SymbolicTensor)) stack.push({ tensor: t.inputs[i] as SymbolicTensor, expanded: false });
        if (stack.length > MAX_LAYERS + 1) throw new ArgumentRangeError({ argument: 'outputs', expected: `a graph of at most ${MAX_LAYERS} layer applications`, received: 'a deeper one' });
        continue;
      }
      stack.pop();
      if (index.has(t)) continue;
      for (const input of t.inputs) if (inputSet.has(input)) reached.add(input);
      index.set(t, inputs.length + nodes.length);
      nodes.push({ layer: t.sourceLayer, inputs: t.inputs.map((input) => index.get(input) as number), tensor: t });
      if (nodes.length > MAX_LAYERS) throw new ArgumentRangeError({ argument: 'outputs', expected: `a graph of at most ${MAX_LAYERS} layer applications`, received: 'more' });
    }
  }
  const unused = inputs.findIndex((t) => !reached.has(t));
  if (unused >= 0) throw new ArgumentRangeError({ argument: `inputs[${unused}]`, expected: 'an input the outputs depend on', received: `'${(inputs[unused] as SymbolicTensor).name}', which no output is computed from` });
  outputs.forEach((t, i) => {
    if (t.sourceLayer === null) throw new ShapeError({ argument: `outputs[${i}]`, expected: "a layer's output", received: `the input '${t.name}' itself` });
  });
  const layers: Layer[] = [];
  const names = new Map<string, Layer>();
  for (const node of nodes) {
    const other = names.get(node.layer.name);
    if (other !== undefined && other !== node.layer) throw new ArgumentRangeError({ argument: 'outputs', expected: 'layers of distinct names in the graph', received: `two layers named '${node.layer.name}'` });
    if (other === undefined) {
      names.set(node.layer.name, node.layer);
      layers.push(node.layer);
    }
  }
  // Inputs and layers share one namespace, as in Keras: a saved graph names each tensor's source by it.
  const clash = layers.find((layer) => inputNames.has(layer.name));
  if (clash !== undefined) throw new ArgumentRangeError({ argument: 'outputs', expected: 'inputs and layers of distinct names in the graph', received: `an input and a layer both named '${clash.name}'` });
  return { inputs, outputs, nodes, outputIndices: outputs.map((t) => index.get(t) as number), layers };
}
