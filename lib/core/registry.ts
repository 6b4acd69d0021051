/**
 * The model classes the readers can make (loadModel, modelFromJSON), by name: each front end
 * registers itself when its module loads, so lib/io depends on the core alone, never on a front
 * end. A file of today's format names none: it is a Sequential.
 */
import type { Layer } from '../layers/layer';
import type { Model } from './model';

type ModelFactory = (layers: readonly Layer[]) => Model;

const factories = new Map<string, ModelFactory>();

export function registerModelClass(name: string, make: ModelFactory): void {
  factories.set(name, make);
}

/** A model of class `name` made of `layers`; undefined for a class no front end registered. */
export function makeModel(name: string, layers: readonly Layer[]): Model | undefined {
  return factories.get(name)?.(layers);
}
