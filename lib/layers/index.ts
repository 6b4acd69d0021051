/** The layers namespace: factories named as in TensorFlow.js (layers.dense({...})). */
export { dense, Dense, type DenseConfig } from './dense';
export { Layer, type ParamSpec } from './layer';
export { batchNormalization, BatchNormalization, type BatchNormalizationConfig } from './batch-normalization';
export { dropout, Dropout, type DropoutConfig } from './dropout';
export { gaussianNoise, GaussianNoise, type GaussianNoiseConfig } from './gaussian-noise';
export { normalization, Normalization, type NormalizationConfig } from './normalization';
export { activation, Activation, elu, leakyReLU, softmax, type ActivationConfig, type ELUConfig, type LeakyReLUConfig, type SoftmaxConfig } from './activation';
export { prelu, PReLU, type PReLUConfig } from './prelu';
export { rrelu, RReLU, type RReLUConfig } from './rrelu';
export { add, Add, average, Average, concatenate, Concatenate, maximum, Maximum, minimum, Minimum, multiply, Multiply, subtract, Subtract, type ConcatenateConfig, type MergeConfig } from './merge';
