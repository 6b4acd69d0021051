/**
 * The metrics namespace: factories named as in TensorFlow.js (metrics.precision({...})), and the
 * names compile() accepts. A metric reports in logs under the name it was given.
 */
export { Metric } from './metric';
export type { MetricOptions } from './options';
export {
  binaryAccuracy,
  categoricalAccuracy,
  sparseCategoricalAccuracy,
  topKCategoricalAccuracy,
  sparseTopKCategoricalAccuracy,
  type BinaryAccuracyConfig,
  type TopKConfig,
} from './accuracy';
export { meanSquaredError, meanAbsoluteError } from './regression';
export { precision, recall, auc, type ThresholdConfig, type AucConfig } from './confusion';
export type { MetricName } from './resolve';
