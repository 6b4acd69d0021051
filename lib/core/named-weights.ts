/**
 * Weights by Keras-style name, 'layerName/weightName' ('dense_1/kernel', 'batch_normalization_1/movingMean'):
 * getNamedWeights() gives copies under those names, and setWeights() takes such an object,
 * which must name every weight of the model exactly once.
 */
import { ArgumentRangeError, ModelStateError, ShapeError } from '../errors';
import { Tensor, type TensorLike } from '../tensor';
import { describe, plainObject } from '../validate';
import type { ParamSlot } from './arena';
import type { Model } from './model';

function weightName(slot: ParamSlot): string {
  return `${slot.layer.name}/${slot.spec.name}`;
}

/** The arena's slots by name; two layers of one name would make the names ambiguous. */
function slotsByName(model: Model): Map<string, ParamSlot> {
  const byName = new Map<string, ParamSlot>();
  for (const slot of model.weightSlots()) {
    const name = weightName(slot);
    if (byName.has(name)) throw new ModelStateError(`Two weights are named '${name}': give the model's layers distinct names to use named weights.`);
    byName.set(name, slot);
  }
  return byName;
}

/** A copy of every weight, keyed 'layerName/weightName', in the order of getWeights(). */
export function getNamedWeights(model: Model): Record<string, Tensor> {
  const arena = model.parameterArena();
  const named: Record<string, Tensor> = {};
  for (const [name, slot] of slotsByName(model)) named[name] = new Tensor(arena.view(slot).slice(), slot.spec.shape);
  return named;
}

/** The values of a named-weights object in the order of getWeights(), for setWeights(); checks every name. */
export function orderedWeights(model: Model, weights: unknown): TensorLike[] {
  const named = plainObject(weights, 'weights');
  const byName = slotsByName(model);
  const unknown = Object.keys(named).find((name) => !byName.has(name));
  if (unknown !== undefined) {
    throw new ArgumentRangeError({ argument: 'weights', expected: `names among ${[...byName.keys()].map((n) => `'${n}'`).join(', ')}`, received: `'${unknown}'` });
  }
  const missing = [...byName.keys()].find((name) => !Object.hasOwn(named, name));
  if (missing !== undefined) {
    throw new ShapeError({ argument: 'weights', expected: `every weight of the model by name (${byName.size})`, received: `no '${missing}'` });
  }
  return [...byName.keys()].map((name) => {
    const value = named[name];
    if (value === undefined || value === null) throw new ArgumentRangeError({ argument: `weights['${name}']`, expected: 'a tensor', received: describe(value) });
    return value as TensorLike;
  });
}
