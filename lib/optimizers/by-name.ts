/** Optimizers by name ('sgd', 'adam', ...), with Keras's defaults, or passed through as objects. */
import { ArgumentTypeError } from '../errors';
import { describe, oneOf } from '../validate';
import { adadelta } from './adadelta';
import { adagrad } from './adagrad';
import { adam } from './adam';
import { adamax } from './adamax';
import { adamw } from './adamw';
import { nadam } from './nadam';
import { Optimizer } from './optimizer';
import { rmsprop } from './rmsprop';
import { sgd } from './sgd';

const factories = { sgd, adagrad, adadelta, rmsprop, adam, adamax, nadam, adamw } as const;

export type OptimizerName = keyof typeof factories;
export const optimizerNames = Object.keys(factories) as OptimizerName[];

export function getOptimizer(value: unknown, argument: string): Optimizer {
  if (value instanceof Optimizer) return value;
  if (typeof value !== 'string') {
    throw new ArgumentTypeError({ argument, expected: `an optimizer name (${optimizerNames.join(', ')}) or an optimizer object`, received: describe(value) });
  }
  return factories[oneOf(value, argument, optimizerNames)]();
}
