/**
 * The public losses namespace: factories named as in TensorFlow.js / Keras, to pass to
 * compile({ loss }), e.g. losses.categoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }).
 */
export {
  binaryCrossentropy,
  categoricalCrossentropy,
  huber,
  hinge,
  kullbackLeiblerDivergence,
  logCosh,
  Loss,
  meanAbsoluteError,
  meanSquaredError,
  sparseCategoricalCrossentropy,
  squaredHinge,
  type CrossentropyConfig,
  type HuberConfig,
  type LossAlias,
  type LossFusion,
  type LossIdentifier,
  type LossName,
} from './losses';
export { custom, type CustomLossConfig } from './custom-loss';
