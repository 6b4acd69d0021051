/**
 * Losses by their Keras / TensorFlow.js names, as compile({ loss }) takes them: a name
 * ('categoricalCrossentropy', 'mse') or a configured object
 * (losses.categoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 })). Each built-in is
 * one native kernel that returns the weighted batch mean and writes its gradient in the same pass
 * (native/kernels/losses.cc). A cross-entropy after the activation it pairs with (softmax,
 * sigmoid) is fused with it and computed from logits, stably; with fromLogits the model's outputs
 * are logits and the loss applies that activation itself; otherwise it takes the outputs as
 * probabilities, clipped.
 */
import type { ActivationName } from './activations';
import { BoundedCache } from './bounded-cache';
import type { Kernels } from './core/kernels';
import { ArgumentTypeError } from './errors';
import { boolean, describe, float32In, knownOptions, oneOf, plainObject } from './validate';

type F32 = Float32Array;

export const lossNames = [
  'meanSquaredError',
  'meanAbsoluteError',
  'huber',
  'logCosh',
  'binaryCrossentropy',
  'categoricalCrossentropy',
  'sparseCategoricalCrossentropy',
  'hinge',
  'squaredHinge',
  'kullbackLeiblerDivergence',
] as const;
export type LossName = (typeof lossNames)[number];

/** Other names Keras and TensorFlow.js accept for the same losses. */
const lossAliases = {
  mse: 'meanSquaredError',
  mae: 'meanAbsoluteError',
  huberLoss: 'huber',
  logcosh: 'logCosh',
  kld: 'kullbackLeiblerDivergence',
  klDivergence: 'kullbackLeiblerDivergence',
} as const satisfies Record<string, LossName>;
export type LossAlias = keyof typeof lossAliases;

/** What compile({ loss }) takes. */
export type LossIdentifier = LossName | LossAlias | Loss;

/** The fused kernel of a loss that absorbs the last layer's activation: from logits, it writes the probabilities too. */
export interface LossFusion {
  readonly activation: ActivationName;
  kernel<S extends number>(k: Kernels<S>, probs: F32, dlogits: F32 | null, logits: F32, labels: F32, weights: F32 | null, n: number, c: number): S;
}

/**
 * A loss on a batch of n outputs of width c. Its value is Keras's default reduction: the sum over
 * samples of weight_i * loss_i divided by n (the batch size, not the sum of the weights).
 */
export abstract class Loss {
  /** The key users see. */
  abstract readonly name: string;
  /** Labels are one class index per sample rather than one row of targets. */
  readonly sparse: boolean = false;
  /** The activation this loss can absorb, with the fused kernel that does it. */
  readonly fusion: LossFusion | null = null;
  /** Whether onOutputs is kernel calls only, so that a training step can be a plan (lib/core/plan.ts). */
  readonly native: boolean = true;

  /**
   * The loss of outputs pred (n, c), weighted by `weights` (n values, or null for 1), through the
   * kernels `k` (run now, or added to a plan when `native`); writes dL/dpred unless dpred is null.
   */
  abstract onOutputs<S extends number>(k: Kernels<S>, dpred: F32 | null, pred: F32, labels: F32, weights: F32 | null, n: number, c: number): S;

  abstract getConfig(): Record<string, unknown>;
}

/** Float32 buffers by length, for the few batch sizes in use. */
export function floatBuffers(): { get(length: number): F32 } {
  const cache = new BoundedCache<number, F32>(4);
  return { get: (length) => cache.get(length, () => new Float32Array(length)) };
}

/** The kernels of the losses without options. */
type OutputKernel = 'meanSquaredError' | 'meanAbsoluteError' | 'logCosh' | 'hinge' | 'squaredHinge' | 'kullbackLeiblerDivergence';

/** A loss that is one native kernel with no options. */
class KernelLoss extends Loss {
  constructor(
    readonly name: LossName,
    private readonly kernel: OutputKernel,
  ) {
    super();
  }

  onOutputs<S extends number>(k: Kernels<S>, dpred: F32 | null, pred: F32, labels: F32, weights: F32 | null, n: number, c: number): S {
    return k[this.kernel](dpred, pred, labels, weights, n, c);
  }

  getConfig(): Record<string, unknown> {
    return {};
  }
}

export interface HuberConfig {
  /** Where the loss turns from quadratic to linear (default 1). */
  delta?: number;
}

/** keras.losses.Huber: x^2 / 2 for |x| <= delta, delta |x| - delta^2 / 2 beyond, x = pred - target. */
class Huber extends Loss {
  readonly name = 'huber';
  readonly delta: number;

  constructor(config: HuberConfig) {
    super();
    const options = plainObject(config, 'huber config');
    knownOptions(options, 'huber config', ['delta']);
    this.delta = float32In(options['delta'] ?? 1, 'delta', { min: 0, max: Infinity, minInclusive: false });
  }

  onOutputs<S extends number>(k: Kernels<S>, dpred: F32 | null, pred: F32, labels: F32, weights: F32 | null, n: number, c: number): S {
    return k.huber(dpred, pred, labels, weights, n, c, this.delta);
  }

  getConfig(): Record<string, unknown> {
    return { delta: this.delta };
  }
}

export interface CrossentropyConfig {
  /** The model's outputs are logits (a linear last layer): the loss applies the softmax / sigmoid itself. */
  fromLogits?: boolean;
  /** In [0, 1]: targets t become (1 - s) t + s / classes (binary: + s / 2), as in Keras. */
  labelSmoothing?: number;
}

/** One cross-entropy: its activation, its kernel from logits and its kernel on probabilities. */
interface CrossentropyKind {
  readonly name: 'binaryCrossentropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy';
  readonly sparse: boolean;
  readonly activation: ActivationName;
  readonly fromLogits: 'sigmoidBinaryCrossEntropy' | 'softmaxCrossEntropy' | 'softmaxCrossEntropySparse';
  readonly onProbabilities: 'binaryCrossEntropy' | 'categoricalCrossEntropy' | 'sparseCategoricalCrossEntropy';
}

class Crossentropy extends Loss {
  readonly name: CrossentropyKind['name'];
  override readonly sparse: boolean;
  override readonly fusion: LossFusion | null;
  readonly fromLogits: boolean;
  readonly labelSmoothing: number;
  /** The probabilities the fused kernel writes when this loss is given logits; nobody reads them. */
  private readonly probs = floatBuffers();

  constructor(
    private readonly kind: CrossentropyKind,
    config: CrossentropyConfig,
  ) {
    super();
    const options = plainObject(config, `${kind.name} config`);
    knownOptions(options, `${kind.name} config`, ['fromLogits', 'labelSmoothing']);
    this.name = kind.name;
    this.sparse = kind.sparse;
    this.fromLogits = options['fromLogits'] === undefined ? false : boolean(options['fromLogits'], 'fromLogits');
    const s = float32In(options['labelSmoothing'] ?? 0, 'labelSmoothing', { min: 0, max: 1 });
    this.labelSmoothing = s;
    this.fusion = this.fromLogits ? null : { activation: kind.activation, kernel: (k, p, d, z, t, w, n, c) => k[kind.fromLogits](p, d, z, t, w, n, c, s) };
  }

  onOutputs<S extends number>(k: Kernels<S>, dpred: F32 | null, pred: F32, labels: F32, weights: F32 | null, n: number, c: number): S {
    const { kind, labelSmoothing: s } = this;
    if (this.fromLogits) return k[kind.fromLogits](this.probs.get(n * c), dpred, pred, labels, weights, n, c, s);
    return k[kind.onProbabilities](dpred, pred, labels, weights, n, c, s);
  }

  getConfig(): Record<string, unknown> {
    return { fromLogits: this.fromLogits, labelSmoothing: this.labelSmoothing };
  }
}

/** keras.losses.MeanSquaredError: mean over outputs of (pred - target)^2. */
export function meanSquaredError(): Loss {
  return new KernelLoss('meanSquaredError', 'meanSquaredError');
}

/** keras.losses.MeanAbsoluteError: mean over outputs of |pred - target|. */
export function meanAbsoluteError(): Loss {
  return new KernelLoss('meanAbsoluteError', 'meanAbsoluteError');
}

/** keras.losses.Huber, e.g. losses.huber({ delta: 2 }). */
export function huber(config: HuberConfig = {}): Loss {
  return new Huber(config);
}

/** keras.losses.LogCosh: mean over outputs of log(cosh(pred - target)). */
export function logCosh(): Loss {
  return new KernelLoss('logCosh', 'logCosh');
}

/** keras.losses.Hinge: mean of max(1 - t pred, 0), targets in {-1, 1} (or {0, 1}, mapped to them). */
export function hinge(): Loss {
  return new KernelLoss('hinge', 'hinge');
}

/** keras.losses.SquaredHinge: mean of max(1 - t pred, 0)^2. */
export function squaredHinge(): Loss {
  return new KernelLoss('squaredHinge', 'squaredHinge');
}

/** keras.losses.KLDivergence: sum over outputs of t log(t / pred), both clipped to [1e-7, 1]. */
export function kullbackLeiblerDivergence(): Loss {
  return new KernelLoss('kullbackLeiblerDivergence', 'kullbackLeiblerDivergence');
}

/** keras.losses.BinaryCrossentropy: mean over outputs; after a sigmoid, or on logits with fromLogits. */
export function binaryCrossentropy(config: CrossentropyConfig = {}): Loss {
  return new Crossentropy(
    { name: 'binaryCrossentropy', sparse: false, activation: 'sigmoid', fromLogits: 'sigmoidBinaryCrossEntropy', onProbabilities: 'binaryCrossEntropy' },
    config,
  );
}

/** keras.losses.CategoricalCrossentropy: one-hot (or soft) label rows; after a softmax, or on logits with fromLogits. */
export function categoricalCrossentropy(config: CrossentropyConfig = {}): Loss {
  return new Crossentropy(
    { name: 'categoricalCrossentropy', sparse: false, activation: 'softmax', fromLogits: 'softmaxCrossEntropy', onProbabilities: 'categoricalCrossEntropy' },
    config,
  );
}

/** keras.losses.SparseCategoricalCrossentropy: one class index per sample. */
export function sparseCategoricalCrossentropy(config: CrossentropyConfig = {}): Loss {
  return new Crossentropy(
    { name: 'sparseCategoricalCrossentropy', sparse: true, activation: 'softmax', fromLogits: 'softmaxCrossEntropySparse', onProbabilities: 'sparseCategoricalCrossEntropy' },
    config,
  );
}

const factories: Record<LossName, () => Loss> = {
  meanSquaredError,
  meanAbsoluteError,
  huber: () => huber(),
  logCosh,
  binaryCrossentropy: () => binaryCrossentropy(),
  categoricalCrossentropy: () => categoricalCrossentropy(),
  sparseCategoricalCrossentropy: () => sparseCategoricalCrossentropy(),
  hinge,
  squaredHinge,
  kullbackLeiblerDivergence,
};

const acceptedNames: readonly string[] = [...lossNames, ...Object.keys(lossAliases)];

/** A loss from a name (with Keras's defaults) or a loss object, passed through. */
export function getLoss(value: unknown, argument: string): Loss {
  if (value instanceof Loss) return value;
  if (typeof value !== 'string') {
    throw new ArgumentTypeError({ argument, expected: "a loss name such as 'meanSquaredError' or a loss object such as losses.huber({ delta: 2 })", received: describe(value) });
  }
  const chosen = oneOf(value, argument, acceptedNames);
  const name = (lossAliases as Record<string, LossName | undefined>)[chosen] ?? (chosen as LossName);
  return factories[name]();
}
