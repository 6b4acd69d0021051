/**
 * Layer classes by className, so a saved topology ({ className, config } per layer, what
 * className and getConfig() give) becomes layers again: `new Layer(layer.getConfig())` rebuilds
 * an equivalent layer for every class here.
 */
import { describe, knownOptions, oneOf, plainObject } from '../validate';
import { ArgumentTypeError } from '../errors';
import { Activation } from './activation';
import { BatchNormalization } from './batch-normalization';
import { Dense } from './dense';
import { Dropout } from './dropout';
import { GaussianNoise } from './gaussian-noise';
import type { Layer } from './layer';
import { Add, Average, Concatenate, Maximum, Minimum, Multiply, Subtract } from './merge';
import { Normalization } from './normalization';
import { PReLU } from './prelu';
import { RReLU } from './rrelu';

const layerClasses: Record<string, new (config: never) => Layer> = {
  Dense, Activation, BatchNormalization, Dropout, GaussianNoise, Normalization, PReLU, RReLU,
  Add, Subtract, Multiply, Average, Maximum, Minimum, Concatenate,
};

export const layerClassNames: readonly string[] = Object.keys(layerClasses);

/** A new, unbuilt layer from { className, config }; `argument` names the entry in errors. */
export function layerFromConfig(value: unknown, argument: string): Layer {
  const entry = plainObject(value, argument);
  knownOptions(entry, argument, ['className', 'config']);
  const LayerClass = layerClasses[oneOf(entry['className'], `${argument}.className`, layerClassNames)] as new (config: unknown) => Layer;
  const config = entry['config'];
  if (typeof config !== 'object' || config === null || Array.isArray(config)) {
    throw new ArgumentTypeError({ argument: `${argument}.config`, expected: 'an object', received: describe(config) });
  }
  return new LayerClass(config);
}
