/** `myelin export-onnx`: a saved model as an ONNX file for inference elsewhere. */
import * as fs from 'node:fs';

import { checkOutputPathSync } from '../io/output-path';
import { onnxSignature } from '../onnx/export';
import { openModel } from './model-file';
import type { Output } from './output';

export interface ExportOnnxOptions {
  model: string;
  out: string;
}

export async function exportOnnx(options: ExportOnnxOptions, out: Output): Promise<void> {
  checkOutputPathSync(options.out, '--out');
  const model = await openModel(options.model);
  await model.exportOnnx(options.out);
  const bytes = fs.statSync(options.out).size;
  const { inputs, outputs } = onnxSignature(model);
  const tensors = [...inputs.map((t) => `input '${t.name}' [N, ${t.width}]`), ...outputs.map((t) => `output '${t.name}' [N, ${t.width}]`)];
  out.result({ model: options.model, out: options.out, bytes }, [`wrote ${options.out} (${bytes} bytes): ${tensors.join(', ')}`]);
}
