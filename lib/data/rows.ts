/** Selecting samples (rows) of a data set by index, and the class of each sample. */
import { native } from '../backend';
import { Tensor } from '../tensor';

/** The rows of a rank-2 tensor at `indices`, in that order, as a new tensor. */
export function takeRows(t: Tensor, indices: Uint32Array): Tensor {
  const cols = t.shape[1] as number;
  const out = new Float32Array(indices.length * cols);
  native.gatherRows(out, t.data, indices, cols);
  return new Tensor(out, [indices.length, cols]);
}

/** The class of sample r: its label when y has one column, the index of its largest value when y is one-hot. */
function classOf(y: Tensor, r: number): number {
  const cols = y.shape[1] as number;
  if (cols === 1) return y.data[r] as number;
  let best = 0;
  for (let j = 1; j < cols; j++) if ((y.data[r * cols + j] as number) > (y.data[r * cols + best] as number)) best = j;
  return best;
}

/** The samples of `order` grouped by class, classes ascending, each group in `order`'s order. */
export function groupByClass(order: Uint32Array, y: Tensor): Uint32Array[] {
  const groups = new Map<number, number[]>();
  for (const r of order) {
    const c = classOf(y, r);
    const group = groups.get(c);
    if (group === undefined) groups.set(c, [r]);
    else group.push(r);
  }
  return [...groups.keys()].sort((a, b) => a - b).map((c) => Uint32Array.from(groups.get(c) as number[]));
}
