/** Dealing samples into k folds for cross-validation (scikit-learn's KFold and StratifiedKFold). */
import type { Tensor } from '../tensor';
import { groupByClass } from './rows';

/**
 * The fold (0 .. folds - 1) of every sample, taking the samples in `order`. Plain: contiguous
 * runs of `order`, the first (samples % folds) folds one sample larger. Stratified: the samples
 * sorted by class are dealt round robin, so every fold holds each class's share to within one
 * sample and the fold sizes still differ by at most one.
 */
export function assignFolds(order: Uint32Array, y: Tensor, folds: number, stratify: boolean): Uint32Array {
  const fold = new Uint32Array(order.length);
  if (stratify) {
    let p = 0;
    for (const group of groupByClass(order, y)) for (const r of group) fold[r] = p++ % folds;
    return fold;
  }
  const base = Math.floor(order.length / folds);
  const larger = order.length % folds;
  let p = 0;
  for (let f = 0; f < folds; f++) {
    const size = base + (f < larger ? 1 : 0);
    for (let i = 0; i < size; i++) fold[order[p++] as number] = f;
  }
  return fold;
}
