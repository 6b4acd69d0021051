/**
 * Dense: y = activation(x W + b). Forward and backward are one native call each
 * (native/kernels/dense.cc): GEMM with bias and activation fused into its epilogue; then
 * activation derivative, dW, db and dX. Regularizers and constraints ride on the ParamSpecs and
 * the model applies them over the arena; dropConnect (Wan et al. 2013) masks the kernel while
 * training, as dropout masks units.
 */
import { activationCode, activationNeedsInput, defaultAlpha, parseActivation, type ActivationName } from '../activations';
import { ActivationCode } from '../backend';
import { ArgumentRangeError, ShapeError } from '../errors';
import { getConstraint, type Constraint, type ConstraintName } from '../constraints';
import { getInitializer, type Initializer, type InitializerName } from '../initializers';
import { fillDropoutMask } from '../random';
import { getRegularizer, type Regularizer, type RegularizerName } from '../regularizers';
import { sizeOption } from '../limits';
import { boolean, describe, float32In, knownOptions, plainObject } from '../validate';
import { Layer, serialized, serializedInitializer, layerName, type LayerOwner, type ParamSpec } from './layer';
import type { Kernels } from '../core/kernels';

export interface DenseConfig {
  units: number;
  activation?: ActivationName;
  /** Features per sample, for the first layer of a model: [features]. */
  inputShape?: readonly number[];
  useBias?: boolean;
  kernelInitializer?: InitializerName | Initializer;
  biasInitializer?: InitializerName | Initializer;
  /** Penalties on the kernel, the bias, and the layer's output (divided by the batch size). */
  kernelRegularizer?: RegularizerName | Regularizer;
  biasRegularizer?: RegularizerName | Regularizer;
  activityRegularizer?: RegularizerName | Regularizer;
  /** Projections applied after each optimizer step, e.g. constraints.maxNorm({ maxValue: 3 }). */
  kernelConstraint?: ConstraintName | Constraint;
  biasConstraint?: ConstraintName | Constraint;
  /** Fraction of the kernel's weights dropped (and the rest scaled up) in each training step, in [0, 1). */
  dropConnect?: number;
  name?: string;
  /** Whether training updates the layer's weights (default true); see Layer#trainable. */
  trainable?: boolean;
}

const denseOptions = [
  'units', 'activation', 'inputShape', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'biasRegularizer',
  'activityRegularizer', 'kernelConstraint', 'biasConstraint', 'dropConnect', 'name', 'trainable',
];

/** Reads inputShape: [features] (a Dense input is one vector per sample). */
export function parseInputShape(value: unknown, argument: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length !== 1) {
    throw new ShapeError({ argument, expected: 'a shape [features] of one positive integer', received: describe(value) });
  }
  return sizeOption(value[0], `${argument}[0]`);
}

export class Dense extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
  readonly kernelRegularizer: Regularizer | null;
  readonly biasRegularizer: Regularizer | null;
  readonly kernelConstraint: Constraint | null;
  readonly biasConstraint: Constraint | null;
  readonly dropConnect: number;
  /**
   * Whether the last forward masked the kernel (training with dropConnect): its backward then reads
   * the masked kernel and the mask, kept in scratch per node.
   */
  private kernelDropped = false;
  /**
   * Set by the model when its loss takes this layer's activation into a fused kernel (softmax
   * with cross-entropy, sigmoid with binary cross-entropy): the layer then emits logits.
   */
  fusedIntoLoss = false;
  private kernel: Float32Array = new Float32Array(0);
  private bias: Float32Array | null = null;
  private kernelGrad: Float32Array = new Float32Array(0);
  private biasGrad: Float32Array | null = null;

  constructor(config: DenseConfig) {
    const options = plainObject(config, 'dense config');
    knownOptions(options, 'dense config', denseOptions);
    super(
      layerName(options['name'], 'dense'),
      parseInputShape(options['inputShape'], 'inputShape'),
      options['trainable'],
    );
    this.units = sizeOption(options['units'], 'units');
    this.activation = parseActivation(options['activation'], 'activation');
    this.useBias = options['useBias'] === undefined ? true : boolean(options['useBias'], 'useBias');
    this.kernelInitializer = getInitializer(options['kernelInitializer'] ?? 'glorotUniform', 'kernelInitializer');
    this.biasInitializer = getInitializer(options['biasInitializer'] ?? 'zeros', 'biasInitializer');
    this.kernelRegularizer = getRegularizer(options['kernelRegularizer'], 'kernelRegularizer');
    this.biasRegularizer = getRegularizer(options['biasRegularizer'], 'biasRegularizer');
    this.activityRegularizer = getRegularizer(options['activityRegularizer'], 'activityRegularizer');
    this.kernelConstraint = getConstraint(options['kernelConstraint'], 'kernelConstraint');
    this.biasConstraint = getConstraint(options['biasConstraint'], 'biasConstraint');
    this.dropConnect = float32In(options['dropConnect'] ?? 0, 'dropConnect', { min: 0, max: 1, maxInclusive: false });
    if (!this.useBias && (options['biasRegularizer'] !== undefined || options['biasConstraint'] !== undefined)) {
      throw new ArgumentRangeError({ argument: options['biasRegularizer'] !== undefined ? 'biasRegularizer' : 'biasConstraint', expected: 'no bias option on a Dense with useBias: false', received: 'one' });
    }
  }

  protected computeOutputUnits(): number {
    return this.units;
  }

  protected paramSpecs(): ParamSpec[] {
    const k = this.inputUnits;
    const m = this.units;
    const specs: ParamSpec[] = [{ name: 'kernel', shape: [k, m], initializer: this.kernelInitializer, fanIn: k, fanOut: m, regularizer: this.kernelRegularizer, constraint: this.kernelConstraint }];
    if (this.useBias) specs.push({ name: 'bias', shape: [m], initializer: this.biasInitializer, fanIn: k, fanOut: m, regularizer: this.biasRegularizer, constraint: this.biasConstraint });
    return specs;
  }

  /**
   * A layer that changes hands (a model nested in a larger one gives its layers to it) emits its
   * activation again until its new model compiles a loss that takes it: the old model's fusion
   * would leave logits where the new graph reads the activation. @internal
   */
  override attach(owner: LayerOwner): void {
    super.attach(owner);
    this.fusedIntoLoss = false;
  }

  bindParams(params: Float32Array[], grads: Float32Array[]): void {
    this.kernel = params[0] as Float32Array;
    this.kernelGrad = grads[0] as Float32Array;
    this.bias = this.useBias ? (params[1] as Float32Array) : null;
    this.biasGrad = this.useBias ? (grads[1] as Float32Array) : null;
  }

  /** The activation the kernels apply: linear when the loss applies it instead. */
  private get appliedActivation(): ActivationCode {
    return this.fusedIntoLoss ? ActivationCode.linear : activationCode(this.activation);
  }

  forward<S extends number>(k: Kernels<S>, x: Float32Array, y: Float32Array, n: number, training: boolean): void {
    this.kernelDropped = training && this.dropConnect > 0;
    const kernel = this.kernelDropped ? this.dropKernel(k) : this.kernel;
    k.denseForward(y, training ? this.preActivation(n) : null, x, kernel, this.bias, n, this.inputUnits, this.units, this.appliedActivation, defaultAlpha(this.activation));
  }

  backward<S extends number>(k: Kernels<S>, dy: Float32Array, dx: Float32Array | null, x: Float32Array, y: Float32Array, n: number): void {
    if (!this.trainable && dx === null) return; // a frozen first layer: no gradient to give
    // The masked kernel of this node's forward (scratch is per node): a layer applied at several
    // nodes masks its kernel anew at each.
    const kernel = this.kernelDropped ? this.scratch('droppedKernel', this.kernel.length) : this.kernel;
    const [dw, db] = this.trainable ? [this.kernelGrad, this.biasGrad] : [null, null];
    k.denseBackward(dx, dw, db, dy, x, kernel, this.preActivation(n), y, n, this.inputUnits, this.units, this.appliedActivation, defaultAlpha(this.activation));
    // dL/dW = dL/dW' * mask, where W' = W * mask is the kernel the forward used.
    if (this.kernelDropped && dw !== null) k.multiplyElementwise(dw, dw, this.scratch('dropConnectMask', this.kernel.length));
  }

  /** A fresh mask (0, or 1 / (1 - rate)) and the kernel it keeps, both in scratch. */
  private dropKernel<S extends number>(k: Kernels<S>): Float32Array {
    const mask = this.scratch('dropConnectMask', this.kernel.length);
    fillDropoutMask(mask, this.dropConnect, k);
    const dropped = this.scratch('droppedKernel', this.kernel.length);
    k.multiplyElementwise(dropped, this.kernel, mask);
    return dropped;
  }

  /** x W + b, kept from forward to backward for an activation whose derivative reads it; else null. */
  private preActivation(n: number): Float32Array | null {
    return !this.fusedIntoLoss && activationNeedsInput(this.activation) ? this.scratch('z', n * this.units) : null;
  }

  protected layerConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      name: this.name,
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: serializedInitializer(this.kernelInitializer),
      biasInitializer: serializedInitializer(this.biasInitializer),
    };
    const rules = { kernelRegularizer: this.kernelRegularizer, biasRegularizer: this.biasRegularizer, activityRegularizer: this.activityRegularizer, kernelConstraint: this.kernelConstraint, biasConstraint: this.biasConstraint };
    for (const [key, rule] of Object.entries(rules)) if (rule !== null) config[key] = serialized(rule);
    if (this.dropConnect > 0) config['dropConnect'] = this.dropConnect;
    if (this.declaredInputUnits !== undefined) config['inputShape'] = [this.declaredInputUnits];
    return config;
  }
}

export function dense(config: DenseConfig): Dense {
  return new Dense(config);
}
