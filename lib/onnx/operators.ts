/**
 * Each layer and activation as ONNX operators, computing what predict() computes (formulas in
 * native/kernels/activations.cc and the layer files). An emitter takes the name of its input
 * tensor and returns the name of its output; weights come from the model's arena.
 */
import { defaultAlpha, type ActivationName } from '../activations';
import { ArgumentRangeError } from '../errors';
import { Activation } from '../layers/activation';
import { BatchNormalization } from '../layers/batch-normalization';
import { Dense } from '../layers/dense';
import { Dropout } from '../layers/dropout';
import { GaussianNoise } from '../layers/gaussian-noise';
import type { Layer } from '../layers/layer';
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
type LayerEmitter<L extends Layer> = (g: GraphBuilder, layer: L, weights: Weights, x: string) => string;

interface Entry {
  readonly cls: LayerClass<Layer>;
  readonly emit: LayerEmitter<Layer>;
}

function entry<L extends Layer>(cls: LayerClass<L>, emit: LayerEmitter<L>): Entry {
  return { cls, emit: emit as LayerEmitter<Layer> };
}

/**
 * The layers predict() runs, each as ONNX. Dropout and GaussianNoise are the identity at
 * inference and leave no node.
 */
const layerEmitters: readonly Entry[] = [
  entry(Dense, (g, layer, weights, x) => {
    const kernel = g.tensor(`${layer.name}/kernel`, weight(weights, 'kernel'), [layer.inputUnits, layer.units]);
    const inputs = layer.useBias ? [x, kernel, g.tensor(`${layer.name}/bias`, weight(weights, 'bias'), [layer.units])] : [x, kernel];
    // The activation is emitted even when a loss fuses it: predict() applies it then too.
    return emitActivation(g, layer.name, g.node(layer.name, 'Gemm', inputs), layer.activation, defaultAlpha(layer.activation));
  }),
  entry(Activation, (g, layer, _weights, x) => emitActivation(g, layer.name, x, layer.activation, layer.alpha)),
  entry(Dropout, (_g, _layer, _weights, x) => x),
  entry(GaussianNoise, (_g, _layer, _weights, x) => x),
  entry(RReLU, (g, layer, _weights, x) => g.node(layer.name, 'LeakyRelu', [x], { alpha: layer.meanSlope })),
  // The slope [units] broadcasts over the batch.
  entry(PReLU, (g, layer, weights, x) => g.node(layer.name, 'PRelu', [x, g.tensor(`${layer.name}/alpha`, weight(weights, 'alpha'), [layer.inputUnits])])),
  // Inference mode (training_mode 0, the default): the moving statistics.
  entry(BatchNormalization, (g, layer, weights, x) => {
    const u = layer.inputUnits;
    const inputs = [
      x,
      g.tensor(`${layer.name}/gamma`, weights.get('gamma') ?? new Float32Array(u).fill(1), [u]),
      g.tensor(`${layer.name}/beta`, weights.get('beta') ?? new Float32Array(u), [u]),
      g.tensor(`${layer.name}/movingMean`, weight(weights, 'movingMean'), [u]),
      g.tensor(`${layer.name}/movingVariance`, weight(weights, 'movingVariance'), [u]),
    ];
    return g.node(layer.name, 'BatchNormalization', inputs, { epsilon: layer.epsilon });
  }),
  // (x - mean) / max(sqrt(variance), floor)
  entry(Normalization, (g, layer, weights, x) => {
    const u = layer.inputUnits;
    const std = Float64Array.from(weight(weights, 'variance'), (v) => Math.max(Math.sqrt(v), STDDEV_FLOOR));
    const centered = g.node(layer.name, 'Sub', [x, g.tensor(`${layer.name}/mean`, weight(weights, 'mean'), [u])]);
    return g.node(layer.name, 'Div', [centered, g.tensor(`${layer.name}/std`, std, [u])]);
  }),
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

/** Appends the layer's operators; returns the name of its output. */
export function emitLayer(g: GraphBuilder, layer: Layer, weights: Weights, x: string): string {
  return emitterFor(layer)(g, layer, weights, x);
}
