/** `myelin evaluate`: the loss and metrics a saved model scores on labelled data. */
import { oneHot } from '../data/encode';
import { UsageError } from './errors';
import { loadLabelled, type DataOptions } from './data';
import { requireWidth } from './width';
import { openModel } from './model-file';
import { formatLogs, type Output } from './output';

export interface EvaluateOptions extends DataOptions {
  model: string;
  batchSize: number;
}

export async function evaluate(options: EvaluateOptions, out: Output): Promise<void> {
  const model = await openModel(options.model);
  const compiled = model.toJSON().compile;
  if (compiled === null) throw new UsageError(`the model ${options.model} was saved without a loss (not compiled), so it cannot be evaluated`);
  const data = loadLabelled(options);
  requireWidth(model, data.x, options.model, options.data, options.labelColumn !== undefined || options.labels !== undefined);
  if (data.classes !== undefined && data.classes.length !== model.outputUnits) {
    out.note(`warning: ${options.data} names ${data.classes.length} classes (${data.classes.join(', ')}) but the model has ${model.outputUnits} outputs; names are numbered in sorted order, as train numbered them`);
  }
  const samples = data.x.shape[0] as number;
  // Losses over whole distributions take one-hot rows; files hold one class index per sample.
  const oneHotLoss = compiled.loss.name === 'categoricalCrossentropy' || compiled.loss.name === 'kullbackLeiblerDivergence';
  const y = oneHotLoss && data.y.shape[1] === 1 && model.outputUnits > 1 ? oneHot(data.y, model.outputUnits) : data.y;
  const logs = model.evaluate(data.x, y, { batchSize: options.batchSize });
  out.result({ model: options.model, data: options.data, samples, ...logs }, [`${samples} samples: ${formatLogs(logs)}`]);
}
