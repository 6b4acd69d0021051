/** model.summary(): a table of layers, output shapes and parameter counts, as Keras prints it. */
import type { Layer } from '../layers/layer';

export function formatSummary(layers: readonly Layer[]): string {
  const rows = layers.map((l) => [`${l.name} (${l.className})`, `[null, ${l.outputUnits}]`, String(l.paramCount())]);
  const header = ['Layer (type)', 'Output shape', 'Param #'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)) + 2);
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i] as number)).join('').trimEnd();
  const rule = (ch: string): string => ch.repeat(widths.reduce((a, b) => a + b, 0));
  const total = layers.reduce((sum, l) => sum + l.paramCount(), 0);
  return [
    rule('_'),
    line(header),
    rule('='),
    ...rows.flatMap((r, i) => (i === 0 ? [line(r)] : [rule('_'), line(r)])),
    rule('='),
    `Total params: ${total}`,
    `Trainable params: ${total}`,
    'Non-trainable params: 0',
    rule('_'),
  ].join('\n');
}
