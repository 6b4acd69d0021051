/**
 * The JSON header of a model file (and the object model.toJSON() gives): its types, and the
 * validation that trusts nothing: every field's type and range is checked, and unknown fields are
 * refused, before anything is built or allocated from it. Errors are ModelFormatErrors naming the
 * file and the field, e.g. "header.weights[2].shape[0] should be an integer in [1, 2147483647]".
 */
import { ModelFormatError } from '../errors';
import { MAX_LAYERS } from '../limits';
import type { RandomState } from '../random';
import { describe } from '../validate';
import { badClassName, MAX_CLASS_NAMES } from './class-names';

export interface SerializedObject {
  readonly className: string;
  readonly config: Record<string, unknown>;
}

/** One tensor of the parameter arena (trainable) or of the state array (not trainable). */
export interface WeightEntry {
  readonly layer: string;
  readonly name: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
  /** Its first float in the arena it belongs to. */
  readonly offset: number;
}

export interface CompileConfig {
  /** config is null for a custom loss, which only its name identifies. */
  readonly loss: { readonly name: string; readonly config: Record<string, unknown> | null };
  readonly metrics: readonly string[];
  readonly optimizer: SerializedObject;
}

export interface OptimizerStateEntry {
  readonly iterations: number;
  /** The slot arenas stored after the state array, in this order, each as long as the parameter arena. */
  readonly slots: readonly string[];
  readonly scalars: Readonly<Record<string, number>>;
}

/** What a checkpoint adds so that a run can resume. */
export interface TrainingEntry {
  /** The epoch index the resumed fit starts at (its initialEpoch). */
  readonly nextEpoch: number;
  readonly random: RandomState;
}

/** The topology alone: what model.toJSON() gives and modelFromJSON() takes. */
export interface ModelJSON {
  readonly formatVersion: number;
  readonly myelinVersion: string;
  readonly topology: readonly SerializedObject[];
  readonly compile: CompileConfig | null;
}

export interface ModelHeader extends ModelJSON {
  readonly weights: readonly WeightEntry[];
  readonly optimizerState: OptimizerStateEntry | null;
  readonly training: TrainingEntry | null;
  /** model.classNames, when the model has them; files without the field (all before it) load too. */
  readonly classNames?: readonly string[];
}

/** The largest dimension of a weight and the largest arena, in floats (a Float32Array's practical limit). */
export const MAX_FLOATS = 2 ** 31 - 1;
const MAX_ENTRIES = 100_000;

/** Checks one JSON value after another, each at a path such as header.weights[2].shape. */
class Checker {
  constructor(private readonly file: string) {}

  fail(where: string, expected: string, value: unknown): never {
    throw new ModelFormatError(this.file, `${where} should be ${expected} but is ${describe(value)}`);
  }

  /** An object with exactly `required` keys, plus any of `optional`. */
  object(value: unknown, where: string, required: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(where, 'an object', value);
    const obj = value as Record<string, unknown>;
    for (const key of required) if (!Object.hasOwn(obj, key)) this.fail(`${where}.${key}`, 'present', undefined);
    for (const key of Object.keys(obj)) {
      if (!required.includes(key) && !optional.includes(key)) throw new ModelFormatError(this.file, `${where} has an unknown field '${key}'`);
    }
    return obj;
  }

  /** Any JSON object (a layer's or an optimizer's config, checked later by its constructor, which stops at the first unknown key). */
  anyObject(value: unknown, where: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(where, 'an object', value);
    return value as Record<string, unknown>;
  }

  array(value: unknown, where: string, maxLength = MAX_ENTRIES): unknown[] {
    if (!Array.isArray(value)) this.fail(where, 'an array', value);
    const values = value as unknown[];
    if (values.length > maxLength) this.fail(where, `an array of at most ${maxLength} entries`, value);
    return values;
  }

  string(value: unknown, where: string): string {
    if (typeof value !== 'string' || value.length === 0 || value.length > 1000) this.fail(where, 'a non-empty string of at most 1000 characters', value);
    return value as string;
  }

  boolean(value: unknown, where: string): boolean {
    if (typeof value !== 'boolean') this.fail(where, 'a boolean', value);
    return value as boolean;
  }

  integer(value: unknown, where: string, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) this.fail(where, `an integer in [${min}, ${max}]`, value);
    return value as number;
  }

  finite(value: unknown, where: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(where, 'a finite number', value);
    return value as number;
  }

  serialized(value: unknown, where: string): SerializedObject {
    const obj = this.object(value, where, ['className', 'config']);
    return { className: this.string(obj['className'], `${where}.className`), config: this.anyObject(obj['config'], `${where}.config`) };
  }
}

function checkCompile(c: Checker, value: unknown, where: string): CompileConfig | null {
  if (value === null) return null;
  const obj = c.object(value, where, ['loss', 'metrics', 'optimizer']);
  const loss = c.object(obj['loss'], `${where}.loss`, ['name', 'config']);
  return {
    loss: { name: c.string(loss['name'], `${where}.loss.name`), config: loss['config'] === null ? null : c.anyObject(loss['config'], `${where}.loss.config`) },
    metrics: c.array(obj['metrics'], `${where}.metrics`, 1000).map((m, i) => c.string(m, `${where}.metrics[${i}]`)),
    optimizer: c.serialized(obj['optimizer'], `${where}.optimizer`),
  };
}

function checkCommon(c: Checker, obj: Record<string, unknown>, where: string): ModelJSON {
  c.integer(obj['formatVersion'], `${where}.formatVersion`, 1, 1);
  return {
    formatVersion: 1,
    myelinVersion: c.string(obj['myelinVersion'], `${where}.myelinVersion`),
    topology: c.array(obj['topology'], `${where}.topology`, MAX_LAYERS).map((entry, i) => c.serialized(entry, `${where}.topology[${i}]`)),
    compile: checkCompile(c, obj['compile'], `${where}.compile`),
  };
}

/** A model.toJSON() object, checked; `source` names it in errors. */
export function checkModelJSON(value: unknown, source: string): ModelJSON {
  const c = new Checker(source);
  return checkCommon(c, c.object(value, 'json', ['formatVersion', 'myelinVersion', 'topology', 'compile']), 'json');
}

function checkWeights(c: Checker, value: unknown): WeightEntry[] {
  const ends = { trainable: 0, state: 0 };
  return c.array(value, 'header.weights').map((entry, i) => {
    const where = `header.weights[${i}]`;
    const obj = c.object(entry, where, ['layer', 'name', 'shape', 'trainable', 'offset']);
    const shape = c.array(obj['shape'], `${where}.shape`, 8).map((d, j) => c.integer(d, `${where}.shape[${j}]`, 1, MAX_FLOATS));
    const size = shape.reduce((a, b) => a * b, 1);
    if (size > MAX_FLOATS) c.fail(`${where}.shape`, `a shape of at most ${MAX_FLOATS} values`, `[${shape.join(', ')}]`);
    const trainable = c.boolean(obj['trainable'], `${where}.trainable`);
    const key = trainable ? 'trainable' : 'state';
    // Tensors are packed in order: each starts where the previous one of its arena ended.
    const offset = c.integer(obj['offset'], `${where}.offset`, ends[key], ends[key]);
    ends[key] += size;
    if (ends[key] > MAX_FLOATS) c.fail(`${where}.offset`, `within an arena of at most ${MAX_FLOATS} values`, offset);
    return { layer: c.string(obj['layer'], `${where}.layer`), name: c.string(obj['name'], `${where}.name`), shape, trainable, offset };
  });
}

function checkOptimizerState(c: Checker, value: unknown): OptimizerStateEntry | null {
  if (value === null) return null;
  const where = 'header.optimizerState';
  const obj = c.object(value, where, ['iterations', 'slots', 'scalars']);
  const scalars = c.anyObject(obj['scalars'], `${where}.scalars`);
  return {
    iterations: c.integer(obj['iterations'], `${where}.iterations`, 0, Number.MAX_SAFE_INTEGER),
    slots: c.array(obj['slots'], `${where}.slots`, 16).map((s, i) => c.string(s, `${where}.slots[${i}]`)),
    scalars: Object.fromEntries(Object.entries(scalars).map(([k, v]) => [k, c.finite(v, `${where}.scalars.${k}`)])),
  };
}

function checkTraining(c: Checker, value: unknown): TrainingEntry | null {
  if (value === null) return null;
  const where = 'header.training';
  const obj = c.object(value, where, ['nextEpoch', 'random']);
  const random = c.object(obj['random'], `${where}.random`, ['words', 'spareNormal']);
  const words = c.array(random['words'], `${where}.random.words`, 4).map((w, i) => c.integer(w, `${where}.random.words[${i}]`, 0, 0xffffffff));
  if (words.length !== 4 || words.every((w) => w === 0)) c.fail(`${where}.random.words`, '4 words, not all 0', random['words']);
  const spare = random['spareNormal'];
  return {
    nextEpoch: c.integer(obj['nextEpoch'], `${where}.nextEpoch`, 0, Number.MAX_SAFE_INTEGER),
    random: { words, spareNormal: spare === null ? null : c.finite(spare, `${where}.random.spareNormal`) },
  };
}

function checkClassNames(c: Checker, value: unknown): string[] {
  const names = c.array(value, 'header.classNames', MAX_CLASS_NAMES);
  const bad = badClassName(names);
  if (bad !== null) c.fail(`header.classNames[${bad.index}]`, bad.problem, names[bad.index]);
  return names as string[];
}

/** A model file's header, checked field by field; throws ModelFormatError naming `file`. */
export function checkHeader(value: unknown, file: string): ModelHeader {
  const c = new Checker(file);
  const obj = c.object(value, 'header', ['formatVersion', 'myelinVersion', 'topology', 'weights', 'compile', 'optimizerState', 'training'], ['classNames']);
  const header: ModelHeader = {
    ...checkCommon(c, obj, 'header'),
    weights: checkWeights(c, obj['weights']),
    optimizerState: checkOptimizerState(c, obj['optimizerState']),
    training: checkTraining(c, obj['training']),
    ...(obj['classNames'] === undefined ? {} : { classNames: checkClassNames(c, obj['classNames']) }),
  };
  if (header.optimizerState !== null && header.compile === null) {
    throw new ModelFormatError(file, 'header.optimizerState is given but header.compile is null: an optimizer state needs the optimizer it belongs to');
  }
  return header;
}

/** Floats in the parameter arena and in the state array, as the weights list lays them out. */
export function arenaSizes(weights: readonly WeightEntry[]): { params: number; state: number } {
  const sizes = { params: 0, state: 0 };
  for (const w of weights) sizes[w.trainable ? 'params' : 'state'] += w.shape.reduce((a, b) => a * b, 1);
  return sizes;
}
