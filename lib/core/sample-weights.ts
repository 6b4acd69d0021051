/**
 * fit's sampleWeight and classWeight, made into the weights its steps read: one per sample, or
 * for a model of several outputs given weights per output, one per sample and output, side by
 * side (the loss of output j reads column j). A batch's loss is sum(w_i loss_i) / n, as in Keras.
 */
import { ArgumentRangeError, ArgumentTypeError, ShapeError } from '../errors';
import { toLabels } from '../tensor';
import { describe, float32In, plainObject } from '../validate';
import { byOutputName, labelWidth, type Head } from './heads';
import { perName } from './model-data';
import type { Tensor } from '../tensor';

export interface SampleWeights {
  /** weightCols weights per sample, or null for all ones. */
  readonly weights: Float32Array | null;
  readonly weightCols: number;
}

/** One finite weight >= 0 per sample. */
function weightColumn(value: unknown, samples: number, argument: string): Float32Array {
  if (!(value instanceof Float32Array) && !Array.isArray(value)) {
    throw new ArgumentTypeError({ argument, expected: 'a Float32Array or number[] of one weight per sample', received: describe(value) });
  }
  const t = toLabels(value, argument);
  if (t.shape[1] !== 1 || t.size !== samples) {
    throw new ShapeError({ argument, expected: `${samples} weights, one per sample of x`, received: `shape [${t.shape.join(', ')}]` });
  }
  const index = t.data.findIndex((w) => !(w >= 0 && w < Infinity));
  if (index >= 0) throw new ArgumentRangeError({ argument: `${argument}[${index}]`, expected: 'a finite weight >= 0', received: describe(t.data[index]) });
  return t.data;
}

/** Whether sampleWeight gives weights per output (an array of arrays, or an object keyed by output name). */
function perOutput(value: unknown): boolean {
  return (Array.isArray(value) && value.length > 0 && typeof value[0] === 'object') || (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype);
}

/** sampleWeight: one weight per sample for every output, or (several outputs) weights per output. */
export function checkSampleWeight(value: unknown, heads: readonly Head[], samples: number): SampleWeights {
  if (value === undefined) return { weights: null, weightCols: 1 };
  if (heads.length === 1 || !perOutput(value)) return { weights: weightColumn(value, samples, 'sampleWeight'), weightCols: 1 };
  const names = heads.map((h) => h.name);
  const entries = Array.isArray(value) ? perName(value, names, 'sampleWeight', 'output') : byOutputName(value as object, names, 'sampleWeight');
  const columns = entries.map((entry) => (entry.value === undefined ? null : weightColumn(entry.value, samples, entry.argument)));
  return { weights: interleave(columns, samples), weightCols: heads.length };
}

/** Columns of weights (null for ones) side by side. */
function interleave(columns: readonly (Float32Array | null)[], samples: number): Float32Array {
  const cols = columns.length;
  const out = new Float32Array(samples * cols).fill(1);
  columns.forEach((column, j) => {
    if (column !== null) for (let r = 0; r < samples; r++) out[r * cols + j] = column[r] as number;
  });
  return out;
}

/** classWeight as a table from class index to weight. */
function classTable(value: unknown, argument: string): Map<number, number> {
  const options = plainObject(value, argument);
  const prototype: unknown = Object.getPrototypeOf(options);
  if (prototype !== Object.prototype && prototype !== null) {
    throw new ArgumentTypeError({ argument, expected: 'a plain object { [classIndex]: weight }', received: describe(value) });
  }
  const table = new Map<number, number>();
  for (const [key, weight] of Object.entries(options)) {
    if (!/^(0|[1-9]\d*)$/.test(key)) throw new ArgumentRangeError({ argument, expected: 'class indices (integers >= 0) as keys', received: `the key '${key}'` });
    table.set(Number(key), float32In(weight, `${argument}[${key}]`, { min: 0, max: Infinity, maxInclusive: false }));
  }
  return table;
}

/** The class of sample r for a head: its label's index, its one-hot argmax, or its rounded value for one output. */
function classOf(labels: Float32Array, r: number, width: number, head: Head): number {
  const at = r * width + head.labelOffset;
  if (head.labelCols === 1) return Math.round(labels[at] as number);
  let best = 0;
  for (let c = 1; c < head.labelCols; c++) if ((labels[at + c] as number) > (labels[at + best] as number)) best = c;
  return best;
}

/**
 * The training weights: sampleWeight times the weight of each sample's class, made once per fit.
 * A model of several outputs takes one table for every output, or tables per output (an array, or
 * an object keyed by output name; an output without one weighs its classes 1).
 */
export function withClassWeights(part: SampleWeights & { readonly y: Tensor }, heads: readonly Head[], classWeight: unknown): SampleWeights {
  if (classWeight === undefined) return part;
  const names = heads.map((h) => h.name);
  const keyedByOutput = heads.length > 1 && (Array.isArray(classWeight) || (typeof classWeight === 'object' && classWeight !== null && Object.keys(classWeight).some((k) => names.includes(k))));
  const tables: (Map<number, number> | null)[] = !keyedByOutput
    ? heads.map(() => classTable(classWeight, 'classWeight'))
    : Array.isArray(classWeight)
      ? perName(classWeight, names, 'classWeight', 'output').map((e) => classTable(e.value, e.argument))
      : byOutputName(classWeight as object, names, 'classWeight').map((e) => (e.value === undefined ? null : classTable(e.value, e.argument)));
  const samples = part.y.shape[0] as number;
  const cols = heads.length === 1 ? 1 : heads.length;
  const width = labelWidth(heads);
  const out = new Float32Array(samples * cols);
  for (let r = 0; r < samples; r++) {
    for (let j = 0; j < cols; j++) {
      const head = heads[j] as Head;
      const table = tables[j];
      const given = part.weights === null ? 1 : (part.weights[r * part.weightCols + (part.weightCols === 1 ? 0 : j)] as number);
      out[r * cols + j] = (table?.get(classOf(part.y.data, r, width, head)) ?? 1) * given;
    }
  }
  return { weights: out, weightCols: cols };
}
