/**
 * The JSON header of a model file (and the object model.toJSON() gives): its types, and the
 * validation that trusts nothing: every field's type and range is checked, and unknown fields are
 * refused, before anything is built or allocated from it. Errors are ModelFormatErrors naming the
 * file and the field, e.g. "header.weights[2].shape[0] should be an integer in [1, 2147483647]".
 */
import { ModelFormatError } from '../errors';
import { MAX_LAYERS } from '../limits';
import type { RandomState } from '../random';
import { badClassName, MAX_CLASS_NAMES } from './class-names';
import { FORMAT_VERSION } from './container';
import { checkGraphTopology, type GraphTopology } from './graph-header';
import { Checker, MAX_FLOATS, type SerializedObject } from './json-checker';

export type { SerializedObject } from './json-checker';
export type { GraphLayerEntry, GraphTopology, TensorRef } from './graph-header';
export { MAX_FLOATS } from './json-checker';

/** One tensor of the parameter arena (trainable) or of the state array (not trainable). */
export interface WeightEntry {
  readonly layer: string;
  readonly name: string;
  readonly shape: readonly number[];
  readonly trainable: boolean;
  /** Its first float in the arena it belongs to. */
  readonly offset: number;
}

/** A loss by name; config is null for a custom loss, which only its name identifies. */
export interface LossEntry {
  readonly name: string;
  readonly config: Record<string, unknown> | null;
}

/**
 * What compile() was given. A model of one output (and every file of format version 1) has one
 * loss and one list of metric names; a model of several may have a loss per output (an array in
 * the outputs' order, or an object keyed by output name), loss weights, and metrics per output.
 */
export interface CompileConfig {
  readonly loss: LossEntry | readonly LossEntry[] | Readonly<Record<string, LossEntry>>;
  /** As compile() took them; absent when it was given none. */
  readonly lossWeights?: readonly number[] | Readonly<Record<string, number>>;
  /** One list for every output, a list per output, or lists keyed by output name. */
  readonly metrics: readonly string[] | readonly (readonly string[])[] | Readonly<Record<string, readonly string[]>>;
  readonly optimizer: SerializedObject;
}

/** Whether a compile config's loss is one loss for every output. */
export function isLossEntry(loss: CompileConfig['loss']): loss is LossEntry {
  return !Array.isArray(loss) && typeof (loss as { name?: unknown }).name === 'string';
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
  /** A Sequential's layers, first to last, or a graph model's graph (format version 2). */
  readonly topology: Topology;
  readonly compile: CompileConfig | null;
}

export type Topology = readonly SerializedObject[] | GraphTopology;

export interface ModelHeader extends ModelJSON {
  readonly weights: readonly WeightEntry[];
  readonly optimizerState: OptimizerStateEntry | null;
  readonly training: TrainingEntry | null;
  /** model.classNames, when the model has them; files without the field (all before it) load too. */
  readonly classNames?: readonly string[];
}

function checkLossEntry(c: Checker, value: unknown, where: string): LossEntry {
  const loss = c.object(value, where, ['name', 'config']);
  return { name: c.string(loss['name'], `${where}.name`), config: loss['config'] === null ? null : c.anyObject(loss['config'], `${where}.config`) };
}

/** An object keyed by output name (at most MAX_LAYERS keys), each value checked by `each`. */
function keyed<T>(c: Checker, value: unknown, where: string, each: (v: unknown, at: string) => T): Record<string, T> {
  const obj = c.anyObject(value, where);
  const keys = Object.keys(obj);
  if (keys.length > MAX_LAYERS) c.fail(where, `an object of at most ${MAX_LAYERS} outputs`, value);
  return Object.fromEntries(keys.map((key) => [c.string(key, `${where} key`), each(obj[key], `${where}.${key}`)]));
}

/** Whether a value is an object keyed by output name rather than one entry (one loss has a string name). */
function isKeyedObject(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as { name?: unknown }).name !== 'string';
}

/** One loss, or (format version 2) one per output: an array in the outputs' order or an object keyed by output name. */
function checkLoss(c: Checker, value: unknown, where: string, perOutput: boolean): CompileConfig['loss'] {
  if (perOutput && Array.isArray(value)) return c.array(value, where, MAX_LAYERS).map((entry, i) => checkLossEntry(c, entry, `${where}[${i}]`));
  if (perOutput && isKeyedObject(value)) return keyed(c, value, where, (entry, at) => checkLossEntry(c, entry, at));
  return checkLossEntry(c, value, where);
}

function checkMetricNames(c: Checker, value: unknown, where: string): string[] {
  return c.array(value, where, 1000).map((m, i) => c.string(m, `${where}[${i}]`));
}

/** One list of metric names, or (format version 2) a list per output: an array of lists or lists keyed by output name. */
function checkMetrics(c: Checker, value: unknown, where: string, perOutput: boolean): CompileConfig['metrics'] {
  if (perOutput && Array.isArray(value) && value.some((v) => Array.isArray(v))) {
    return c.array(value, where, MAX_LAYERS).map((list, i) => checkMetricNames(c, list, `${where}[${i}]`));
  }
  if (perOutput && isKeyedObject(value)) return keyed(c, value, where, (list, at) => checkMetricNames(c, list, at));
  return checkMetricNames(c, value, where);
}

function checkLossWeights(c: Checker, value: unknown, where: string): NonNullable<CompileConfig['lossWeights']> {
  if (Array.isArray(value)) return c.array(value, where, MAX_LAYERS).map((w, i) => c.finite(w, `${where}[${i}]`));
  return keyed(c, value, where, (w, at) => c.finite(w, at));
}

function checkCompile(c: Checker, value: unknown, where: string, version: number): CompileConfig | null {
  if (value === null) return null;
  // Losses, weights and metrics per output came with graph models, in format version 2.
  const perOutput = version >= 2;
  const obj = c.object(value, where, ['loss', 'metrics', 'optimizer'], perOutput ? ['lossWeights'] : []);
  const lossWeights = obj['lossWeights'] === undefined ? undefined : checkLossWeights(c, obj['lossWeights'], `${where}.lossWeights`);
  return {
    loss: checkLoss(c, obj['loss'], `${where}.loss`, perOutput),
    ...(lossWeights === undefined ? {} : { lossWeights }),
    metrics: checkMetrics(c, obj['metrics'], `${where}.metrics`, perOutput),
    optimizer: c.serialized(obj['optimizer'], `${where}.optimizer`),
  };
}

/** A Sequential's array of layers, or (format version 2) a graph model's topology. */
function checkTopology(c: Checker, value: unknown, where: string, version: number): Topology {
  if (version >= 2 && typeof value === 'object' && value !== null && !Array.isArray(value)) return checkGraphTopology(c, value, where);
  return c.array(value, where, MAX_LAYERS).map((entry, i) => c.serialized(entry, `${where}[${i}]`));
}

/**
 * The fields model.toJSON() and the header share. `version` is the preamble's, which the header
 * must repeat; null for a toJSON() object, which may be of any version this myelin reads.
 */
function checkCommon(c: Checker, obj: Record<string, unknown>, where: string, version: number | null): ModelJSON {
  const formatVersion = obj['formatVersion'];
  if (version === null) c.integer(formatVersion, `${where}.formatVersion`, 1, FORMAT_VERSION);
  else if (formatVersion !== version) c.fail(`${where}.formatVersion`, `${version} (the preamble's format version)`, formatVersion);
  const checked = formatVersion as number;
  return {
    formatVersion: checked,
    myelinVersion: c.string(obj['myelinVersion'], `${where}.myelinVersion`),
    topology: checkTopology(c, obj['topology'], `${where}.topology`, checked),
    compile: checkCompile(c, obj['compile'], `${where}.compile`, checked),
  };
}

/** A model.toJSON() object, checked; `source` names it in errors. */
export function checkModelJSON(value: unknown, source: string): ModelJSON {
  const c = new Checker(source);
  return checkCommon(c, c.object(value, 'json', ['formatVersion', 'myelinVersion', 'topology', 'compile']), 'json', null);
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

/** A model file's header, checked field by field against the preamble's `version`; throws ModelFormatError naming `file`. */
export function checkHeader(value: unknown, file: string, version: number): ModelHeader {
  const c = new Checker(file);
  const obj = c.object(value, 'header', ['formatVersion', 'myelinVersion', 'topology', 'weights', 'compile', 'optimizerState', 'training'], ['classNames']);
  const header: ModelHeader = {
    ...checkCommon(c, obj, 'header', version),
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
