/** Whether a model fits the data: the same number of features, said in the user's terms. */
import type { Model } from '../core/model';
import type { Tensor } from '../tensor';
import { UsageError } from './errors';

export function requireWidth(model: Model, x: Tensor, modelFile: string, dataFile: string, labelColumnGiven: boolean): void {
  const width = x.shape[1] as number;
  if (width === model.inputUnits) return;
  const hint = !labelColumnGiven && width === model.inputUnits + 1 ? '; if one column is the label, name it with --label-column' : '';
  throw new UsageError(`the model ${modelFile} takes ${model.inputUnits} features per sample but ${dataFile} has ${width}${hint}`);
}
