/** `myelin evaluate`: the loss and metrics a saved model scores on labelled data. */
import { oneHot } from '../data/encode';
import type { Model } from '../core/model';
import type { LossEntry } from '../io/header';
import { Tensor } from '../tensor';
import { UsageError } from './errors';
import { loadLabelled, type DataOptions, type LabelledData } from './data';
import { requireWidth } from './width';
import { openModel, requireOneInputAndOutput } from './model-file';
import { formatLogs, type Output } from './output';

export interface EvaluateOptions extends DataOptions {
  model: string;
  batchSize: number;
}

/**
 * The labels as the model numbers its classes: a file's class names matched by name to the
 * model's (its own numbering is its sorted names, which a file holding some classes only
 * would shift); without names on both sides, as the file numbers them.
 */
function labelsOfModel(model: Model, data: LabelledData, file: string, out: Output): Tensor {
  const names = model.classNames;
  if (data.classes === undefined) return data.y;
  if (names === null) {
    if (data.classes.length !== model.outputUnits) {
      out.note(`warning: ${file} names ${data.classes.length} classes (${data.classes.join(', ')}) but the model has ${model.outputUnits} outputs; names are numbered in sorted order, as train numbered them`);
    }
    return data.y;
  }
  const index = data.classes.map((name) => {
    const i = names.indexOf(name);
    if (i < 0) throw new UsageError(`${file} holds the class '${name}', which is not one of the model's classes (${names.join(', ')})`);
    return i;
  });
  return new Tensor(data.y.data.map((c) => index[c] as number), data.y.shape);
}

export async function evaluate(options: EvaluateOptions, out: Output): Promise<void> {
  const model = await openModel(options.model);
  requireOneInputAndOutput(model, options.model, 'evaluate', 'evaluate()');
  const compiled = model.toJSON().compile;
  if (compiled === null) throw new UsageError(`the model ${options.model} was saved without a loss (not compiled), so it cannot be evaluated`);
  // A model of one output has one loss.
  const loss = compiled.loss as LossEntry;
  const data = await loadLabelled(options, out.note);
  requireWidth(model, data.x, options.model, options.data, options.labelColumn !== undefined || options.labels !== undefined);
  const labels = labelsOfModel(model, data, options.data, out);
  const samples = data.x.shape[0] as number;
  // Losses over whole distributions take one-hot rows; files hold one class index per sample.
  const oneHotLoss = loss.name === 'categoricalCrossentropy' || loss.name === 'kullbackLeiblerDivergence';
  const y = oneHotLoss && labels.shape[1] === 1 && model.outputUnits > 1 ? oneHot(labels, model.outputUnits) : labels;
  const logs = model.evaluate(data.x, y, { batchSize: options.batchSize });
  out.result({ model: options.model, data: options.data, samples, ...logs }, [`${samples} samples: ${formatLogs(logs)}`]);
}
