/**
 * `myelin info`: a saved model's topology, parameter counts, class names, compile settings and
 * format version. For a graph model also its inputs and outputs by name and width and each
 * layer's inbound nodes (the tensors each application reads: the summary's `Connected to`, and in
 * JSON as the file lists them), and for several outputs each output's loss, weight and metrics.
 */
import * as fs from 'node:fs';

import type { Model } from '../core/model';
import { isLossEntry, type CompileConfig, type GraphTopology, type LossEntry } from '../io/header';
import { openModel } from './model-file';
import type { Output } from './output';

export interface InfoOptions {
  model: string;
}

/** The compile settings of each output, from the file's compile config in whichever form it holds them. */
function perOutput(compile: CompileConfig, outputs: readonly string[]): Record<string, { loss: string; weight: number; metrics: readonly string[] }> {
  const { loss, lossWeights, metrics } = compile;
  return Object.fromEntries(outputs.map((name, i) => {
    const entry: LossEntry | undefined = isLossEntry(loss) ? loss : Array.isArray(loss) ? (loss as readonly LossEntry[])[i] : (loss as Readonly<Record<string, LossEntry>>)[name];
    const weight = lossWeights === undefined ? 1 : Array.isArray(lossWeights) ? (lossWeights as readonly number[])[i] : (lossWeights as Readonly<Record<string, number>>)[name];
    const list = Array.isArray(metrics)
      ? metrics.every((m) => typeof m === 'string') ? (metrics as readonly string[]) : (metrics as readonly (readonly string[])[])[i]
      : (metrics as Readonly<Record<string, readonly string[]>>)[name];
    return [name, { loss: entry?.name ?? '?', weight: weight ?? 1, metrics: list ?? [] }];
  }));
}

function compileSummary(compile: CompileConfig | null, model: Model): { json: unknown; line: string } {
  if (compile === null) return { json: null, line: 'not compiled' };
  const optimizer = compile.optimizer.className;
  if (model.outputNames.length === 1) {
    const { loss, metrics } = perOutput(compile, model.outputNames)[model.outputNames[0] as string] as { loss: string; metrics: readonly string[] };
    return { json: { loss, optimizer, metrics }, line: `compiled with loss ${loss}, optimizer ${optimizer}${metrics.length > 0 ? `, metrics ${metrics.join(', ')}` : ''}` };
  }
  const outputs = perOutput(compile, model.outputNames);
  const each = Object.entries(outputs).map(([name, o]) => `${name}: loss ${o.loss}, weight ${o.weight}${o.metrics.length > 0 ? `, metrics ${o.metrics.join(', ')}` : ''}`);
  return { json: { optimizer, outputs }, line: `compiled with optimizer ${optimizer}; ${each.join('; ')}` };
}

export async function info(options: InfoOptions, out: Output): Promise<void> {
  const model = await openModel(options.model);
  const json = model.toJSON();
  const graph = Array.isArray(json.topology) ? null : (json.topology as GraphTopology);
  const counts = model.layers.reduce((sum, l) => {
    const c = l.paramCounts();
    return { trainable: sum.trainable + c.trainable, nonTrainable: sum.nonTrainable + c.nonTrainable };
  }, { trainable: 0, nonTrainable: 0 });
  const inbound = new Map(graph?.config.layers.map((entry) => [entry.name, entry.inboundNodes]) ?? []);
  const layers = model.layers.map((layer) => {
    const activation = layer.getConfig()['activation'];
    const nodes = inbound.get(layer.name);
    return { name: layer.name, className: layer.className, outputs: layer.outputUnits, ...(typeof activation === 'string' ? { activation } : {}), params: layer.paramCount(), ...(nodes === undefined ? {} : { inboundNodes: nodes }) };
  });
  const inputs = model.inputSpecs().map((input) => ({ name: input.name, units: input.units }));
  const outputs = model.outputNames.map((name) => ({ name, units: model.getLayer(name).outputUnits }));
  const compile = compileSummary(json.compile, model);
  const table: string[] = [];
  model.summary((line) => table.push(line));
  const shapes = (list: readonly { name: string; units: number }[]): string => list.map((t) => `${t.name} [null, ${t.units}]`).join(', ');
  out.result(
    {
      model: options.model,
      bytes: fs.statSync(options.model).size,
      formatVersion: json.formatVersion,
      ...(graph === null ? {} : { className: graph.className, name: graph.config.name }),
      inputs: model.inputUnits,
      outputs: model.outputUnits,
      ...(graph === null ? {} : { inputLayers: inputs, outputLayers: outputs }),
      params: { total: counts.trainable + counts.nonTrainable, trainable: counts.trainable, nonTrainable: counts.nonTrainable },
      layers,
      compile: compile.json,
      classNames: model.classNames,
    },
    [
      `${options.model}: myelin model, format version ${json.formatVersion}`,
      graph === null ? `inputs: ${model.inputUnits} features, outputs: ${model.outputUnits}` : `graph model '${graph.config.name}': inputs ${shapes(inputs)}; outputs ${shapes(outputs)}`,
      ...table,
      ...(model.classNames === null ? [] : [`classes: ${model.classNames.map((name, i) => `${i} = ${name}`).join(', ')}`]),
      compile.line,
    ],
  );
}
