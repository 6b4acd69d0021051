import { expect } from 'chai';

import { native } from '../../lib/backend';
import { expectClose, expectScalarClose, GRADIENTS, VALUES } from '../helpers/compare';
import { oneHot, randomArray, randomClasses } from '../helpers/data';
import { finiteDifferences } from '../helpers/gradients';
import { activationRef, lossRef, type LossKind } from '../helpers/reference';

type F32 = Float32Array;
const sizes: [number, number][] = [[1, 1], [1, 3], [7, 10], [33, 2], [5, 257]];

/** Positive, not normalized: outputs of some activation taken as probabilities. */
function probabilities(length: number, seed: number): F32 {
  return randomArray(length, seed).map((v) => 0.5 + 0.45 * v);
}

function softLabels(n: number, c: number, seed: number): F32 {
  return randomArray(n * c, seed).map((v) => 0.5 + 0.5 * v);
}

interface Case {
  readonly name: string;
  readonly kind: LossKind;
  readonly sparse: boolean;
  /** The activation the kernel applies before the loss (fused), or null for a loss on outputs. */
  readonly fused: 'softmax' | 'sigmoid' | null;
  readonly call: (grad: F32 | null, input: F32, labels: F32, n: number, c: number) => number;
}

const cases: Case[] = [
  { name: 'softmaxCrossEntropy', kind: 'categoricalCrossentropy', sparse: false, fused: 'softmax', call: (g, z, t, n, c) => native.softmaxCrossEntropy(new Float32Array(n * c), g, z, t, n, c) },
  { name: 'softmaxCrossEntropySparse', kind: 'sparseCategoricalCrossentropy', sparse: true, fused: 'softmax', call: (g, z, t, n, c) => native.softmaxCrossEntropySparse(new Float32Array(n * c), g, z, t, n, c) },
  { name: 'sigmoidBinaryCrossEntropy', kind: 'binaryCrossentropy', sparse: false, fused: 'sigmoid', call: (g, z, t, n, c) => native.sigmoidBinaryCrossEntropy(new Float32Array(n * c), g, z, t, n, c) },
  { name: 'binaryCrossEntropy', kind: 'binaryCrossentropy', sparse: false, fused: null, call: (g, p, t, n, c) => native.binaryCrossEntropy(g, p, t, n, c) },
  { name: 'categoricalCrossEntropy', kind: 'categoricalCrossentropy', sparse: false, fused: null, call: (g, p, t, n, c) => native.categoricalCrossEntropy(g, p, t, n, c) },
  { name: 'sparseCategoricalCrossEntropy', kind: 'sparseCategoricalCrossentropy', sparse: true, fused: null, call: (g, p, t, n, c) => native.sparseCategoricalCrossEntropy(g, p, t, n, c) },
  { name: 'meanSquaredError', kind: 'meanSquaredError', sparse: false, fused: null, call: (g, p, t, n, c) => native.meanSquaredError(g, p, t, n, c) },
];

describe('loss kernels', () => {
  for (const lc of cases) {
    for (const [n, c] of sizes) {
      it(`${lc.name} on ${n}x${c}: value and gradient match float64 finite differences`, () => {
        const input = lc.fused !== null || lc.kind === 'meanSquaredError' ? randomArray(n * c, n + c, 3) : probabilities(n * c, n + c);
        const labels = lc.sparse ? randomClasses(n, c, n * c) : lc.kind === 'binaryCrossentropy' || lc.kind === 'meanSquaredError' ? softLabels(n, c, c) : oneHot(randomClasses(n, c, n), c);
        const grad = new Float32Array(n * c);
        const value = lc.call(grad, input, labels, n, c);

        const x = Float64Array.from(input);
        const f = (): number => lossRef(lc.kind, lc.fused === null ? x : activationRef(x, n, c, lc.fused), labels, n, c);
        expectScalarClose(value, f(), VALUES, 'loss');
        expectClose(grad, finiteDifferences(f, x), GRADIENTS, 'gradient');
        expectScalarClose(lc.call(null, input, labels, n, c), value, { atol: 0, rtol: 0 }, 'loss without gradient');
      });
    }
  }

  it('softmax cross-entropy takes soft labels whose rows do not sum to 1', () => {
    const [n, c] = [4, 5];
    const z = randomArray(n * c, 1, 2);
    const t = softLabels(n, c, 2);
    const grad = new Float32Array(n * c);
    native.softmaxCrossEntropy(new Float32Array(n * c), grad, z, t, n, c);
    const x = Float64Array.from(z);
    expectClose(grad, finiteDifferences(() => lossRef('categoricalCrossentropy', activationRef(x, n, c, 'softmax'), t, n, c), x), GRADIENTS);
  });

  it('fused losses stay finite for logits of +-1000 (log-sum-exp)', () => {
    const z = Float32Array.from([1000, -1000, 0, -1000, 1000, 0]);
    const probs = new Float32Array(6);
    const grad = new Float32Array(6);
    const ce = native.softmaxCrossEntropy(probs, grad, z, Float32Array.from([0, 1, 0, 0, 0, 1]), 2, 3);
    expect(ce).to.be.closeTo((2000 + 1000) / 2, 1e-3);
    const bce = native.sigmoidBinaryCrossEntropy(probs, grad, z, Float32Array.from([1, 0, 1, 0, 1, 0]), 2, 3);
    expect(Number.isFinite(bce)).to.equal(true);
    expect(grad.every(Number.isFinite)).to.equal(true);
  });

  it('losses on probabilities clip 0 and 1 instead of taking log(0)', () => {
    const grad = new Float32Array(2);
    const loss = native.binaryCrossEntropy(grad, Float32Array.from([0, 1]), Float32Array.from([1, 0]), 1, 2);
    // The clip bounds are float32: 1e-7 and fround(1 - 1e-7).
    const expected = (-Math.log(Math.fround(1e-7)) - Math.log(1 - Math.fround(1 - 1e-7))) / 2;
    expect(loss).to.be.closeTo(expected, 1e-6);
    expect(Array.from(grad)).to.deep.equal([0, 0]);
  });
});
