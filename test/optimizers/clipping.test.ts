/**
 * Gradient clipping (clipNorm per tensor, globalClipNorm, clipValue, in Keras's order) through an
 * optimizer and through the raw kernel, against float64, on every ISA path; NaN stays NaN.
 */
import { expect } from 'chai';

import { native } from '../../lib/backend';
import { ArgumentRangeError } from '../../lib/errors';
import * as optimizers from '../../lib/optimizers';
import { expectClose } from '../helpers/compare';
import { randomArray } from '../helpers/data';

const TOL = { atol: 1e-7, rtol: 1e-6 };
const { supportedIsas, isa: defaultIsa } = native.backendInfo();

// Tensors of 5, 0, 35, 1 and 69960 floats: an empty one, a single value, and one past a chunk.
const SEGMENTS = Uint32Array.from([0, 5, 5, 40, 41, 70001]);

interface Clip {
  clipValue?: number;
  clipNorm?: number;
  globalClipNorm?: number;
}

function sumSquares(g: ArrayLike<number>, begin = 0, end = g.length): number {
  let s = 0;
  for (let i = begin; i < end; i++) s += (g[i] as number) ** 2;
  return s;
}

/** tf.clip_by_norm per tensor, then tf.clip_by_global_norm, then a clamp, in float64. */
function clipRef(g: ArrayLike<number>, segments: Uint32Array, clip: Clip): Float64Array {
  const out = Float64Array.from(g);
  const scaleRange = (begin: number, end: number, squares: number, bound: number) => {
    const norm = Math.sqrt(squares);
    for (let i = begin; i < end; i++) out[i] = ((out[i] as number) * bound) / Math.max(norm, bound);
  };
  if (clip.clipNorm !== undefined) {
    for (let s = 0; s + 1 < segments.length; s++) {
      const [b, e] = [segments[s] as number, segments[s + 1] as number];
      scaleRange(b, e, sumSquares(out, b, e), clip.clipNorm);
    }
  }
  if (clip.globalClipNorm !== undefined) scaleRange(0, out.length, sumSquares(out), clip.globalClipNorm);
  if (clip.clipValue !== undefined) {
    const v = clip.clipValue;
    out.forEach((x, i) => (out[i] = Number.isNaN(x) ? x : Math.min(v, Math.max(-v, x))));
  }
  return out;
}

/** One sgd step at learning rate 1 from zero parameters: the parameters become -clipped grads. */
function clippedBySgd(g: Float32Array, clip: Clip): Float32Array {
  const p = new Float32Array(g.length);
  optimizers.sgd({ learningRate: 1, ...clip }).applyGradients(p, g.slice(), SEGMENTS);
  return p.map((x) => -x);
}

const CASES: Clip[] = [
  { clipValue: 0.5 },
  { clipNorm: 1 },
  { clipNorm: 3, clipValue: 0.1 },
  { globalClipNorm: 10 },
  { globalClipNorm: 1e6 },
  { globalClipNorm: 10, clipValue: 0.01 },
];

for (const isa of supportedIsas) {
  describe(`gradient clipping (${isa} path)`, () => {
    before(() => native.setIsa(isa));
    after(() => native.setIsa(defaultIsa));

    const g = randomArray(70001, 5, 3);
    for (const clip of CASES) {
      it(`clips with ${JSON.stringify(clip)} as float64 does`, () => {
        const want = clipRef(g, SEGMENTS, clip);
        const got = clippedBySgd(g, clip);
        expectClose(got, want, TOL);
        // Each case must change something, except the global bound above the norm.
        const changed = want.some((w, i) => w !== g[i]);
        expect(changed).to.equal(clip.globalClipNorm !== 1e6 || clip.clipValue !== undefined);
      });
    }

    it('keeps NaN as NaN and clamps infinities to the bound', () => {
      const bad = g.slice();
      bad[2] = NaN;
      bad[7] = Infinity;
      bad[50] = -Infinity;
      // Read from the kernel: an optimizer refuses a step with a NaN gradient, writing nothing.
      const byValue = bad.slice();
      native.clipGradients(byValue, SEGMENTS, 0, 0, 0.5);
      expect([byValue[2], byValue[7], byValue[50]]).to.deep.equal([NaN, 0.5, -0.5]);
      expect(clippedBySgd(bad, { clipValue: 0.5 }).every((x) => x === 0)).to.equal(true);
      expectClose(byValue.subarray(100), clipRef(bad, SEGMENTS, { clipValue: 0.5 }).subarray(100), TOL);

      // Per tensor: a NaN norm makes its own tensor NaN (as tf.clip_by_norm); the others are clipped.
      const nanOnly = bad.slice();
      nanOnly[7] = 0;
      nanOnly[50] = 0;
      const byNorm = nanOnly.slice();
      native.clipGradients(byNorm, SEGMENTS, 1, 0, 0);
      expect(byNorm.subarray(0, 5).every(Number.isNaN)).to.equal(true);
      expectClose(byNorm.subarray(5), clipRef(nanOnly, SEGMENTS, { clipNorm: 1 }).subarray(5), TOL);

      const byGlobal = bad.slice();
      native.clipGradients(byGlobal, SEGMENTS, 0, 10, 0.5);
      expect(byGlobal.every(Number.isNaN)).to.equal(true);
    });
  });
}

describe('clipGradients binding', () => {
  const f = (n: number) => new Float32Array(n);
  it('checks the segments against the gradients and refuses both norms', () => {
    expect(() => native.clipGradients(f(4), Uint32Array.from([0, 3]), 1, 0, 0)).to.throw(RangeError, /end at the length of grads \(4\)/);
    expect(() => native.clipGradients(f(4), Uint32Array.from([0, 3, 2, 4]), 1, 0, 0)).to.throw(RangeError, /non-decreasing segments/);
    expect(() => native.clipGradients(f(4), new Uint32Array(0), 1, 0, 0)).to.throw(RangeError, /start at 0/);
    expect(() => native.clipGradients(f(4), Uint32Array.from([0, 4]), 1, 1, 0)).to.throw(RangeError, /at most one of clipNorm and globalClipNorm/);
    expect(() => native.clipGradients(f(4), Uint32Array.from([0, 4]), -1, 0, 0)).to.throw(RangeError, /number >= 0 for clipNorm/);
    expect(() => native.clipGradients(f(0), Uint32Array.from([0]), 1, 0, 1)).to.not.throw();
  });

  it('is refused at construction when both norms are configured', () => {
    expect(() => optimizers.rmsprop({ clipNorm: 1, globalClipNorm: 2 })).to.throw(ArgumentRangeError, /globalClipNorm/);
  });
});
