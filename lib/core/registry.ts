/**
 * The model classes the readers can make (loadModel, modelFromJSON), by name: each front end
 * registers itself when its module loads, so lib/io depends on the core alone, never on a front
 * end. A chain of layers (every file of format version 1) is a Sequential; a graph (format
 * version 2's { className: 'Functional', config } topology) is made from its inputs and outputs.
 */
import type { Layer } from '../layers/layer';
import type { SymbolicTensor } from '../layers/symbolic';
import type { Model } from './model';

type ModelFactory = (layers: readonly Layer[]) => Model;

/** What a graph model is made of: its name, and the symbolic tensors of its inputs and outputs, in order. */
export interface GraphModelParts {
  readonly name: string;
  readonly inputs: readonly SymbolicTensor[];
  readonly outputs: readonly SymbolicTensor[];
}

type GraphModelFactory = (parts: GraphModelParts) => Model;

const factories = new Map<string, ModelFactory>();
const graphFactories = new Map<string, GraphModelFactory>();

export function registerModelClass(name: string, make: ModelFactory): void {
  factories.set(name, make);
}

/** A model of class `name` made of `layers`; undefined for a class no front end registered. */
export function makeModel(name: string, layers: readonly Layer[]): Model | undefined {
  return factories.get(name)?.(layers);
}

export function registerGraphModelClass(name: string, make: GraphModelFactory): void {
  graphFactories.set(name, make);
}

/** A graph model of class `name` from its parts; undefined for a class no front end registered. */
export function makeGraphModel(name: string, parts: GraphModelParts): Model | undefined {
  return graphFactories.get(name)?.(parts);
}
