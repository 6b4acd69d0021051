import { expect } from 'chai';

import { native } from '../../lib/backend';
import { expectClose, expectScalarClose, GRADIENTS, VALUES } from '../helpers/compare';
import { oneHot, randomArray, randomClasses } from '../helpers/data';
import { finiteDifferences } from '../helpers/gradients';
import { logitsLossRef, lossRef, type LossKind, type LossOptions } from '../helpers/reference';

type F32 = Float32Array;
/** Awkward sizes from 1 to 257, n x c. */
const sizes: [number, number][] = [[1, 1], [1, 3], [3, 7], [7, 10], [10, 33], [33, 3], [257, 2], [1, 257], [3, 257]];

/** Positive, not normalized: outputs of some activation taken as probabilities. */
function probabilities(length: number, seed: number): F32 {
  return randomArray(length, seed).map((v) => 0.5 + 0.45 * v);
}

function softLabels(n: number, c: number, seed: number): F32 {
  return randomArray(n * c, seed).map((v) => 0.5 + 0.5 * v);
}

/** Weights in [0, 2], the first 0: a sample that must not count. */
function sampleWeights(n: number, seed: number): F32 {
  const w = randomArray(n, seed).map((v) => 1 + v);
  w[0] = 0;
  return w;
}

type CrossentropyKind = 'binaryCrossentropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy';

interface Case {
  readonly name: string;
  readonly kind: LossKind;
  /** The scalar option the kernel takes, with the value the second variant uses; none for plain losses. */
  readonly option: 'labelSmoothing' | 'delta' | null;
  /** The kernel from logits (applies softmax / sigmoid itself), or false for a loss on outputs. */
  readonly fromLogits: boolean;
  /** grad and weights may be null; param is the option's value (ignored by plain losses). */
  readonly call: (grad: F32 | null, input: F32, labels: F32, weights: F32 | null, n: number, c: number, param: number) => number;
  readonly inputs: (n: number, c: number, seed: number) => F32;
  /** Labels for the plain variant (0) and the weighted variant (1). */
  readonly labels: (n: number, c: number, variant: 0 | 1) => F32;
}

const logits = (n: number, c: number, seed: number): F32 => randomArray(n * c, seed, 3);
const probs = (n: number, c: number, seed: number): F32 => probabilities(n * c, seed);
const regression = (n: number, c: number, seed: number): F32 => randomArray(n * c, seed, 2);
const classes = (n: number, c: number): F32 => randomClasses(n, c, n * c);
const oneHotRows = (n: number, c: number): F32 => oneHot(randomClasses(n, c, n + c), c);
const fresh = (n: number, c: number): F32 => new Float32Array(n * c);

const cases: Case[] = [
  { name: 'softmaxCrossEntropy', kind: 'categoricalCrossentropy', option: 'labelSmoothing', fromLogits: true, inputs: logits, labels: (n, c, v) => (v === 0 ? oneHotRows(n, c) : softLabels(n, c, 5)), call: (g, z, t, w, n, c, s) => native.softmaxCrossEntropy(fresh(n, c), g, z, t, w, n, c, s) },
  { name: 'softmaxCrossEntropySparse', kind: 'sparseCategoricalCrossentropy', option: 'labelSmoothing', fromLogits: true, inputs: logits, labels: classes, call: (g, z, t, w, n, c, s) => native.softmaxCrossEntropySparse(fresh(n, c), g, z, t, w, n, c, s) },
  { name: 'sigmoidBinaryCrossEntropy', kind: 'binaryCrossentropy', option: 'labelSmoothing', fromLogits: true, inputs: logits, labels: (n, c) => softLabels(n, c, c), call: (g, z, t, w, n, c, s) => native.sigmoidBinaryCrossEntropy(fresh(n, c), g, z, t, w, n, c, s) },
  { name: 'binaryCrossEntropy', kind: 'binaryCrossentropy', option: 'labelSmoothing', fromLogits: false, inputs: probs, labels: (n, c) => softLabels(n, c, c), call: (g, p, t, w, n, c, s) => native.binaryCrossEntropy(g, p, t, w, n, c, s) },
  { name: 'categoricalCrossEntropy', kind: 'categoricalCrossentropy', option: 'labelSmoothing', fromLogits: false, inputs: probs, labels: oneHotRows, call: (g, p, t, w, n, c, s) => native.categoricalCrossEntropy(g, p, t, w, n, c, s) },
  { name: 'sparseCategoricalCrossEntropy', kind: 'sparseCategoricalCrossentropy', option: 'labelSmoothing', fromLogits: false, inputs: probs, labels: classes, call: (g, p, t, w, n, c, s) => native.sparseCategoricalCrossEntropy(g, p, t, w, n, c, s) },
  { name: 'meanSquaredError', kind: 'meanSquaredError', option: null, fromLogits: false, inputs: regression, labels: (n, c) => randomArray(n * c, c), call: (g, p, t, w, n, c) => native.meanSquaredError(g, p, t, w, n, c) },
  { name: 'meanAbsoluteError', kind: 'meanAbsoluteError', option: null, fromLogits: false, inputs: regression, labels: (n, c) => randomArray(n * c, c), call: (g, p, t, w, n, c) => native.meanAbsoluteError(g, p, t, w, n, c) },
  { name: 'huber', kind: 'huber', option: 'delta', fromLogits: false, inputs: regression, labels: (n, c) => randomArray(n * c, c), call: (g, p, t, w, n, c, d) => native.huber(g, p, t, w, n, c, d) },
  { name: 'logCosh', kind: 'logCosh', option: null, fromLogits: false, inputs: regression, labels: (n, c) => randomArray(n * c, c, 3), call: (g, p, t, w, n, c) => native.logCosh(g, p, t, w, n, c) },
  // Targets in {-1, 1}, and in the second variant in {0, 1}, which the kernel maps to {-1, 1}.
  { name: 'hinge', kind: 'hinge', option: null, fromLogits: false, inputs: regression, labels: (n, c, v) => randomClasses(n * c, 2, c).map((b) => (v === 0 ? 2 * b - 1 : b)), call: (g, p, t, w, n, c) => native.hinge(g, p, t, w, n, c) },
  { name: 'squaredHinge', kind: 'squaredHinge', option: null, fromLogits: false, inputs: regression, labels: (n, c, v) => randomClasses(n * c, 2, c).map((b) => (v === 0 ? 2 * b - 1 : b)), call: (g, p, t, w, n, c) => native.squaredHinge(g, p, t, w, n, c) },
  { name: 'kullbackLeiblerDivergence', kind: 'kullbackLeiblerDivergence', option: null, fromLogits: false, inputs: probs, labels: (n, c) => softLabels(n, c, c + 1), call: (g, p, t, w, n, c) => native.kullbackLeiblerDivergence(g, p, t, w, n, c) },
];

/** The float64 reference of a case. */
function reference(lc: Case, x: ArrayLike<number>, t: F32, n: number, c: number, options: LossOptions): number {
  return lc.fromLogits ? logitsLossRef(lc.kind as CrossentropyKind, x, t, n, c, options) : lossRef(lc.kind, x, t, n, c, options);
}

/** The option value of the variant: 0 = defaults and no weights, 1 = label smoothing 0.2 or delta 0.7, and weights. */
function variant(lc: Case, v: 0 | 1, n: number): { param: number; options: LossOptions; weights: F32 | null } {
  const param = lc.option === 'delta' ? (v === 0 ? 1 : 0.7) : v === 0 ? 0 : 0.2;
  const weights = v === 0 ? null : sampleWeights(n, n + 7);
  const options: LossOptions = lc.option === 'delta' ? { delta: param, weights } : { labelSmoothing: param, weights };
  return { param, options, weights };
}

describe('loss kernels', () => {
  for (const lc of cases) {
    for (const v of [0, 1] as const) {
      const what = v === 0 ? 'defaults' : `sample weights${lc.option === null ? '' : ` and ${lc.option}`}`;
      describe(`${lc.name} with ${what}`, () => {
        for (const [n, c] of sizes) {
          it(`${n}x${c}: value against float64, gradient against float64 finite differences`, () => {
            const input = lc.inputs(n, c, n + c);
            const labels = lc.labels(n, c, v);
            const { param, options, weights } = variant(lc, v, n);
            const grad = new Float32Array(n * c);
            const value = lc.call(grad, input, labels, weights, n, c, param);

            const x = Float64Array.from(input);
            const f = (): number => reference(lc, x, labels, n, c, options);
            expectScalarClose(value, f(), VALUES, 'loss');
            expectClose(grad, finiteDifferences(f, x), GRADIENTS, 'gradient');
            expectScalarClose(lc.call(null, input, labels, weights, n, c, param), value, { atol: 0, rtol: 0 }, 'loss without gradient');
          });
        }
      });
    }

    it(`${lc.name}: weights scale each sample's loss and gradient, divided by n and not by their sum`, () => {
      const [n, c] = [4, 3];
      const input = lc.inputs(n, c, 9);
      const labels = lc.labels(n, c, 0);
      const param = lc.option === 'delta' ? 1 : 0;
      const g1 = new Float32Array(n * c);
      const g3 = new Float32Array(n * c);
      const ones = lc.call(g1, input, labels, Float32Array.from([1, 1, 1, 1]), n, c, param);
      const threes = lc.call(g3, input, labels, Float32Array.from([3, 3, 3, 3]), n, c, param);
      expect(ones).to.equal(lc.call(null, input, labels, null, n, c, param));
      expectScalarClose(threes, 3 * ones, VALUES, 'loss with weights 3');
      expectClose(g3, g1.map((g) => 3 * g), VALUES, 'gradient with weights 3');
    });
  }

  it('an empty batch (n = 0) and empty rows (c = 0) have loss 0', () => {
    for (const lc of cases) {
      expect(lc.call(new Float32Array(0), new Float32Array(0), new Float32Array(0), null, 0, 3, lc.option === 'delta' ? 1 : 0), lc.name).to.equal(0);
      if (lc.kind !== 'sparseCategoricalCrossentropy') expect(lc.call(null, new Float32Array(0), new Float32Array(0), null, 2, 0, lc.option === 'delta' ? 1 : 0), `${lc.name} with c = 0`).to.equal(0);
    }
  });

  it('softmax cross-entropy takes soft labels whose rows do not sum to 1', () => {
    const [n, c] = [4, 5];
    const z = randomArray(n * c, 1, 2);
    const t = softLabels(n, c, 2);
    const grad = new Float32Array(n * c);
    native.softmaxCrossEntropy(new Float32Array(n * c), grad, z, t, null, n, c, 0);
    const x = Float64Array.from(z);
    expectClose(grad, finiteDifferences(() => logitsLossRef('categoricalCrossentropy', x, t, n, c), x), GRADIENTS);
  });

  it('fused kernels write the probabilities, which do not depend on labels or smoothing', () => {
    const [n, c] = [3, 7];
    const z = randomArray(n * c, 4, 3);
    const softmax = new Float32Array(n * c);
    native.softmaxCrossEntropySparse(softmax, null, z, Float32Array.from([0, 6, 3]), null, n, c, 0.3);
    for (let r = 0; r < n; r++) {
      const row = Array.from(z.subarray(r * c, (r + 1) * c));
      const sum = row.reduce((a, v) => a + Math.exp(v), 0);
      expectClose(softmax.subarray(r * c, (r + 1) * c), row.map((v) => Math.exp(v) / sum), VALUES, 'softmax');
    }
    const sigmoid = new Float32Array(n * c);
    native.sigmoidBinaryCrossEntropy(sigmoid, null, z, softLabels(n, c, 1), null, n, c, 0.5);
    expectClose(sigmoid, Array.from(z, (v) => 1 / (1 + Math.exp(-v))), VALUES, 'sigmoid');
  });

  it('fused kernels stay finite and exact for logits of +-100 and +-1000, with smoothing', () => {
    const [n, c] = [2, 3];
    for (const scale of [100, 1000]) {
      const z = Float32Array.from([1, -1, 0, -1, 1, 0].map((v) => v * scale));
      const t = Float32Array.from([0, 1, 0, 0, 0, 1]);
      for (const s of [0, 0.1]) {
        const options = { labelSmoothing: s, weights: Float32Array.from([0.5, 2]) };
        const x = Float64Array.from(z);
        for (const [kind, call] of [
          ['categoricalCrossentropy', native.softmaxCrossEntropy],
          ['binaryCrossentropy', native.sigmoidBinaryCrossEntropy],
        ] as const) {
          const grad = new Float32Array(n * c);
          const value = call(new Float32Array(n * c), grad, z, t, options.weights, n, c, s);
          expectScalarClose(value, logitsLossRef(kind, x, t, n, c, options), VALUES, `${kind} at +-${scale}, smoothing ${s}`);
          expectClose(grad, finiteDifferences(() => logitsLossRef(kind, x, t, n, c, options), x, 1e-3), GRADIENTS, `${kind} gradient at +-${scale}`);
        }
        const grad = new Float32Array(n * c);
        const sparse = native.softmaxCrossEntropySparse(new Float32Array(n * c), grad, z, Float32Array.from([1, 2]), options.weights, n, c, s);
        expectScalarClose(sparse, logitsLossRef('sparseCategoricalCrossentropy', x, Float32Array.from([1, 2]), n, c, options), VALUES, `sparse at +-${scale}`);
        expect(grad.every(Number.isFinite)).to.equal(true);
      }
    }
  });

  it('losses on probabilities clip 0 and 1 instead of taking log(0): finite values, zero gradient where clipped', () => {
    const grad = new Float32Array(2);
    const loss = native.binaryCrossEntropy(grad, Float32Array.from([0, 1]), Float32Array.from([1, 0]), null, 1, 2, 0);
    // The clip bounds are float32: 1e-7 and fround(1 - 1e-7).
    const expected = (-Math.log(Math.fround(1e-7)) - Math.log(1 - Math.fround(1 - 1e-7))) / 2;
    expect(loss).to.be.closeTo(expected, 1e-6);
    expect(Array.from(grad)).to.deep.equal([0, 0]);

    // Rows with exact 0s and 1s (and an all-zero row) through every loss on probabilities, smoothed or not.
    const [n, c] = [3, 4];
    const p = Float32Array.from([0, 1, 0, 0, 0.25, 0, 0.75, 1, 0, 0, 0, 0]);
    const rows = Float32Array.from([0, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1]);
    const indices = Float32Array.from([1, 0, 3]);
    const weights = Float32Array.from([1, 2, 0.5]);
    for (const s of [0, 0.1]) {
      for (const [kind, labels, call] of [
        ['binaryCrossentropy', rows, (g: F32 | null) => native.binaryCrossEntropy(g, p, rows, weights, n, c, s)],
        ['categoricalCrossentropy', rows, (g: F32 | null) => native.categoricalCrossEntropy(g, p, rows, weights, n, c, s)],
        ['sparseCategoricalCrossentropy', indices, (g: F32 | null) => native.sparseCategoricalCrossEntropy(g, p, indices, weights, n, c, s)],
        ['kullbackLeiblerDivergence', rows, (g: F32 | null) => native.kullbackLeiblerDivergence(g, p, rows, weights, n, c)],
      ] as const) {
        const g = new Float32Array(n * c);
        const value = call(g);
        expectScalarClose(value, lossRef(kind, p, labels, n, c, { labelSmoothing: s, weights }), VALUES, `${kind}, smoothing ${s}`);
        expect(g.every(Number.isFinite), `${kind} gradient finite`).to.equal(true);
      }
    }
  });

  it('hinge losses map targets given as {0, 1} to {-1, 1}, as Keras does', () => {
    const [n, c] = [3, 2];
    const p = randomArray(n * c, 8, 2);
    const zeroOne = Float32Array.from([0, 1, 1, 0, 1, 1]);
    const signs = zeroOne.map((t) => 2 * t - 1);
    for (const call of [native.hinge, native.squaredHinge]) {
      const g01 = new Float32Array(n * c);
      const gpm = new Float32Array(n * c);
      expect(call(g01, p, zeroOne, null, n, c)).to.equal(call(gpm, p, signs, null, n, c));
      expect(Array.from(g01)).to.deep.equal(Array.from(gpm));
    }
  });

  it('log-cosh stays finite and linear for differences of 1e4 (no cosh overflow)', () => {
    const grad = new Float32Array(2);
    const value = native.logCosh(grad, Float32Array.from([1e4, -1e4]), Float32Array.from([0, 0]), null, 1, 2);
    expect(value).to.be.closeTo(1e4 - Math.log(2), 1e-3);
    expectClose(grad, [0.5, -0.5], VALUES, 'tanh / c');
  });

  it('NaN in the predictions gives a NaN loss, never a silent number', () => {
    const p = Float32Array.from([NaN, 0.5]);
    const t = Float32Array.from([1, 0]);
    for (const lc of cases) {
      const labels = lc.kind === 'sparseCategoricalCrossentropy' ? Float32Array.from([0]) : t;
      expect(lc.call(new Float32Array(2), p, labels, null, 1, 2, lc.option === 'delta' ? 1 : 0), lc.name).to.be.NaN;
    }
  });
});
