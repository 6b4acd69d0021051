/** Optimizers by name ('sgd', 'adam'), with Keras's defaults, or passed through as objects. */
import { ArgumentTypeError } from '../errors';
import { describe, oneOf } from '../validate';
import { adam } from './adam';
import { Optimizer } from './optimizer';
import { sgd } from './sgd';

export const optimizerNames = ['sgd', 'adam'] as const;
export type OptimizerName = (typeof optimizerNames)[number];

export function getOptimizer(value: unknown, argument: string): Optimizer {
  if (value instanceof Optimizer) return value;
  if (typeof value !== 'string') {
    throw new ArgumentTypeError({ argument, expected: `an optimizer name (${optimizerNames.join(', ')}) or an optimizer object`, received: describe(value) });
  }
  return oneOf(value, argument, optimizerNames) === 'sgd' ? sgd() : adam();
}
