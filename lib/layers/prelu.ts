/**
 * PReLU (He et al. 2015, arXiv:1502.01852; tf.layers.prelu): y = x > 0 ? x : alpha_j x with one
 * learnable slope per unit, initialized to zeros as TensorFlow.js does (so the layer starts as a
 * relu). Forward and backward are native (native/kernels/parametric_activations.cc); the slope
 * gradient is sum over the batch of dy * x where x < 0.
 */
import { getInitializer, type Initializer, type InitializerName } from '../initializers';
import { knownOptions, plainObject } from '../validate';
import { parseInputShape } from './dense';
import { Layer, serializedInitializer, layerName, type ParamSpec } from './layer';
import type { Kernels } from '../core/kernels';

export interface PReLUConfig {
  alphaInitializer?: InitializerName | Initializer;
  /** Features per sample, for the first layer of a model: [features]. */
  inputShape?: readonly number[];
  name?: string;
  /** Whether training updates the layer's weights (default true); see Layer#trainable. */
  trainable?: boolean;
}

export class PReLU extends Layer {
  readonly className = 'PReLU';
  readonly alphaInitializer: Initializer;
  private alpha: Float32Array = new Float32Array(0);
  private alphaGrad: Float32Array = new Float32Array(0);

  constructor(config: PReLUConfig = {}) {
    const options = plainObject(config, 'prelu config');
    knownOptions(options, 'prelu config', ['alphaInitializer', 'inputShape', 'name', 'trainable']);
    super(layerName(options['name'], 'p_re_lu'), parseInputShape(options['inputShape'], 'inputShape'), options['trainable']);
    this.alphaInitializer = getInitializer(options['alphaInitializer'] ?? 'zeros', 'alphaInitializer');
  }

  protected computeOutputUnits(inputUnits: number): number {
    return inputUnits;
  }

  protected paramSpecs(): ParamSpec[] {
    const m = this.inputUnits;
    return [{ name: 'alpha', shape: [m], initializer: this.alphaInitializer, fanIn: m, fanOut: m }];
  }

  bindParams(params: Float32Array[], grads: Float32Array[]): void {
    this.alpha = params[0] as Float32Array;
    this.alphaGrad = grads[0] as Float32Array;
  }

  forward<S extends number>(k: Kernels<S>, x: Float32Array, y: Float32Array, n: number): void {
    k.preluForward(y, x, this.alpha, n, this.inputUnits);
  }

  backward<S extends number>(k: Kernels<S>, dy: Float32Array, dx: Float32Array | null, x: Float32Array, _y: Float32Array, n: number): void {
    if (!this.trainable && dx === null) return; // a frozen first layer: no gradient to give
    k.preluBackward(dx, this.trainable ? this.alphaGrad : null, dy, x, this.alpha, n, this.inputUnits);
  }

  protected layerConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name, alphaInitializer: serializedInitializer(this.alphaInitializer) };
    if (this.declaredInputUnits !== undefined) config['inputShape'] = [this.declaredInputUnits];
    return config;
  }
}

export function prelu(config: PReLUConfig = {}): PReLU {
  return new PReLU(config);
}
