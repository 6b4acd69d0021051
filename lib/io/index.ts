/**
 * Saving and loading models: model.save(path) / loadModel(path) (and their sync twins) through
 * the one versioned format of docs/format.md, written atomically; loadCheckpoint for resuming a
 * run from callbacks.modelCheckpoint's files; model.toJSON() / modelFromJSON() for the topology
 * alone.
 */
import { ArgumentRangeError, ArgumentTypeError, ModelFormatError } from '../errors';
import type { Model } from '../core/model';
import { globalRandom } from '../random';
import { describe, knownOptions, plainObject } from '../validate';
import { MAX_MODEL_FILE_BYTES } from '../limits';
import { atomicWrite, atomicWriteSync } from './atomic-write';
import { checkModelJSON, type ModelJSON, type TrainingEntry } from './header';
import { checkSaveOptions, decodeModel, encodeModel, type DecodedModel, type SaveOptions } from './model-file';
import { readRegularFile, readRegularFileSync, type Refusal } from './read-file';
import { compileModel, type CompileOverrides } from './compile-config';
import { buildModel } from './topology';

export type { ModelJSON, SaveOptions, CompileOverrides as LoadOptions };

function checkPath(value: unknown, argument = 'path'): string {
  if (typeof value !== 'string') throw new ArgumentTypeError({ argument, expected: 'a file path (string)', received: describe(value) });
  if (value.length === 0) throw new ArgumentRangeError({ argument, expected: 'a non-empty file path', received: "'' (string)" });
  return value;
}

function checkLoadOptions(options: unknown): CompileOverrides {
  if (options === undefined) return {};
  const o = plainObject(options, 'load options');
  knownOptions(o, 'load options', ['compile', 'loss', 'metrics']);
  if (o['compile'] !== undefined && typeof o['compile'] !== 'boolean') throw new ArgumentTypeError({ argument: 'compile', expected: 'a boolean', received: describe(o['compile']) });
  return o as CompileOverrides;
}

/** A model file that is not a regular file, or is too large to be one, is not read at all. */
const refuseModelFile = (file: string): Refusal => (problem) => new ModelFormatError(file, problem);

function readModelFileSync(file: string): Buffer {
  return readRegularFileSync(file, MAX_MODEL_FILE_BYTES, refuseModelFile(file));
}

function readModelFile(file: string): Promise<Buffer> {
  return readRegularFile(file, MAX_MODEL_FILE_BYTES, refuseModelFile(file));
}

/**
 * Writes `model` to `path` atomically; `training` makes the file a checkpoint. A symbolic link
 * at `path` is followed: its final target is replaced and the link kept. A FIFO, a device, a
 * directory or a path whose folder does not exist is refused with an ArgumentRangeError before
 * anything is written. @internal
 */
export async function saveModel(model: Model, path: unknown, options?: unknown, training: TrainingEntry | null = null): Promise<void> {
  const target = checkPath(path);
  await atomicWrite(target, encodeModel(model, checkSaveOptions(options), training));
}

/** saveModel, blocking. @internal */
export function saveModelSync(model: Model, path: unknown, options?: unknown): void {
  const target = checkPath(path);
  atomicWriteSync(target, encodeModel(model, checkSaveOptions(options)));
}

/**
 * A model read from a file model.save() wrote: same layers, weights and (unless compile: false)
 * compile config and optimizer state; it predicts bit-identically and can go on training.
 * A damaged or foreign file gives a ModelFormatError naming the file and the fault, and so does
 * a path that is not a regular file (a directory, a device such as /dev/zero, a FIFO) or a file
 * larger than MAX_MODEL_FILE_BYTES (4 GiB), which is not read at all.
 */
export async function loadModel(path: string, options?: CompileOverrides): Promise<Model> {
  const file = checkPath(path);
  const overrides = checkLoadOptions(options);
  return decodeModel(await readModelFile(file), file, overrides).model;
}

export function loadModelSync(path: string, options?: CompileOverrides): Model {
  const file = checkPath(path);
  const overrides = checkLoadOptions(options);
  return decodeModel(readModelFileSync(file), file, overrides).model;
}

export interface Checkpoint {
  readonly model: Model;
  /** The epoch to resume at: pass it to fit as initialEpoch, with the run's epochs. */
  readonly initialEpoch: number;
}

/**
 * Resumes a run from a callbacks.modelCheckpoint file: the model with its optimizer state, and
 * the epoch to go on from; the global random generator is set back to where the run was, so
 *   const { model, initialEpoch } = await loadCheckpoint(file);
 *   await model.fit(x, y, { epochs, initialEpoch, ... });
 * ends with the weights an uninterrupted run with the same seed would have.
 */
export async function loadCheckpoint(path: string, options?: CompileOverrides): Promise<Checkpoint> {
  const file = checkPath(path);
  const overrides = checkLoadOptions(options);
  return resume(decodeModel(await readModelFile(file), file, overrides), file);
}

function resume({ model, training }: DecodedModel, file: string): Checkpoint {
  if (training === null) {
    throw new ArgumentRangeError({ argument: 'path', expected: 'a checkpoint written by callbacks.modelCheckpoint (with its training state)', received: `${file}, a model file without one` }, 'Use loadModel() for it.');
  }
  globalRandom.setState(training.random);
  return { model, initialEpoch: training.nextEpoch };
}

/**
 * A new model from model.toJSON()'s object (or its JSON text): the same layers and compile
 * config, with freshly initialized weights.
 */
export function modelFromJSON(json: ModelJSON | string): Model {
  const source = 'JSON';
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new ModelFormatError(source, `not valid JSON (${(error as Error).message})`);
    }
  }
  const checked = checkModelJSON(value, source);
  const model = buildModel(checked.topology, source);
  if (checked.compile !== null) compileModel(model, checked.compile, {}, source);
  return model;
}
