/**
 * Each layer and activation as ONNX operators, computing what predict() computes (formulas in
 * native/kernels/activations.cc and the layer files). An emitter takes the names of its input
 * tensors (one, but for a merge layer) and returns the name of its output; its nodes are named
 * after `scope` (the layer's name, then name/1, name/2 ... at a shared layer's later nodes);
 * weights come from the model's arena and are stored once per layer, however often it is applied.
 */
import { defaultAlpha, type ActivationName } from '../activations';
import { ArgumentRangeError } from '../errors';
import { Activation } from '../layers/activation';
import { BatchNormalization } from '../layers/batch-normalization';
import { Dense } from '../layers/dense';
import { Dropout } from '../layers/dropout';
import { GaussianNoise } from '../layers/gaussian-noise';
import type { Layer } from '../layers/layer';
import { Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract } from '../layers/merge';
import { Normalization, STDDEV_FLOOR } from '../layers/normalization';
import { PReLU } from '../layers/prelu';
import { RReLU } from '../layers/rrelu';
import type { GraphBuilder } from './graph';

/** Keras's selu constants (not ONNX's float32-rounded defaults, though they round the same). */
const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;

type ActivationEmitter = (g: GraphBuilder, scope: string, x: string, alpha: number) => string;

/** Every activation name, so that a new one cannot be added without its ONNX form. */
const activationEmitters: Readonly<Record<ActivationName, ActivationEmitter>> = {
  linear: (_g, _scope, x) => x,
  relu: (g, scope, x) => g.node(scope, 'Relu', [x]),
  relu6: (g, scope, x) => g.node(scope, 'Clip', [x, g.scalar(0), g.scalar(6)]),
  sigmoid: (g, scope, x) => g.node(scope, 'Sigmoid', [x]),
  hardSigmoid: (g, scope, x) => g.node(scope, 'HardSigmoid', [x], { alpha: 0.2, beta: 0.5 }),
  tanh: (g, scope, x) => g.node(scope, 'Tanh', [x]),
  hardTanh: (g, scope, x) => g.node(scope, 'Clip', [x, g.scalar(-1), g.scalar(1)]),
  softmax: (g, scope, x) => g.node(scope, 'Softmax', [x], { axis: -1 }, ['axis']),
  sign: (g, scope, x) => g.node(scope, 'Sign', [x]),
  leakyRelu: (g, scope, x, alpha) => g.node(scope, 'LeakyRelu', [x], { alpha }),
  elu: (g, scope, x, alpha) => g.node(scope, 'Elu', [x], { alpha }),
  selu: (g, scope, x) => g.node(scope, 'Selu', [x], { alpha: SELU_ALPHA, gamma: SELU_SCALE }),
  // 0.5 x (1 + erf(x / sqrt 2))
  gelu: (g, scope, x) => {
    const erf = g.node(scope, 'Erf', [g.node(scope, 'Mul', [x, g.scalar(Math.SQRT1_2)])]);
    return g.node(scope, 'Mul', [g.node(scope, 'Mul', [x, g.node(scope, 'Add', [erf, g.scalar(1)])]), g.scalar(0.5)]);
  },
  // 0.5 x (1 + tanh(sqrt(2/pi) x (1 + 0.044715 x^2)))
  geluTanh: (g, scope, x) => {
    const cubic = g.node(scope, 'Add', [g.node(scope, 'Mul', [g.node(scope, 'Mul', [x, x]), g.scalar(0.044715)]), g.scalar(1)]);
    const u = g.node(scope, 'Mul', [g.node(scope, 'Mul', [x, cubic]), g.scalar(Math.sqrt(2 / Math.PI))]);
    const t = g.node(scope, 'Tanh', [u]);
    return g.node(scope, 'Mul', [g.node(scope, 'Mul', [x, g.node(scope, 'Add', [t, g.scalar(1)])]), g.scalar(0.5)]);
  },
  softplus: (g, scope, x) => g.node(scope, 'Softplus', [x]),
  softsign: (g, scope, x) => g.node(scope, 'Softsign', [x]),
  swish: (g, scope, x) => g.node(scope, 'Mul', [x, g.node(scope, 'Sigmoid', [x])]),
};

function emitActivation(g: GraphBuilder, scope: string, x: string, name: ActivationName, alpha: number): string {
  return activationEmitters[name](g, scope, x, alpha);
}

/** A layer's weights by name (model.weightViews). */
type Weights = ReadonlyMap<string, Float32Array>;

function weight(weights: Weights, name: string): Float32Array {
  return weights.get(name) as Float32Array;
}

type LayerClass<L extends Layer> = abstract new (...args: never[]) => L;
type LayerEmitter<L extends Layer> = (g: GraphBuilder, layer: L, weights: Weights, xs: readonly string[], scope: string) => string;

interface Entry {
  readonly cls: LayerClass<Layer>;
  readonly emit: LayerEmitter<Layer>;
}

function entry<L extends Layer>(cls: LayerClass<L>, emit: LayerEmitter<L>): Entry {
  return { cls, emit: emit as LayerEmitter<Layer> };
}

/** A layer of one input: its emitter sees that input's name. */
function single<L extends Layer>(cls: LayerClass<L>, emit: (g: GraphBuilder, layer: L, weights: Weights, x: string, scope: string) => string): Entry {
  return entry(cls, (g, layer, weights, xs, scope) => emit(g, layer, weights, xs[0] as string, scope));
}

/** A merge of a binary ONNX operator, folded pairwise from the left as the layer folds its inputs: ((x0 op x1) op x2) ... */
function pairwise(cls: LayerClass<Layer>, op: string): Entry {
  return entry(cls, (g, _layer, _weights, xs, scope) => xs.slice(1).reduce((acc, x) => g.node(scope, op, [acc, x]), xs[0] as string));
}

/** A merge of a variadic ONNX operator: one node over every input. */
function variadic(cls: LayerClass<Layer>, op: string): Entry {
  return entry(cls, (g, _layer, _weights, xs, scope) => g.node(scope, op, xs));
}

/**
 * The layers predict() runs, each as ONNX. Dropout and GaussianNoise are the identity at
 * inference and leave no node.
 */
const layerEmitters: readonly Entry[] = [
  single(Dense, (g, layer, weights, x, scope) => {
    const kernel = g.weight(`${layer.name}/kernel`, [layer.inputUnits, layer.units], () => weight(weights, 'kernel'));
    // A folded Dense has a bias even when the layer has none: the exporter gives it one.
    const bias = weights.get('bias');
    const inputs = bias === undefined ? [x, kernel] : [x, kernel, g.weight(`${layer.name}/bias`, [layer.units], () => bias)];
    // The activation is emitted even when a loss fuses it: predict() applies it then too.
    return emitActivation(g, scope, g.node(scope, 'Gemm', inputs), layer.activation, defaultAlpha(layer.activation));
  }),
  single(Activation, (g, layer, _weights, x, scope) => emitActivation(g, scope, x, layer.activation, layer.alpha)),
  single(Dropout, (_g, _layer, _weights, x) => x),
  single(GaussianNoise, (_g, _layer, _weights, x) => x),
  single(RReLU, (g, layer, _weights, x, scope) => g.node(scope, 'LeakyRelu', [x], { alpha: layer.meanSlope })),
  // The slope [units] broadcasts over the batch.
  single(PReLU, (g, layer, weights, x, scope) => g.node(scope, 'PRelu', [x, g.weight(`${layer.name}/alpha`, [layer.inputUnits], () => weight(weights, 'alpha'))])),
  // Inference mode (training_mode 0, the default): the moving statistics.
  single(BatchNormalization, (g, layer, weights, x, scope) => {
    const u = layer.inputUnits;
    const inputs = [
      x,
      g.weight(`${layer.name}/gamma`, [u], () => weights.get('gamma') ?? new Float32Array(u).fill(1)),
      g.weight(`${layer.name}/beta`, [u], () => weights.get('beta') ?? new Float32Array(u)),
      g.weight(`${layer.name}/movingMean`, [u], () => weight(weights, 'movingMean')),
      g.weight(`${layer.name}/movingVariance`, [u], () => weight(weights, 'movingVariance')),
    ];
    return g.node(scope, 'BatchNormalization', inputs, { epsilon: layer.epsilon });
  }),
  // (x - mean) / max(sqrt(variance), floor)
  single(Normalization, (g, layer, weights, x, scope) => {
    const u = layer.inputUnits;
    const std = (): Float64Array => Float64Array.from(weight(weights, 'variance'), (v) => Math.max(Math.sqrt(v), STDDEV_FLOOR));
    const centered = g.node(scope, 'Sub', [x, g.weight(`${layer.name}/mean`, [u], () => weight(weights, 'mean'))]);
    return g.node(scope, 'Div', [centered, g.weight(`${layer.name}/std`, [u], std)]);
  }),
  // ONNX's Add and Mul take two inputs; Max, Min and Mean take any number.
  pairwise(Add, 'Add'),
  pairwise(Subtract, 'Sub'),
  pairwise(Multiply, 'Mul'),
  variadic(Maximum, 'Max'),
  variadic(Minimum, 'Min'),
  variadic(Average, 'Mean'),
  // A sample is a row: the features are axis 1.
  entry(Concatenate, (g, _layer, _weights, xs, scope) => g.node(scope, 'Concat', xs, { axis: 1 }, ['axis'])),
];

function emitterFor(layer: Layer): LayerEmitter<Layer> {
  const found = layerEmitters.find((e) => layer instanceof e.cls);
  if (found === undefined) {
    throw new ArgumentRangeError(
      { argument: 'model', expected: `layers that have an ONNX equivalent (${layerEmitters.map((e) => e.cls.name).join(', ')})`, received: `layer '${layer.name}' of class ${layer.className}` },
      'Remove that layer or replace it with one of these before exporting.',
    );
  }
  return found.emit;
}

/** Throws an error naming the first layer that has no ONNX form. */
export function checkSupported(layers: readonly Layer[]): void {
  layers.forEach(emitterFor);
}

/** Appends the operators of `layer` applied to `xs`, named after `scope`; returns the name of its output. */
export function emitLayer(g: GraphBuilder, layer: Layer, weights: Weights, xs: readonly string[], scope: string): string {
  return emitterFor(layer)(g, layer, weights, xs, scope);
}
