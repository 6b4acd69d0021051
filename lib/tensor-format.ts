/**
 * A tensor's values as text, the way TensorFlow.js prints them: rounded to 7 decimals, each
 * column padded to its widest value, and any dimension longer than 20 cut to its first and last
 * 3 values around '...', so printing a dataset of thousands of rows stays a few lines.
 */

/** Dimensions longer than this are cut (TensorFlow.js's FORMAT_LIMIT_NUM_VALS). */
const LIMIT = 20;
/** Values kept at each end of a cut dimension (TensorFlow.js's FORMAT_NUM_FIRST_LAST_VALS). */
const KEEP = 3;
const ELLIPSIS = '...';

/** float32 values as TensorFlow.js writes them: at most 7 decimals, no trailing zeros. */
function valueText(value: number): string {
  return Number.isFinite(value) ? String(parseFloat(value.toFixed(7))) : String(value);
}

/** The indices shown of a dimension of `size`, null standing for the cut. */
function shown(size: number): (number | null)[] {
  if (size <= LIMIT) return Array.from({ length: size }, (_, i) => i);
  return [...Array.from({ length: KEEP }, (_, i) => i), null, ...Array.from({ length: KEEP }, (_, i) => size - KEEP + i)];
}

/** The text of a rank-0, 1 or 2 tensor's values, lines indented by `indent`. */
export function formatValues(data: Float32Array, shape: readonly number[], indent: string): string {
  if (shape.length === 0) return indent + valueText(data[0] as number);
  const rows = shape.length === 1 ? 1 : (shape[0] as number);
  const cols = shape[shape.length - 1] as number;
  const colIndices = shown(cols);
  const cells = shown(rows).map((r) => (r === null ? null : colIndices.map((c) => (c === null ? ELLIPSIS : valueText(data[r * cols + c] as number)))));
  const widths = colIndices.map((_, j) => Math.max(...cells.map((row) => row?.[j]?.length ?? 0)));
  const rowText = (row: string[]): string => `[${row.map((cell, j) => (cell === ELLIPSIS ? cell : cell.padEnd(widths[j] as number))).join(', ')}]`;
  if (shape.length === 1) return indent + rowText(cells[0] as string[]);
  const lines = cells.map((row) => (row === null ? ELLIPSIS : rowText(row)));
  return lines.map((line, i) => `${indent}${i === 0 ? '[' : ' '}${line}${i === lines.length - 1 ? ']' : ','}`).join('\n');
}
