/**
 * Dense: y = activation(x W + b). Forward and backward are one native call each
 * (native/kernels/dense.cc): GEMM with bias and activation fused into its epilogue; then
 * activation derivative, dW, db and dX.
 */
import { activationCode, parseActivation, type ActivationName } from '../activations';
import { ActivationCode, native } from '../backend';
import { ShapeError } from '../errors';
import { getInitializer, type Initializer, type InitializerName } from '../initializers';
import { boolean, describe, knownOptions, plainObject, positiveInteger } from '../validate';
import { Layer, uniqueLayerName, type ParamSpec } from './layer';

export interface DenseConfig {
  units: number;
  activation?: ActivationName;
  /** Features per sample, for the first layer of a model: [features]. */
  inputShape?: readonly number[];
  useBias?: boolean;
  kernelInitializer?: InitializerName | Initializer;
  biasInitializer?: InitializerName | Initializer;
  name?: string;
}

const denseOptions = ['units', 'activation', 'inputShape', 'useBias', 'kernelInitializer', 'biasInitializer', 'name'];

/** Reads inputShape: [features] (a Dense input is one vector per sample). */
export function parseInputShape(value: unknown, argument: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length !== 1) {
    throw new ShapeError({ argument, expected: 'a shape [features] of one positive integer', received: describe(value) });
  }
  return positiveInteger(value[0], `${argument}[0]`);
}

export class Dense extends Layer {
  readonly className = 'Dense';
  readonly units: number;
  readonly activation: ActivationName;
  readonly useBias: boolean;
  readonly kernelInitializer: Initializer;
  readonly biasInitializer: Initializer;
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
      options['name'] === undefined ? uniqueLayerName('dense') : String(options['name']),
      parseInputShape(options['inputShape'], 'inputShape'),
    );
    this.units = positiveInteger(options['units'], 'units');
    this.activation = parseActivation(options['activation'], 'activation');
    this.useBias = options['useBias'] === undefined ? true : boolean(options['useBias'], 'useBias');
    this.kernelInitializer = getInitializer(options['kernelInitializer'] ?? 'glorotUniform', 'kernelInitializer');
    this.biasInitializer = getInitializer(options['biasInitializer'] ?? 'zeros', 'biasInitializer');
  }

  protected computeOutputUnits(): number {
    return this.units;
  }

  protected paramSpecs(): ParamSpec[] {
    const k = this.inputUnits;
    const m = this.units;
    const specs: ParamSpec[] = [{ name: 'kernel', shape: [k, m], initializer: this.kernelInitializer, fanIn: k, fanOut: m }];
    if (this.useBias) specs.push({ name: 'bias', shape: [m], initializer: this.biasInitializer, fanIn: k, fanOut: m });
    return specs;
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

  forward(x: Float32Array, y: Float32Array, n: number): void {
    native.denseForward(y, x, this.kernel, this.bias, n, this.inputUnits, this.units, this.appliedActivation);
  }

  backward(dy: Float32Array, dx: Float32Array | null, x: Float32Array, y: Float32Array, n: number): void {
    native.denseBackward(dx, this.kernelGrad, this.biasGrad, dy, x, this.kernel, y, n, this.inputUnits, this.units, this.appliedActivation);
  }

  getConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      name: this.name,
      units: this.units,
      activation: this.activation,
      useBias: this.useBias,
      kernelInitializer: this.kernelInitializer.className,
      biasInitializer: this.biasInitializer.className,
    };
    if (this.declaredInputUnits !== undefined) config['inputShape'] = [this.declaredInputUnits];
    return config;
  }
}

export function dense(config: DenseConfig): Dense {
  return new Dense(config);
}
