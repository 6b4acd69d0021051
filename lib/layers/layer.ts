/**
 * What every layer is: validated config in the constructor, build(inputUnits) to learn its
 * shapes and declare its parameters, bindParams() to receive its views of the model's parameter
 * and gradient arenas, then forward/backward over batch buffers the model owns and reuses.
 * Samples are rows: x is (n, inputUnits), y is (n, outputUnits).
 */
import { BoundedCache } from '../bounded-cache';
import type { Constraint } from '../constraints';
import { ArgumentRangeError, ArgumentTypeError, ModelStateError, ShapeError } from '../errors';
import type { Initializer } from '../initializers';
import type { Regularizer } from '../regularizers';
import type { Tensor, TensorLike } from '../tensor';
import { boolean, describe } from '../validate';
import type { WeightDomain } from './weight-domain';
import type { Kernels } from '../core/kernels';
import { SymbolicTensor } from './symbolic';

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
  /** The width of each input: one for every layer but the merge layers. */
  inputWidths: readonly number[] = [];
  built = false;
  /**
   * A penalty on this layer's outputs, divided by the batch size as Keras does; the model adds it
   * to the loss and its gradient to the gradient flowing into the layer.
   */
  activityRegularizer: Regularizer | null = null;
  /** Buffers a layer keeps between calls, by name and length; see scratch(). */
  private readonly scratchBuffers = new BoundedCache<string, Float32Array>(16);
  /** The graph node the layer's next forward or backward runs at: a shared layer keeps its scratch per node. */
  private node = 0;
  /** Its outputs in symbolic graphs, one per apply(). */
  private readonly applications: SymbolicTensor[] = [];
  private isTrainable = true;
  /** The model the layer is in, once added: it holds the layer's weights. */
  private owner: LayerOwner | null = null;

  protected constructor(name: string, declaredInputUnits: number | undefined, trainable: unknown = true) {
    this.name = name;
    this.declaredInputUnits = declaredInputUnits;
    this.isTrainable = boolean(trainable, 'trainable');
  }

  /**
   * Whether training updates this layer's weights (default true). A frozen layer gets no update,
   * its weights join the model's state, and a BatchNormalization keeps its statistics as they
   * are, as in Keras; setting it on a compiled model makes its training plans anew.
   */
  get trainable(): boolean {
    return this.isTrainable;
  }

  set trainable(value: boolean) {
    const trainable = boolean(value, 'trainable');
    if (trainable === this.isTrainable) return;
    this.owner?.trainableChanging(this);
    this.isTrainable = trainable;
    this.owner?.trainableChanged(this);
  }

  /** Learns the input width and returns the weights this layer needs. */
  build(inputUnits: number): ParamSpec[] {
    this.inputUnits = inputUnits;
    this.inputWidths = [inputUnits];
    this.outputUnits = this.computeOutputUnits(inputUnits);
    this.built = true;
    return this.weightSpecs();
  }

  /**
   * Learns the widths of the inputs a graph gives it (one, but for a merge layer) and returns the
   * weights this layer needs. @internal
   */
  buildInputs(widths: readonly number[]): ParamSpec[] {
    if (widths.length !== 1) throw new ArgumentTypeError({ argument: `inputs of '${this.name}'`, expected: `one tensor (${this.className} is not a merge layer)`, received: `${widths.length} tensors` });
    return this.build(widths[0] as number);
  }

  /**
   * Wires the layer into a symbolic graph: its output for `inputs` (a tensor from input() or
   * another layer's apply(); a list for a merge layer). The first apply builds the layer; each
   * later one shares its weights and must give inputs of the same widths.
   */
  apply(inputs: SymbolicTensor | readonly SymbolicTensor[]): SymbolicTensor {
    // Array.from: a hole in the list is refused by name, not skipped.
    const list = Array.isArray(inputs) ? Array.from(inputs as readonly SymbolicTensor[]) : [inputs as SymbolicTensor];
    list.forEach((t, i) => {
      if (!(t instanceof SymbolicTensor)) {
        throw new ArgumentTypeError({ argument: Array.isArray(inputs) ? `inputs[${i}]` : 'inputs', expected: `a symbolic tensor (from input({ shape }) or another layer's apply()) for '${this.name}'`, received: describe(t) });
      }
    });
    if (list.length === 0) throw new ArgumentTypeError({ argument: 'inputs', expected: `at least one symbolic tensor for '${this.name}'`, received: 'an empty array' });
    if (new Set(list).size !== list.length) throw new ArgumentRangeError({ argument: 'inputs', expected: `distinct tensors for '${this.name}'`, received: 'one tensor given twice' });
    const widths = list.map((t) => t.units);
    if (!this.built) {
      if (this.declaredInputUnits !== undefined && (widths.length !== 1 || widths[0] !== this.declaredInputUnits)) {
        throw new ShapeError({ argument: `inputs of '${this.name}'`, expected: `[null, ${this.declaredInputUnits}], its inputShape`, received: widths.map((u) => `[null, ${u}]`).join(' and ') });
      }
      this.buildInputs(widths);
    } else if (widths.length !== this.inputWidths.length || widths.some((u, i) => u !== this.inputWidths[i])) {
      throw new ShapeError({ argument: `inputs of '${this.name}'`, expected: `${this.inputWidths.map((u) => `[null, ${u}]`).join(' and ')}, as it was first applied to (a shared layer takes inputs of the same shapes)`, received: widths.map((u) => `[null, ${u}]`).join(' and ') });
    }
    const output = new SymbolicTensor(this.outputUnits, this, list, this.applications.length);
    this.applications.push(output);
    return output;
  }

  /** The layer's output in its symbolic graph; refused for a layer applied several times (see applied()). */
  get output(): SymbolicTensor {
    if (this.applications.length !== 1) {
      throw new ModelStateError(`'${this.name}'.output: the layer has been applied ${this.applications.length} times, so it has ${this.applications.length === 0 ? 'no output yet: apply it to a tensor first' : 'several outputs: keep the one apply() returned'}.`);
    }
    return this.applications[0] as SymbolicTensor;
  }

  /** The layer's outputs in symbolic graphs, one per apply(), in order. */
  get applied(): readonly SymbolicTensor[] {
    return this.applications;
  }

  /** Which graph node the next forward or backward runs at. @internal */
  atNode(index: number): void {
    this.node = index;
  }

  /** Whether dL/d input i is dL/d output unchanged, so the graph may hand the output's gradient over rather than copy it. @internal */
  passesGradient(_input: number): boolean {
    return false;
  }

  /** forward over a node's inputs: the one input, but for a merge layer. @internal */
  forwardInputs<S extends number>(k: Kernels<S>, xs: readonly Float32Array[], y: Float32Array, n: number, training: boolean): void {
    this.forward(k, xs[0] as Float32Array, y, n, training);
  }

  /** backward over a node's inputs: dxs[i] is where dL/d xs[i] goes, or null when none is needed. @internal */
  backwardInputs<S extends number>(k: Kernels<S>, dy: Float32Array, dxs: readonly (Float32Array | null)[], xs: readonly Float32Array[], y: Float32Array, n: number): void {
    this.backward(k, dy, dxs[0] ?? null, xs[0] as Float32Array, y, n);
  }

  /** The weights, as the model lays them out: while the layer is frozen, none is trainable. @internal */
  weightSpecs(): ParamSpec[] {
    const specs = this.paramSpecs();
    return this.isTrainable ? specs : specs.map((spec) => ({ ...spec, trainable: false }));
  }

  /** The model that holds this layer's weights from now on. @internal */
  attach(owner: LayerOwner): void {
    this.owner = owner;
  }

  /** The model that holds the layer's weights, or null. @internal */
  get holder(): LayerOwner | null {
    return this.owner;
  }

  /** The layer left its model (model.pop()). @internal */
  detach(): void {
    this.owner = null;
  }

  /** Copies of the layer's weights, in its order (Dense: kernel, bias), as Keras's get_weights(). */
  getWeights(): Tensor[] {
    return this.requireOwner('getWeights()').layerWeights(this);
  }

  /** Overwrites the layer's weights, in the order and shapes of getWeights(); checks all before writing any. */
  setWeights(weights: readonly TensorLike[]): void {
    this.requireOwner('setWeights()').setLayerWeights(this, weights);
  }

  /** The number of values in the layer's weights, trainable or not; known once the layer is built (in a model). */
  countParams(): number {
    if (!this.built) throw new ModelStateError(`countParams(): '${this.name}' is not built: its weights' shapes depend on its input, known once it is in a model.`);
    return this.paramCount();
  }

  private requireOwner(call: string): LayerOwner {
    if (this.owner === null) throw new ModelStateError(`${call}: '${this.name}' has no weights until it is in a model (sequential([...]) or model.add(layer)).`);
    return this.owner;
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
    return this.scratchBuffers.get(`${this.node}:${name}:${length}`, () => new Float32Array(length));
  }

  /**
   * Views of the arenas, in the order of paramSpecs(). A parameter that is not trainable gets
   * a view of the model's state array and an empty gradient.
   */
  abstract bindParams(params: Float32Array[], grads: Float32Array[]): void;

  /** y = layer(x) for a batch of n rows. */
  abstract forward<S extends number>(k: Kernels<S>, x: Float32Array, y: Float32Array, n: number, training: boolean): void;

  /**
   * Overwrites this layer's parameter gradients and, unless dx is null, writes dL/dx.
   * dy (dL/dy) may be overwritten: it is the model's scratch. x and y are the forward's.
   */
  abstract backward<S extends number>(k: Kernels<S>, dy: Float32Array, dx: Float32Array | null, x: Float32Array, y: Float32Array, n: number): void;

  /** Everything needed to rebuild the layer, in TensorFlow.js's config style; trainable: false when frozen. */
  getConfig(): Record<string, unknown> {
    const config = this.layerConfig();
    if (!this.isTrainable) config['trainable'] = false;
    return config;
  }

  /** The layer's own options, for getConfig(). */
  protected abstract layerConfig(): Record<string, unknown>;

  paramCount(): number {
    const { trainable, nonTrainable } = this.paramCounts();
    return trainable + nonTrainable;
  }

  /** Parameters split as the arena splits them: trainable, and state (a moving mean, and every weight of a frozen layer). */
  paramCounts(): { trainable: number; nonTrainable: number } {
    const counts = { trainable: 0, nonTrainable: 0 };
    for (const spec of this.weightSpecs()) counts[spec.trainable === false ? 'nonTrainable' : 'trainable'] += spec.shape.reduce((a, b) => a * b, 1);
    return counts;
  }
}

/** What a layer asks of the model it is in. @internal */
export interface LayerOwner {
  /** Refuses (throws) a change of `layer`'s trainable flag that cannot happen now. */
  trainableChanging(layer: Layer): void;
  /** After the change: the layer's weights move between the parameter arena and the state array. */
  trainableChanged(layer: Layer): void;
  layerWeights(layer: Layer): Tensor[];
  setLayerWeights(layer: Layer, weights: readonly TensorLike[]): void;
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
