/**
 * A model's data as callers give it and as the core runs it. Callers give a model of several
 * inputs (or outputs) one tensor per input (output): an array in the model's order, or an object
 * keyed by name. The core runs every batch as one matrix of inputs and one of labels, each input's
 * (output's) columns side by side (graph.ts, heads.ts): so fit's gathering, staging and trips
 * serve any number of inputs and outputs. Packing copies the data once per call; a model of one
 * input or output reads the caller's array as it is.
 */
import { ArgumentRangeError, ArgumentTypeError, ShapeError } from '../errors';
import { batchOrSample, shapeText, Tensor, toLabels, toMatrix } from '../tensor';
import { describe, finiteValues } from '../validate';
import type { Head } from './heads';

/** One entry per name, from an array in the names' order or an object keyed by name. */
export function perName(value: unknown, names: readonly string[], argument: string, what: string): { value: unknown; argument: string }[] {
  if (Array.isArray(value)) {
    if (value.length !== names.length) {
      throw new ArgumentRangeError({ argument, expected: `one tensor per ${what} (${names.length}: ${names.join(', ')}), in that order`, received: `an array of ${value.length}` });
    }
    return Array.from(value, (v, i) => ({ value: v, argument: `${argument}[${i}]` })); // a hole is refused by name, not skipped
  }
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const entries = value as Record<string, unknown>;
    for (const key of Object.keys(entries)) {
      if (!names.includes(key)) throw new ArgumentRangeError({ argument, expected: `keys that name the model's ${what}s (${names.join(', ')})`, received: `'${key}'` });
    }
    return names.map((name) => {
      if (entries[name] === undefined) throw new ArgumentRangeError({ argument, expected: `a tensor for every ${what} (${names.join(', ')})`, received: `none for '${name}'` });
      return { value: entries[name], argument: `${argument}.${name}` };
    });
  }
  throw new ArgumentTypeError({ argument, expected: `an array of ${names.length} tensors (one per ${what}: ${names.join(', ')}) or an object keyed by ${what} name`, received: describe(value) });
}

/** Validates one input's batch: a matrix of `units` finite columns. */
export function checkInput(x: unknown, units: number, argument: string): Tensor {
  const t = toMatrix(x, argument);
  if ((t.shape[1] as number) !== units) {
    throw new ShapeError({ argument, expected: `samples of ${units} features (shape [n, ${units}])`, received: shapeText(x, t) });
  }
  finiteValues(t.data, argument);
  return t;
}

/** Checks every part has `samples` rows (the first part's when null) and returns that count. */
function sameRows(parts: readonly Tensor[], args: readonly string[], samples: number | null, of: string): number {
  const rows = samples ?? ((parts[0] as Tensor).shape[0] as number);
  parts.forEach((t, i) => {
    if (t.shape[0] !== rows) throw new ShapeError({ argument: args[i] as string, expected: `${rows} samples, as many as ${of}`, received: `${t.shape[0] as number}` });
  });
  return rows;
}

/** Parts of `samples` rows laid side by side: one matrix of every part's columns. */
export function packColumns(parts: readonly Tensor[]): Tensor {
  if (parts.length === 1) return parts[0] as Tensor;
  const samples = (parts[0] as Tensor).shape[0] as number;
  const width = parts.reduce((sum, t) => sum + (t.shape[1] as number), 0);
  const packed = new Float32Array(samples * width);
  let offset = 0;
  for (const t of parts) {
    const cols = t.shape[1] as number;
    for (let r = 0; r < samples; r++) packed.set(t.data.subarray(r * cols, (r + 1) * cols), r * width + offset);
    offset += cols;
  }
  return new Tensor(packed, [samples, width]);
}

/** Columns [offset, offset + cols) of n packed rows of `width`, into `into` (n x cols). */
export function unpackColumns(packed: Float32Array, n: number, width: number, offset: number, cols: number, into: Float32Array): Float32Array {
  if (width === cols) return packed.subarray(0, n * cols);
  for (let r = 0; r < n; r++) into.set(packed.subarray(r * width + offset, r * width + offset + cols), r * cols);
  return into.subarray(0, n * cols);
}

/**
 * A model of one input or output also takes its one tensor as a list of one, or keyed by its name,
 * as Keras does: unwrapped here. A list of one row of numbers stays a row.
 */
function theOne(value: unknown, name: string, argument: string): { value: unknown; argument: string } {
  if (Array.isArray(value) && value.length === 1 && (value[0] instanceof Tensor || value[0] instanceof Float32Array)) return { value: value[0], argument: `${argument}[0]` };
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype && !('data' in value) && Object.keys(value).length === 1 && name in value) {
    return { value: (value as Record<string, unknown>)[name], argument: `${argument}.${name}` };
  }
  return { value, argument };
}

/** The inputs of a model (their names and widths) from x, each checked: one tensor per input. */
export function checkInputList(x: unknown, inputs: readonly { readonly name: string; readonly units: number }[], argument: string): Tensor[] {
  if (inputs.length === 1) {
    const one = theOne(x, (inputs[0] as { name: string }).name, argument);
    return [checkInput(one.value, (inputs[0] as { units: number }).units, one.argument)];
  }
  const parts = perName(x, inputs.map((i) => i.name), argument, 'input').map((entry, i) => checkInput(entry.value, (inputs[i] as { units: number }).units, entry.argument));
  sameRows(parts, inputs.map((_, i) => `${argument}[${i}]`), null, `${argument}[0]`);
  return parts;
}

/**
 * predict's x for a model of several inputs: each entry (of an array in order, or of an object
 * keyed by input name) that is one sample, a flat array of its input's width, becomes a batch of
 * one row; the rest is left as given, for checkInputList to check.
 */
export function samplesAsBatches(x: unknown, inputs: readonly { readonly name: string; readonly units: number }[]): unknown {
  if (Array.isArray(x)) return x.map((v: unknown, i) => (i < inputs.length ? batchOrSample(v, (inputs[i] as { units: number }).units, `x[${i}]`) : v));
  if (typeof x !== 'object' || x === null || Object.getPrototypeOf(x) !== Object.prototype) return x;
  return Object.fromEntries(
    Object.entries(x).map(([name, v]) => {
      const spec = inputs.find((input) => input.name === name);
      return [name, spec === undefined ? v : batchOrSample(v, spec.units, `x.${name}`)];
    }),
  );
}

/** Validates one head's labels: one per sample, of its loss's kind. */
export function checkHeadLabels(head: Head, y: unknown, samples: number, argument: string): Tensor {
  const t = toLabels(y, argument);
  const rows = t.shape[0] as number;
  const cols = t.shape[1] as number;
  const units = head.node.units;
  if (rows !== samples) throw new ShapeError({ argument, expected: `${samples} samples, as many as x has`, received: `${rows}` });
  finiteValues(t.data, argument);
  if (head.loss.sparse) {
    if (cols !== 1) {
      throw new ShapeError({ argument, expected: `one class index per sample for ${head.loss.name} (shape [n] or [n, 1])`, received: `shape [${t.shape.join(', ')}]` }, "For one-hot labels use loss 'categoricalCrossentropy'.");
    }
    const bad = t.data.findIndex((v) => !Number.isInteger(v) || v < 0 || v >= units);
    if (bad >= 0) throw new ArgumentRangeError({ argument: `${argument}[${bad}]`, expected: `a class index from 0 to ${units - 1}`, received: describe(t.data[bad]) });
  } else if (cols !== units) {
    const hint = cols === 1 && units > 1 ? "For class indices use loss 'sparseCategoricalCrossentropy'." : undefined;
    throw new ShapeError({ argument, expected: `${units} targets per sample (shape [n, ${units}])`, received: `shape [${t.shape.join(', ')}]` }, hint);
  }
  return t;
}

/** Every head's labels from y, checked, packed side by side. */
export function packLabels(heads: readonly Head[], y: unknown, samples: number, argument: string): Tensor {
  if (heads.length === 1) {
    const one = theOne(y, (heads[0] as Head).name, argument);
    return checkHeadLabels(heads[0] as Head, one.value, samples, one.argument);
  }
  const entries = perName(y, heads.map((h) => h.name), argument, 'output');
  return packColumns(entries.map((entry, i) => checkHeadLabels(heads[i] as Head, entry.value, samples, entry.argument)));
}
