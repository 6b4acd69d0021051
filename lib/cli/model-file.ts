/** A model file named by --model, loaded with the library's loader after a check that it exists. */
import { loadModel } from '../io';
import type { Model } from '../core/model';
import { requireFile } from './data';

export async function openModel(file: string): Promise<Model> {
  requireFile(file, '--model');
  return loadModel(file);
}
