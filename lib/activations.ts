/**
 * Activation names as Keras and TensorFlow.js spell them, mapped to the native codes. The math
 * lives in native/kernels/activations.cc, forward beside backward.
 */
import { ActivationCode } from './backend';
import { oneOf } from './validate';

export const activationNames = ['linear', 'relu', 'sigmoid', 'tanh', 'softmax'] as const;
export type ActivationName = (typeof activationNames)[number];

export function activationCode(name: ActivationName): ActivationCode {
  return ActivationCode[name];
}

/** Validates a user-supplied activation name; undefined means linear, as in Keras. */
export function parseActivation(value: unknown, argument: string): ActivationName {
  if (value === undefined || value === null) return 'linear';
  return oneOf(value, argument, activationNames);
}
