/**
 * `myelin predict`: a saved model's outputs for every sample, as CSV (to --out, written
 * atomically, or to stdout) or JSON. A model ending in softmax or sigmoid gets a 'class' column
 * (the most likely class: its name when the model file has class names, else its index; for one
 * sigmoid output, class 1 when it is >= 0.5) before its outputs; JSON gives the index as `class`
 * and the name as `className`.
 */
import { atomicWrite } from '../io/atomic-write';
import { checkOutputPathSync } from '../io/output-path';
import { argmax } from '../metrics/metric';
import type { Model } from '../core/model';
import { loadFeatures, type DataOptions } from './data';
import { requireWidth } from './width';
import { openModel, requireOneInputAndOutput } from './model-file';
import type { Output } from './output';
import type { Tensor } from '../tensor';

export interface PredictOptions extends DataOptions {
  model: string;
  out?: string;
  batchSize: number;
}

/** The activation of the layer whose output the model gives (in a graph model it need not be the last layer). */
function outputActivation(model: Model): unknown {
  return model.getLayer(model.outputNames[0] as string).getConfig()['activation'];
}

/** The number with the fewest digits that reads back as the same float32 (0.98676193, not 0.9867619276046753). */
function shortestFloat32(value: number): number {
  for (let digits = 1; digits < 9; digits++) {
    const shorter = Number(value.toPrecision(digits));
    if (Math.fround(shorter) === value) return shorter;
  }
  // Nine significant digits always round-trip a float32.
  return Number(value.toPrecision(9));
}

/** A CSV field: quoted (RFC 4180) when it holds a comma, a quote or a line break. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** The most likely class of each row of [n, c] outputs (for one sigmoid output: 1 when >= 0.5). */
function classes(outputs: Float32Array, n: number, c: number): number[] {
  return Array.from({ length: n }, (_, r) => (c === 1 ? ((outputs[r] as number) >= 0.5 ? 1 : 0) : argmax(outputs, r, c)));
}

export async function predict(options: PredictOptions, out: Output): Promise<void> {
  if (options.out !== undefined) checkOutputPathSync(options.out, '--out');
  const model = await openModel(options.model);
  requireOneInputAndOutput(model, options.model, 'predict', 'predict()');
  const x = await loadFeatures(options, out.note);
  requireWidth(model, x, options.model, options.data, options.labelColumn !== undefined);
  const outputs = model.predict(x, { batchSize: options.batchSize }) as Tensor;
  const [n, c] = outputs.shape as [number, number];
  const activation = outputActivation(model);
  // Several sigmoid outputs are independent labels, not one class: no class column then.
  const classify = (activation === 'softmax' && c > 1) || (activation === 'sigmoid' && c === 1);
  const labelled = classify ? classes(outputs.data, n, c) : null;
  const classNames = model.classNames;
  /** What the CSV's class column shows: the class's name when the model file has names, else its index. */
  const classLabel = (index: number): string => classNames?.[index] ?? String(index);
  const names = c === 1 ? ['output'] : Array.from({ length: c }, (_, j) => `output_${j}`);
  const rows = outputs.toArray().map((values) => values.map(shortestFloat32));

  if (options.out === undefined && out.json) {
    out.result({ model: options.model, samples: n, predictions: rows.map((values, r) => {
      const index = labelled?.[r];
      return { ...(index === undefined ? {} : { class: index, ...(classNames === null ? {} : { className: classLabel(index) }) }), outputs: values };
    }) }, []);
    return;
  }
  const header = [...(labelled === null ? [] : ['class']), ...names].join(',');
  const lines = rows.map((values, r) => [...(labelled === null ? [] : [csvField(classLabel(labelled[r] as number))]), ...values.map(String)].join(','));
  if (options.out === undefined) {
    out.result(null, [header, ...lines]);
    return;
  }
  await atomicWrite(options.out, [Buffer.from([header, ...lines, ''].join('\n'), 'utf8')]);
  out.result({ model: options.model, samples: n, out: options.out }, [`${n} predictions written to ${options.out}`]);
}
