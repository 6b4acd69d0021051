/** The optimizers namespace: factories named as in TensorFlow.js (optimizers.adam({...})). */
export { adadelta, Adadelta, type AdadeltaConfig } from './adadelta';
export { adagrad, Adagrad, type AdagradConfig } from './adagrad';
export { adam, Adam, type AdamConfig } from './adam';
export { adamax, Adamax, type AdamaxConfig } from './adamax';
export { adamw, AdamW, type AdamWConfig } from './adamw';
export { nadam, Nadam, type NadamConfig } from './nadam';
export { Optimizer, type LearningRate, type OptimizerConfig } from './optimizer';
export { rmsprop, RMSprop, type RmspropConfig } from './rmsprop';
export { sgd, SGD, type SgdConfig } from './sgd';
