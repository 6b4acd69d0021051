/** The layers namespace: factories named as in TensorFlow.js (layers.dense({...})). */
export { dense, Dense, type DenseConfig } from './dense';
export { Layer, type ParamSpec } from './layer';
