/** Optimizers by name ('sgd', 'adam', ...), with Keras's defaults, or passed through as objects; and from a saved config. */
import { ArgumentTypeError } from '../errors';
import { scheduleFromConfig } from '../schedules';
import { describe, knownOptions, oneOf, plainObject } from '../validate';
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

/** The factory behind each optimizer's className ('Adam' -> adam). */
const byClassName: Record<string, (config: never) => Optimizer> = {
  SGD: sgd, Adagrad: adagrad, Adadelta: adadelta, RMSprop: rmsprop, Adam: adam, Adamax: adamax, Nadam: nadam, AdamW: adamw,
};

export function getOptimizer(value: unknown, argument: string): Optimizer {
  if (value instanceof Optimizer) return value;
  if (typeof value !== 'string') {
    throw new ArgumentTypeError({ argument, expected: `an optimizer name (${optimizerNames.join(', ')}) or an optimizer object`, received: describe(value) });
  }
  return factories[oneOf(value, argument, optimizerNames)]();
}

/**
 * A new optimizer from { className, config }, what className and getConfig() give: the learning
 * rate may be a number or a serialized schedule. The state (iterations, slots) is not part of it.
 */
export function optimizerFromConfig(value: unknown, argument: string): Optimizer {
  const obj = plainObject(value, argument);
  knownOptions(obj, argument, ['className', 'config']);
  const className = oneOf(obj['className'], `${argument}.className`, Object.keys(byClassName));
  const config = { ...plainObject(obj['config'], `${argument}.config`) };
  const rate = config['learningRate'];
  if (typeof rate === 'object' && rate !== null) config['learningRate'] = scheduleFromConfig(rate, `${argument}.config.learningRate`);
  return (byClassName[className] as (config: unknown) => Optimizer)(config);
}
