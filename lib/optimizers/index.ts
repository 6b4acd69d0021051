/** The optimizers namespace: factories named as in TensorFlow.js (optimizers.adam({...})). */
export { adam, Adam, type AdamConfig } from './adam';
export { Optimizer } from './optimizer';
export { sgd, SGD, type SgdConfig } from './sgd';
