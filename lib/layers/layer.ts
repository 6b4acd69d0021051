/**
 * What every layer is: validated config in the constructor, build(inputUnits) to learn its
 * shapes and declare its parameters, bindParams() to receive its views of the model's parameter
 * and gradient arenas, then forward/backward over batch buffers the model owns and reuses.
 * Samples are rows: x is (n, inputUnits), y is (n, outputUnits).
 */
import { BoundedCache } from '../bounded-cache';
import type { Constraint } from '../constraints';
import { ArgumentTypeError } from '../errors';
import type { Initializer } from '../initializers';
import type { Regularizer } from '../regularizers';
import { describe } from '../validate';
import type { WeightDomain } from './weight-domain';

/** A parameter tensor a layer asks the model to place in the arena. */
export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly initializer: Initializer;
  /** Fan-in and fan-out of the weight matrix, for variance-scaling initializers. */
  readonly fanIn: number;
  readonly fanOut: number;
  /**
   * False for state that training sets without gradients (a moving mean): it is kept outside
   * the arena the optimizer updates. Default true.
   */
  readonly trainable?: boolean;
  /** A penalty on the values, added to the loss with its gradient (kernelRegularizer, ...). */
  readonly regularizer?: Regularizer | null;
  /** A projection applied to the values after each optimizer step (kernelConstraint, ...). */
  readonly constraint?: Constraint | null;
  /** The values the tensor may hold beyond finite ones (a variance: 'nonNegative'); see weight-domain.ts. */
  readonly domain?: WeightDomain;
}

/** The serialized form of an initializer, regularizer or constraint, as the get* resolvers read it back. */
export function serialized(rule: { readonly className: string; getConfig(): Record<string, unknown> }): { className: string; config: Record<string, unknown> } {
  return { className: rule.className, config: rule.getConfig() };
}

/** An initializer as a layer's config holds it: its name when it has no options ('zeros'), else serialized. */
export function serializedInitializer(initializer: Initializer): string | { className: string; config: Record<string, unknown> } {
  const config = initializer.getConfig();
  return Object.keys(config).length === 0 ? initializer.className : { className: initializer.className, config };
}

const nameCounters = new Map<string, number>();

/** A fresh name in TensorFlow.js's manner: dense_1, dense_2, ... */
function uniqueLayerName(prefix: string): string {
  const next = (nameCounters.get(prefix) ?? 0) + 1;
  nameCounters.set(prefix, next);
  return `${prefix}_${next}`;
}

/** The `name` option of a layer config: a non-empty string, or a fresh `prefix_N` when absent. */
export function layerName(value: unknown, prefix: string): string {
  if (value === undefined) return uniqueLayerName(prefix);
  if (typeof value !== 'string' || value.length === 0) {
    throw new ArgumentTypeError({ argument: 'name', expected: 'a non-empty string', received: describe(value) });
  }
  return value;
}

export abstract class Layer {
  abstract readonly className: string;
  readonly name: string;
  /** Features per sample, from the inputShape option; only the first layer needs it. */
  readonly declaredInputUnits: number | undefined;
  inputUnits = 0;
  outputUnits = 0;
  built = false;
  /**
   * A penalty on this layer's outputs, divided by the batch size as Keras does; the model adds it
   * to the loss and its gradient to the gradient flowing into the layer.
   */
  activityRegularizer: Regularizer | null = null;
  /** Buffers a layer keeps between calls, by name and length; see scratch(). */
  private readonly scratchBuffers = new BoundedCache<string, Float32Array>(8);

  protected constructor(name: string, declaredInputUnits: number | undefined) {
    this.name = name;
    this.declaredInputUnits = declaredInputUnits;
  }

  /** Learns the input width and returns the parameters this layer needs. */
  build(inputUnits: number): ParamSpec[] {
    this.inputUnits = inputUnits;
    this.outputUnits = this.computeOutputUnits(inputUnits);
    this.built = true;
    return this.paramSpecs();
  }

  protected abstract computeOutputUnits(inputUnits: number): number;
  protected abstract paramSpecs(): ParamSpec[];

  /**
   * A zeroed-on-creation buffer of `length` floats, kept by the layer for reuse: one per name and
   * length, so a training step allocates nothing once its batch sizes have been seen (an epoch
   * has at most two: the full batch and the last). Contents persist between calls, so a forward
   * can leave a mask here for its backward.
   */
  protected scratch(name: string, length: number): Float32Array {
    return this.scratchBuffers.get(`${name}:${length}`, () => new Float32Array(length));
  }

  /**
   * Views of the arenas, in the order of paramSpecs(). A parameter that is not trainable gets
   * a view of the model's state array and an empty gradient.
   */
  abstract bindParams(params: Float32Array[], grads: Float32Array[]): void;

  /** y = layer(x) for a batch of n rows. */
  abstract forward(x: Float32Array, y: Float32Array, n: number, training: boolean): void;

  /**
   * Overwrites this layer's parameter gradients and, unless dx is null, writes dL/dx.
   * dy (dL/dy) may be overwritten: it is the model's scratch. x and y are the forward's.
   */
  abstract backward(dy: Float32Array, dx: Float32Array | null, x: Float32Array, y: Float32Array, n: number): void;

  /** Everything needed to rebuild the layer, in TensorFlow.js's config style. */
  abstract getConfig(): Record<string, unknown>;

  paramCount(): number {
    const { trainable, nonTrainable } = this.paramCounts();
    return trainable + nonTrainable;
  }

  /** Parameters split as the arena splits them: trainable, and state (a moving mean). */
  paramCounts(): { trainable: number; nonTrainable: number } {
    const counts = { trainable: 0, nonTrainable: 0 };
    for (const spec of this.paramSpecs()) counts[spec.trainable === false ? 'nonTrainable' : 'trainable'] += spec.shape.reduce((a, b) => a * b, 1);
    return counts;
  }
}

/** A layer with no parameters whose output has its input's shape (activations, dropout, noise). */
export abstract class ParameterlessLayer extends Layer {
  protected computeOutputUnits(inputUnits: number): number {
    return inputUnits;
  }

  protected paramSpecs(): ParamSpec[] {
    return [];
  }

  bindParams(): void {}
}
