/** model.summary(): a table of layers, output shapes and parameter counts, as Keras prints it. */
import type { Layer } from '../layers/layer';

export function formatSummary(layers: readonly Layer[]): string {
  const rows = layers.map((l) => [`${l.name} (${l.className})`, `[null, ${l.outputUnits}]`, String(l.paramCount())]);
  const header = ['Layer (type)', 'Output shape', 'Param #'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)) + 2);
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join('').trimEnd();
  const rule = (ch: string): string => ch.repeat(widths.reduce((a, b) => a + b, 0));
  const totals = layers.map((l) => l.paramCounts()).reduce((a, b) => ({ trainable: a.trainable + b.trainable, nonTrainable: a.nonTrainable + b.nonTrainable }), { trainable: 0, nonTrainable: 0 });
  return [
    rule('_'),
    line(header),
    rule('='),
    ...rows.flatMap((r, i) => (i === 0 ? [line(r)] : [rule('_'), line(r)])),
    rule('='),
    `Total params: ${totals.trainable + totals.nonTrainable}`,
    `Trainable params: ${totals.trainable}`,
    `Non-trainable params: ${totals.nonTrainable}`,
    rule('_'),
  ].join('\n');
}
