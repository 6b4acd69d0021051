/**
 * BatchNormalization over the feature axis (Ioffe & Szegedy 2015; Keras / TensorFlow.js names and
 * defaults). Training normalizes with the batch mean and biased variance and moves the moving
 * statistics toward them; inference uses the moving statistics. Both directions are one native
 * call (native/kernels/batch_norm.cc); the training forward leaves the normalized values and
 * 1 / sqrt(var + epsilon) in scratch for the backward.
 */
import { getInitializer, type Initializer, type InitializerName } from '../initializers';
import { boolean, float32In, knownOptions, plainObject } from '../validate';
import { parseInputShape } from './dense';
import { Layer, serializedInitializer, layerName, type ParamSpec } from './layer';
import type { Kernels } from '../core/kernels';

export interface BatchNormalizationConfig {
  /** Weight of the old moving statistics in each update, in [0, 1] (default 0.99). */
  momentum?: number;
  /** Added to the variance inside the square root, > 0 (default 1e-3). */
  epsilon?: number;
  /** Whether to add the learned offset beta (default true). */
  center?: boolean;
  /** Whether to multiply by the learned scale gamma (default true). */
  scale?: boolean;
  betaInitializer?: InitializerName | Initializer;
  gammaInitializer?: InitializerName | Initializer;
  movingMeanInitializer?: InitializerName | Initializer;
  movingVarianceInitializer?: InitializerName | Initializer;
  /** Features per sample, for the first layer of a model: [features]. */
  inputShape?: readonly number[];
  name?: string;
  /** Whether training updates the layer's weights (default true); see Layer#trainable. */
  trainable?: boolean;
}

const batchNormalizationOptions = [
  'momentum', 'epsilon', 'center', 'scale', 'betaInitializer', 'gammaInitializer',
  'movingMeanInitializer', 'movingVarianceInitializer', 'inputShape', 'name', 'trainable',
];

export class BatchNormalization extends Layer {
  readonly className = 'BatchNormalization';
  readonly momentum: number;
  readonly epsilon: number;
  readonly center: boolean;
  readonly scale: boolean;
  readonly betaInitializer: Initializer;
  readonly gammaInitializer: Initializer;
  readonly movingMeanInitializer: Initializer;
  readonly movingVarianceInitializer: Initializer;
  private gamma: Float32Array | null = null;
  private beta: Float32Array | null = null;
  private gammaGrad: Float32Array | null = null;
  private betaGrad: Float32Array | null = null;
  private movingMean: Float32Array = new Float32Array(0);
  private movingVariance: Float32Array = new Float32Array(0);

  constructor(config: BatchNormalizationConfig = {}) {
    const options = plainObject(config, 'batchNormalization config');
    knownOptions(options, 'batchNormalization config', batchNormalizationOptions);
    super(
      layerName(options['name'], 'batch_normalization'),
      parseInputShape(options['inputShape'], 'inputShape'),
      options['trainable'],
    );
    this.momentum = float32In(options['momentum'] ?? 0.99, 'momentum', { min: 0, max: 1 });
    this.epsilon = float32In(options['epsilon'] ?? 1e-3, 'epsilon', { min: 0, max: Infinity, minInclusive: false });
    this.center = options['center'] === undefined ? true : boolean(options['center'], 'center');
    this.scale = options['scale'] === undefined ? true : boolean(options['scale'], 'scale');
    this.betaInitializer = getInitializer(options['betaInitializer'] ?? 'zeros', 'betaInitializer');
    this.gammaInitializer = getInitializer(options['gammaInitializer'] ?? 'ones', 'gammaInitializer');
    this.movingMeanInitializer = getInitializer(options['movingMeanInitializer'] ?? 'zeros', 'movingMeanInitializer');
    this.movingVarianceInitializer = getInitializer(options['movingVarianceInitializer'] ?? 'ones', 'movingVarianceInitializer');
  }

  protected computeOutputUnits(inputUnits: number): number {
    return inputUnits;
  }

  /** gamma, beta (trainable, when scale / center), movingMean, movingVariance (state). */
  protected paramSpecs(): ParamSpec[] {
    const u = this.inputUnits;
    const spec = (name: string, initializer: Initializer, trainable: boolean): ParamSpec => ({ name, shape: [u], initializer, fanIn: u, fanOut: u, trainable });
    const specs: ParamSpec[] = [];
    if (this.scale) specs.push(spec('gamma', this.gammaInitializer, true));
    if (this.center) specs.push(spec('beta', this.betaInitializer, true));
    specs.push(spec('movingMean', this.movingMeanInitializer, false), { ...spec('movingVariance', this.movingVarianceInitializer, false), domain: 'nonNegative' });
    return specs;
  }

  bindParams(params: Float32Array[], grads: Float32Array[]): void {
    let i = 0;
    if (this.scale) {
      this.gamma = params[i] as Float32Array;
      this.gammaGrad = grads[i++] as Float32Array;
    }
    if (this.center) {
      this.beta = params[i] as Float32Array;
      this.betaGrad = grads[i++] as Float32Array;
    }
    this.movingMean = params[i++] as Float32Array;
    this.movingVariance = params[i] as Float32Array;
  }

  forward<S extends number>(k: Kernels<S>, x: Float32Array, y: Float32Array, n: number, training: boolean): void {
    const u = this.inputUnits;
    // A frozen layer trains in inference mode, its statistics left as they are (as in Keras).
    if (training && this.trainable) {
      k.batchNormForwardTrain(
        y, this.scratch('xhat', n * u), this.scratch('invStd', u), this.movingMean, this.movingVariance,
        x, this.gamma, this.beta, this.momentum, this.epsilon, n, u,
      );
    } else {
      k.batchNormForwardInfer(y, x, this.gamma, this.beta, this.movingMean, this.movingVariance, this.epsilon, n, u);
    }
  }

  /**
   * Through the batch statistics of the last training forward (whose xhat and invStd are in
   * scratch); frozen, through the inference transform, with no gradient for gamma and beta.
   */
  backward<S extends number>(k: Kernels<S>, dy: Float32Array, dx: Float32Array | null, _x: Float32Array, _y: Float32Array, n: number): void {
    const u = this.inputUnits;
    if (!this.trainable) {
      if (dx !== null) k.batchNormBackwardInfer(dx, dy, this.gamma, this.movingVariance, this.epsilon, n, u);
      return;
    }
    k.batchNormBackward(dx, this.gammaGrad, this.betaGrad, dy, this.scratch('xhat', n * u), this.scratch('invStd', u), this.gamma, n, u);
  }

  protected layerConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = {
      name: this.name,
      momentum: this.momentum,
      epsilon: this.epsilon,
      center: this.center,
      scale: this.scale,
      betaInitializer: serializedInitializer(this.betaInitializer),
      gammaInitializer: serializedInitializer(this.gammaInitializer),
      movingMeanInitializer: serializedInitializer(this.movingMeanInitializer),
      movingVarianceInitializer: serializedInitializer(this.movingVarianceInitializer),
    };
    if (this.declaredInputUnits !== undefined) config['inputShape'] = [this.declaredInputUnits];
    return config;
  }
}

export function batchNormalization(config?: BatchNormalizationConfig): BatchNormalization {
  return new BatchNormalization(config);
}
