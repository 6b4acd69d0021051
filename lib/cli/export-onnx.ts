/** `myelin export-onnx`: a saved model as an ONNX file for inference elsewhere. */
import * as fs from 'node:fs';

import { checkOutputPathSync } from '../io/output-path';
import { openModel, requireOneInputAndOutput } from './model-file';
import type { Output } from './output';

export interface ExportOnnxOptions {
  model: string;
  out: string;
}

export async function exportOnnx(options: ExportOnnxOptions, out: Output): Promise<void> {
  checkOutputPathSync(options.out, '--out');
  const model = await openModel(options.model);
  requireOneInputAndOutput(model, options.model, 'export-onnx', 'exportOnnx()');
  await model.exportOnnx(options.out);
  const bytes = fs.statSync(options.out).size;
  out.result({ model: options.model, out: options.out, bytes }, [`wrote ${options.out} (${bytes} bytes): input 'input' [N, ${model.inputUnits}], output 'output' [N, ${model.outputUnits}]`]);
}
