/**
 * Activation names as Keras and TensorFlow.js spell them, mapped to the native codes. The math
 * lives in native/kernels/activations.cc, forward beside backward, with a reference per formula.
 */
import { ActivationCode } from './backend';
import { oneOf } from './validate';

export const activationNames = [
  'linear',
  'relu',
  'relu6',
  'sigmoid',
  'hardSigmoid',
  'tanh',
  'hardTanh',
  'softmax',
  'sign',
  'leakyRelu',
  'elu',
  'selu',
  'gelu',
  'geluTanh',
  'softplus',
  'softsign',
  'swish',
] as const;
export type ActivationName = (typeof activationNames)[number];

/** Other names accepted for an activation (PyTorch's and Keras 3's 'silu' is swish). */
const aliases: Readonly<Record<string, ActivationName>> = { silu: 'swish' };

export function activationCode(name: ActivationName): ActivationCode {
  return ActivationCode[name];
}

/**
 * Whether the derivative needs the pre-activation z besides the output y (gelu, geluTanh,
 * swish): a layer then keeps z for its backward.
 */
export function activationNeedsInput(name: ActivationName): boolean {
  return name === 'gelu' || name === 'geluTanh' || name === 'swish';
}

/**
 * The alpha an activation name implies: the negative slope of leakyRelu (0.2, as tf.leakyRelu)
 * and the scale of elu's negative part (1); the other activations ignore alpha.
 */
export function defaultAlpha(name: ActivationName): number {
  return name === 'leakyRelu' ? 0.2 : name === 'elu' ? 1 : 0;
}

/** Validates a user-supplied activation name; undefined means linear, as in Keras. */
export function parseActivation(value: unknown, argument: string): ActivationName {
  if (value === undefined || value === null) return 'linear';
  const name = oneOf(value, argument, [...activationNames, ...Object.keys(aliases)]);
  return aliases[name] ?? (name as ActivationName);
}
