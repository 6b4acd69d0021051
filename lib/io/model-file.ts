/**
 * A model as a file's bytes and back (the layout is docs/format.md's): the header lists the
 * topology, the arena layout, the compile config and the optimizer's state; the body holds the
 * parameter arena, the state array and the optimizer's slot arenas as float32. Decoding checks
 * the body's size against the header before building anything, the layer stack's parameter
 * counts against the header before the arena is made, and the arena's layout entry by entry.
 */
import { native } from '../backend';
import { ModelFormatError, ModelStateError } from '../errors';
import { firstOutside } from '../layers/weight-domain';
import type { Model } from '../core/model';
import type { Optimizer } from '../optimizers/optimizer';
import { globalRandom } from '../random';
import { boolean, knownOptions, plainObject } from '../validate';
import { decodeContainer, encodeContainer, readFloatsInto } from './container';
import { classCount, classNamesToSave } from './class-names';
import { arenaSizes, checkHeader, type ModelHeader, type OptimizerStateEntry, type TrainingEntry, type WeightEntry } from './header';
import { compileModel, compileToJSON, type CompileOverrides } from './compile-config';
import { asFormatError } from './format-error';
import { buildModel, modelToJSON } from './topology';

export interface SaveOptions {
  /** Also write the optimizer's step count and slot arenas, so training continues where it was (default true). */
  includeOptimizer?: boolean;
}

export function checkSaveOptions(options: unknown): { includeOptimizer: boolean } {
  if (options === undefined) return { includeOptimizer: true };
  const o = plainObject(options, 'save options');
  knownOptions(o, 'save options', ['includeOptimizer']);
  return { includeOptimizer: o['includeOptimizer'] === undefined ? true : boolean(o['includeOptimizer'], 'includeOptimizer') };
}

/**
 * The model's own weights as the file lays them out: its slots (a model that borrows another's
 * arena, such as an encoder cut from an autoencoder, has only its own layers' slots) packed in
 * order into a parameter arena and a state array of its own, as loading the file makes them.
 */
function ownWeights(model: Model): { weights: WeightEntry[]; params: Float32Array; state: Float32Array } {
  const arena = model.parameterArena();
  const slots = model.weightSlots();
  const ends = { trainable: 0, state: 0 };
  const weights = slots.map((s): WeightEntry => {
    const key = s.trainable ? 'trainable' : 'state';
    const offset = ends[key];
    ends[key] += s.size;
    return { layer: s.layer.name, name: s.spec.name, shape: [...s.spec.shape], trainable: s.trainable, offset };
  });
  if (slots === arena.slots) return { weights, params: arena.params.slice(), state: arena.state.slice() };
  const params = new Float32Array(ends.trainable);
  const state = new Float32Array(ends.state);
  slots.forEach((s, i) => (s.trainable ? params : state).set(arena.view(s), (weights[i] as WeightEntry).offset));
  return { weights, params, state };
}

/**
 * The file's chunks for `model`. The arrays are copies, so an async write is a snapshot even if
 * training goes on meanwhile. `training` makes it a checkpoint; without compile, only the
 * topology and the weights are written. A model that borrows its weights is written as a model
 * of its own: its layers' weights, and no optimizer state (it cannot train, so its optimizer has
 * none that belongs to these weights).
 */
export function encodeModel(model: Model, options: { includeOptimizer: boolean; withCompile?: boolean }, training: TrainingEntry | null = null): Uint8Array[] {
  const { weights, params, state: stateArray } = ownWeights(model);
  const borrows = model.weightSlots() !== model.parameterArena().slots;
  const compiled = options.withCompile === false ? null : model.compileArgs();
  const state = compiled !== null && options.includeOptimizer && !borrows ? compiled.optimizer.getState() : null;
  // The reader refuses what is not finite; a file it would refuse must not replace a good one.
  const owner = (trainable: boolean) => (i: number): { layer: string; name: string } | undefined => weights.find((w) => w.trainable === trainable && i >= w.offset && i < w.offset + w.shape.reduce((a, b) => a * b, 1));
  savable(params, 'the parameter arena', owner(true));
  savable(stateArray, 'the state array', owner(false));
  for (const slot of state?.slots ?? []) savable(slot.values, `the optimizer slot '${slot.name}'`, () => undefined);
  const optimizerState: OptimizerStateEntry | null = state === null ? null : { iterations: state.iterations, slots: state.slots.map((s) => s.name), scalars: state.scalars };
  const classNames = classNamesToSave(model);
  const header: ModelHeader = {
    ...modelToJSON(model),
    compile: compiled === null ? null : compileToJSON(compiled),
    weights,
    optimizerState,
    training,
    ...(classNames === undefined ? {} : { classNames }),
  };
  return encodeContainer(header, [params, stateArray, ...(state?.slots.map((s) => s.values.slice()) ?? [])]);
}

/** Throws a ModelStateError at the first value that is not finite, naming the weight it belongs to. */
function savable(values: Float32Array, what: string, owner: (index: number) => { layer: string; name: string } | undefined): void {
  if (Number.isFinite(native.sumOfSquares(values))) return;
  const index = values.findIndex((v) => !Number.isFinite(v));
  const weight = owner(index);
  throw new ModelStateError(
    `Cannot save: ${what} holds ${values[index]} at index ${index}${weight === undefined ? '' : ` (${weight.layer}/${weight.name})`}, ` +
      'and a model file holds finite values only. Restore good weights (setWeights, or load an earlier file) before saving.',
  );
}

export interface DecodedModel {
  readonly model: Model;
  /** The checkpoint's resume state, or null for a plain model file. */
  readonly training: TrainingEntry | null;
}

function finite(values: Float32Array, file: string, what: string): void {
  if (Number.isFinite(native.sumOfSquares(values))) return;
  const index = values.findIndex((v) => !Number.isFinite(v));
  throw new ModelFormatError(file, `${what} holds ${values[index]} at index ${index}: a saved model's values are finite`);
}

/** Checks that the built model lays out its arena exactly as the header says. */
function checkLayout(model: Model, weights: readonly WeightEntry[], file: string): void {
  const slots = model.parameterArena().slots;
  if (slots.length !== weights.length) throw new ModelFormatError(file, `header.weights lists ${weights.length} tensors but the topology has ${slots.length}`);
  slots.forEach((slot, i) => {
    const entry = weights[i] as WeightEntry;
    const same = entry.layer === slot.layer.name && entry.name === slot.spec.name && entry.trainable === slot.trainable &&
      entry.offset === slot.offset && entry.shape.length === slot.spec.shape.length && entry.shape.every((d, j) => d === slot.spec.shape[j]);
    if (!same) {
      throw new ModelFormatError(file, `header.weights[${i}] is ${entry.layer}/${entry.name} [${entry.shape.join(', ')}] but the topology gives ${slot.layer.name}/${slot.spec.name} [${slot.spec.shape.join(', ')}] there`);
    }
  });
}

/** The model a file's bytes describe; throws ModelFormatError naming `file` for anything wrong. */
export function decodeModel(bytes: Uint8Array, file: string, overrides: CompileOverrides): DecodedModel {
  const { version, header: json, body } = decodeContainer(bytes, file);
  const header = checkHeader(json, file, version);
  const sizes = arenaSizes(header.weights);
  const slotNames = header.optimizerState?.slots ?? [];
  const floats = sizes.params + sizes.state + slotNames.length * sizes.params;
  if (body.length !== floats * 4) {
    throw new ModelFormatError(file, `the body has ${body.length} bytes but the header's weights${slotNames.length > 0 ? ' and optimizer slots' : ''} need ${floats * 4} (${floats} float32 values)`);
  }
  const model = buildModel(header.topology, file);
  // Before the arena exists: a topology that needs more parameters than the file holds must not allocate them.
  const counts = model.layers.reduce((sum, l) => {
    const c = l.paramCounts();
    return { params: sum.params + c.trainable, state: sum.state + c.nonTrainable };
  }, { params: 0, state: 0 });
  if (counts.params !== sizes.params || counts.state !== sizes.state) {
    throw new ModelFormatError(file, `the topology has ${counts.params} trainable and ${counts.state} other parameters but header.weights lists ${sizes.params} and ${sizes.state}`);
  }
  // Making the arena draws initial weights from the global generator; a load must not move it.
  const random = globalRandom.getState();
  try {
    checkLayout(model, header.weights, file);
  } finally {
    globalRandom.setState(random);
  }
  if (header.classNames !== undefined) {
    const count = classCount(model.outputUnits);
    if (header.classNames.length !== count) throw new ModelFormatError(file, `header.classNames lists ${header.classNames.length} names but the model's ${model.outputUnits} output${model.outputUnits === 1 ? '' : 's'} take ${count}`);
    model.classNames = header.classNames;
  }
  const arena = model.parameterArena();
  readFloatsInto(arena.params, body, 0);
  readFloatsInto(arena.state, body, sizes.params);
  finite(arena.params, file, 'the parameter arena');
  finite(arena.state, file, 'the state array');
  for (const slot of arena.slots) {
    const outside = firstOutside(arena.view(slot), slot.spec.domain);
    if (outside !== null) throw new ModelFormatError(file, `${slot.layer.name}/${slot.spec.name} holds ${outside.value} at index ${outside.index}: expected ${outside.expected}`);
  }
  if (header.compile !== null && overrides.compile !== false) {
    const optimizer = compileModel(model, header.compile, overrides, file);
    if (header.optimizerState !== null) restoreOptimizer(optimizer, header.optimizerState, body, sizes.params + sizes.state, sizes.params, file);
  }
  return { model, training: header.training };
}

function restoreOptimizer(optimizer: Optimizer, entry: OptimizerStateEntry, body: Uint8Array, start: number, params: number, file: string): void {
  const slots = entry.slots.map((name, i) => {
    const values = new Float32Array(params);
    readFloatsInto(values, body, start + i * params);
    finite(values, file, `the optimizer slot '${name}'`);
    return { name, values };
  });
  asFormatError(file, 'header.optimizerState', () => optimizer.setState({ iterations: entry.iterations, slots, scalars: entry.scalars }, params));
}
