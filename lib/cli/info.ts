/** `myelin info`: a saved model's topology, parameter counts, class names, compile settings and format version. */
import * as fs from 'node:fs';

import { openModel } from './model-file';
import type { Output } from './output';

export interface InfoOptions {
  model: string;
}

export async function info(options: InfoOptions, out: Output): Promise<void> {
  const model = await openModel(options.model);
  const json = model.toJSON();
  const counts = model.layers.reduce((sum, l) => {
    const c = l.paramCounts();
    return { trainable: sum.trainable + c.trainable, nonTrainable: sum.nonTrainable + c.nonTrainable };
  }, { trainable: 0, nonTrainable: 0 });
  const layers = model.layers.map((layer) => {
    const activation = layer.getConfig()['activation'];
    return { name: layer.name, className: layer.className, outputs: layer.outputUnits, ...(typeof activation === 'string' ? { activation } : {}), params: layer.paramCount() };
  });
  const compile = json.compile === null ? null : { loss: json.compile.loss.name, optimizer: json.compile.optimizer.className, metrics: json.compile.metrics };
  const table: string[] = [];
  model.summary((line) => table.push(line));
  out.result(
    {
      model: options.model,
      bytes: fs.statSync(options.model).size,
      formatVersion: json.formatVersion,
      inputs: model.inputUnits,
      outputs: model.outputUnits,
      params: { total: counts.trainable + counts.nonTrainable, trainable: counts.trainable, nonTrainable: counts.nonTrainable },
      layers,
      compile,
      classNames: model.classNames,
    },
    [
      `${options.model}: myelin model, format version ${json.formatVersion}`,
      `inputs: ${model.inputUnits} features, outputs: ${model.outputUnits}`,
      ...table,
      ...(model.classNames === null ? [] : [`classes: ${model.classNames.map((name, i) => `${i} = ${name}`).join(', ')}`]),
      compile === null ? 'not compiled' : `compiled with loss ${compile.loss}, optimizer ${compile.optimizer}${compile.metrics.length > 0 ? `, metrics ${compile.metrics.join(', ')}` : ''}`,
    ],
  );
}
