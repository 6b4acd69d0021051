/**
 * model.summary(): a table of layers, output shapes and parameter counts, as Keras prints it. A
 * graph model's table starts with its inputs (InputLayer rows) and has Keras's column
 * `Connected to`: the tensors each application of a layer reads, as layer[node][tensor] (a shared
 * layer has a line per application). Every layer is counted once in the totals, however often it
 * is applied.
 */
import { frontEnd, graphReferences } from '../io/graph-topology';
import type { Layer } from '../layers/layer';
import type { Model } from './model';

/** A row of the table; `more` are a shared layer's further applications, each a line of its own. */
interface Row {
  readonly cells: string[];
  readonly more: string[][];
}

function layerRow(layer: Layer): string[] {
  return [`${layer.name} (${layer.className})`, `[null, ${layer.outputUnits}]`, String(layer.paramCount())];
}

/** The rows of a graph model: its inputs, then each layer with the tensors each of its applications reads. */
function graphRows(model: Model): Row[] {
  const { inbound } = graphReferences(model);
  const inputs = model.inputSpecs().map((input): Row => ({ cells: [`${input.name} (InputLayer)`, `[null, ${input.units}]`, '0', ''], more: [] }));
  const layers = model.layers.map((layer): Row => {
    const connections = (inbound.get(layer) ?? []).map((refs) => refs.map(([name, node, tensor]) => `${name}[${node}][${tensor}]`).join(', '));
    return { cells: [...layerRow(layer), connections[0] ?? ''], more: connections.slice(1).map((c) => ['', '', '', c]) };
  });
  return [...inputs, ...layers];
}

export function formatSummary(model: Model): string {
  const { className, name } = frontEnd(model);
  const graph = className !== 'Sequential';
  const rows = graph ? graphRows(model) : model.layers.map((layer): Row => ({ cells: layerRow(layer), more: [] }));
  const header = ['Layer (type)', 'Output shape', 'Param #', ...(graph ? ['Connected to'] : [])];
  const lines = rows.flatMap((r) => [r.cells, ...r.more]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((cells) => (cells[i] as string).length)) + 2);
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join('').trimEnd();
  const rule = (ch: string): string => ch.repeat(widths.reduce((a, b) => a + b, 0));
  const totals = model.layers.map((l) => l.paramCounts()).reduce((a, b) => ({ trainable: a.trainable + b.trainable, nonTrainable: a.nonTrainable + b.nonTrainable }), { trainable: 0, nonTrainable: 0 });
  return [
    ...(graph ? [`Model: "${name}"`] : []),
    rule('_'),
    line(header),
    rule('='),
    ...rows.flatMap((r, i) => [...(i === 0 ? [] : [rule('_')]), line(r.cells), ...r.more.map(line)]),
    rule('='),
    `Total params: ${totals.trainable + totals.nonTrainable}`,
    `Trainable params: ${totals.trainable}`,
    `Non-trainable params: ${totals.nonTrainable}`,
    rule('_'),
  ].join('\n');
}
