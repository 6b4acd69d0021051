/** A model file named by --model, loaded with the library's loader after a check that it exists. */
import { loadModel } from '../io';
import type { Model } from '../core/model';
import { requireFile } from './data';
import { UsageError } from './errors';

export async function openModel(file: string): Promise<Model> {
  requireFile(file, '--model');
  return loadModel(file);
}

/**
 * Refuses a model of several inputs or outputs for a command that reads one table of features
 * (and of labels): `command` names the command, `call` the library call that takes such a model.
 */
export function requireOneInputAndOutput(model: Model, file: string, command: string, call: string): void {
  const inputs = model.inputSpecs();
  const outputs = model.outputNames;
  if (inputs.length === 1 && outputs.length === 1) return;
  const parts = [
    ...(inputs.length > 1 ? [`${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')})`] : []),
    ...(outputs.length > 1 ? [`${outputs.length} outputs (${outputs.join(', ')})`] : []),
  ];
  throw new UsageError(`the model ${file} has ${parts.join(' and ')}; myelin ${command} takes models of one input and one output: use the library's ${call} for it`);
}
