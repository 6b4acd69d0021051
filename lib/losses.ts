/**
 * Losses by their Keras / TensorFlow.js names. Each is a native kernel that returns the batch
 * mean and writes its gradient in the same pass (native/kernels/losses.cc). Cross-entropies
 * after the activation they pair with (softmax, sigmoid) are fused with it and computed from
 * logits, stably; on any other output they work on the outputs as probabilities, clipped.
 */
import type { ActivationName } from './activations';
import { native } from './backend';
import { oneOf } from './validate';

export const lossNames = ['meanSquaredError', 'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy'] as const;
export type LossName = (typeof lossNames)[number];

/** Short names Keras also accepts. */
const aliases: Record<string, LossName> = { mse: 'meanSquaredError' };

type OutputLoss = (dpred: Float32Array | null, pred: Float32Array, labels: Float32Array, weights: Float32Array | null, n: number, c: number) => number;
type FusedLoss = (probs: Float32Array, dlogits: Float32Array | null, logits: Float32Array, labels: Float32Array, weights: Float32Array | null, n: number, c: number) => number;

export interface Loss {
  readonly name: LossName;
  /** Labels are one class index per sample rather than one row of targets. */
  readonly sparse: boolean;
  /** Loss on the model's outputs; writes dL/dpred unless dpred is null. */
  readonly onOutputs: OutputLoss;
  /** The activation this loss can absorb, with the fused kernel that does it. */
  readonly fusion: { readonly activation: ActivationName; readonly kernel: FusedLoss } | null;
}

const losses: Record<LossName, Loss> = {
  meanSquaredError: {
    name: 'meanSquaredError',
    sparse: false,
    onOutputs: (d, p, t, _w, n, c) => native.meanSquaredError(d, p, t, n, c),
    fusion: null,
  },
  binaryCrossentropy: {
    name: 'binaryCrossentropy',
    sparse: false,
    onOutputs: (d, p, t, _w, n, c) => native.binaryCrossEntropy(d, p, t, n, c),
    fusion: { activation: 'sigmoid', kernel: (p, d, z, t, _w, n, c) => native.sigmoidBinaryCrossEntropy(p, d, z, t, n, c) },
  },
  categoricalCrossentropy: {
    name: 'categoricalCrossentropy',
    sparse: false,
    onOutputs: (d, p, t, _w, n, c) => native.categoricalCrossEntropy(d, p, t, n, c),
    fusion: { activation: 'softmax', kernel: (p, d, z, t, _w, n, c) => native.softmaxCrossEntropy(p, d, z, t, n, c) },
  },
  sparseCategoricalCrossentropy: {
    name: 'sparseCategoricalCrossentropy',
    sparse: true,
    onOutputs: (d, p, t, _w, n, c) => native.sparseCategoricalCrossEntropy(d, p, t, n, c),
    fusion: { activation: 'softmax', kernel: (p, d, z, t, _w, n, c) => native.softmaxCrossEntropySparse(p, d, z, t, n, c) },
  },
};

export function getLoss(value: unknown, argument: string): Loss {
  if (typeof value === 'string' && value in aliases) return losses[aliases[value] as LossName];
  return losses[oneOf(value, argument, lossNames)];
}
