/**
 * A model's class names (model.classNames), which the model file keeps in header.classNames: one
 * distinct non-empty name per class, classNames[i] naming the class of output i, or for a single
 * output (a sigmoid's probability of class 1) the two classes [class 0, class 1].
 */
import { ArgumentRangeError, ArgumentTypeError } from '../errors';
import type { Model } from '../core/model';
import { describe } from '../validate';

/** At most this many names, as a header field holds at most this many metric names. */
export const MAX_CLASS_NAMES = 100_000;

/** How many names a model with `outputUnits` outputs takes: one per output, or two for one output. */
export function classCount(outputUnits: number): number {
  return outputUnits === 1 ? 2 : outputUnits;
}

/** A name at fault in `names`, or null: not a string, empty or too long, or a repeat. */
export function badClassName(names: readonly unknown[]): { index: number; problem: string } | null {
  const seen = new Set<string>();
  for (let i = 0; i < names.length; i++) {
    const name = names[i];
    if (typeof name !== 'string' || name.length === 0 || name.length > 1000) return { index: i, problem: 'a non-empty string of at most 1000 characters' };
    if (seen.has(name)) return { index: i, problem: `a name not given before (it repeats '${name}')` };
    seen.add(name);
  }
  return null;
}

/** model.classNames as save() writes them, checked against the model's outputs; undefined when it has none. */
export function classNamesToSave(model: Model): string[] | undefined {
  const names: unknown = model.classNames;
  if (names === null) return undefined;
  const count = classCount(model.outputUnits);
  if (!Array.isArray(names)) throw new ArgumentTypeError({ argument: 'model.classNames', expected: `null or an array of ${count} class names`, received: describe(names) });
  if (names.length !== count) {
    throw new ArgumentRangeError({ argument: 'model.classNames', expected: `${count} class names, one per class of the model's ${model.outputUnits} output${model.outputUnits === 1 ? '' : 's'}`, received: describe(names) });
  }
  const bad = badClassName(names);
  if (bad !== null) throw new ArgumentRangeError({ argument: `model.classNames[${bad.index}]`, expected: bad.problem, received: describe(names[bad.index]) });
  return [...(names as string[])];
}
