/** A model file named by --model, loaded with the library's loader after a check that it exists. */
import { loadModel } from '../io';
import type { Sequential } from '../models/sequential';
import { requireFile } from './data';

export async function openModel(file: string): Promise<Sequential> {
  requireFile(file, '--model');
  return loadModel(file);
}
