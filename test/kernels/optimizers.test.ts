import { expect } from 'chai';

import { native } from '../../lib/backend';
import { record } from '../../lib/program';
import { expectClose } from '../helpers/compare';
import { randomArray } from '../helpers/data';

// Steps computed by hand in float64 from the formulas in native/kernels/optimizers.h, on every ISA
// path the CPU supports. 70001 spans several parallel chunks of 2^15 and ends in a partial one;
// 7 and 1 are shorter than one 8-float AVX2 vector (scalar tail only); 0 is an empty arena.
const LENGTHS = [70001, 7, 1, 0];
const TOL = { atol: 1e-6, rtol: 1e-5 };
// The kernel takes float32 hyperparameters; 1 - fround(0.999) differs from 0.001 by 1e-5
// relative, so the float64 reference starts from the same float32 values.
const [LR, B1, B2, EPS] = [0.01, 0.9, 0.999, 1e-7].map(Math.fround) as [number, number, number, number];
const { supportedIsas, isa: defaultIsa, threads: defaultThreads, maxThreads } = native.backendInfo();

/** Three Adam steps from zero moments; the second with tiny gradients, so epsilon matters. */
function adamRun(length: number) {
  const p = randomArray(length, 4);
  const m = new Float32Array(length);
  const v = new Float32Array(length);
  const grads = [1, 2, 3].map((t) => randomArray(length, 20 + t, t === 2 ? 1e-4 : 1));
  grads.forEach((g, i) => native.adamStep(p, m, v, null, g, LR, B1, B2, EPS, 0, i + 1));
  return { p, m, v, grads };
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Params, a signed slot and two positive ones (second moments); each step uses what its options need. */
type State = [Float32Array, Float32Array, Float32Array, Float32Array];
const mapState = (s: State, f: (a: Float32Array) => Float32Array): State => [f(s[0]), f(s[1]), f(s[2]), f(s[3])];

/** Positive slots in [0.01, 0.02]: centered RMSprop's v stays above a^2, as it does from zero slots. */
function startState(n: number): State {
  const positive = (seed: number) => randomArray(n, seed, 0.01).map((x) => 0.01 + Math.abs(x));
  return [randomArray(n, 30), randomArray(n, 31, 0.1), positive(32), positive(34)];
}

/** Every kernel and every option that changes its loop; each returns the step's outcome. */
const STEPS: [string, (s: State, g: Float32Array) => number][] = [
  ['adam', ([p, m, v], gr) => native.adamStep(p, m, v, null, gr, LR, B1, B2, EPS, 0, 5)],
  ['adamw with amsgrad', ([p, m, v, vh], gr) => native.adamStep(p, m, v, vh, gr, LR, B1, B2, EPS, 0.01, 5)],
  ['sgd with momentum', ([p, v], gr) => native.sgdStep(p, v, gr, 0.05, 0.9, false)],
  ['sgd with nesterov momentum', ([p, v], gr) => native.sgdStep(p, v, gr, 0.05, 0.9, true)],
  ['sgd', ([p], gr) => native.sgdStep(p, null, gr, 0.1, 0, false)],
  ['adagrad', ([p, , a], gr) => native.adagradStep(p, a, gr, 0.1, 1e-7)],
  ['adadelta', ([p, , eg, ed], gr) => native.adadeltaStep(p, eg, ed, gr, 1, 0.95, 1e-7)],
  ['rmsprop', ([p, , v], gr) => native.rmspropStep(p, v, null, null, gr, 0.01, 0.9, 0, 1e-7)],
  ['centered rmsprop with momentum', ([p, mom, v, a], gr) => native.rmspropStep(p, v, mom, a, gr, 0.01, 0.9, 0.5, 1e-7)],
  ['adamax', ([p, m, u], gr) => native.adamaxStep(p, m, u, gr, 0.01, B1, B2, EPS, 3)],
  ['nadam', ([p, m, v], gr) => native.nadamStep(p, m, v, gr, 0.01, B1, B2, EPS, 3, 0.5)],
];

for (const isa of supportedIsas) {
  describe(`optimizer kernels (${isa} path)`, () => {
    before(() => native.setIsa(isa));
    after(() => native.setIsa(defaultIsa));

    for (const length of LENGTHS) {
      it(`sgd without momentum on ${length} values: p -= lr g`, () => {
        const p = randomArray(length, 1);
        const g = randomArray(length, 2);
        const ref = Float64Array.from(p, (v, i) => v - 0.1 * (g[i] as number));
        native.sgdStep(p, null, g, 0.1, 0, false);
        expectClose(p, ref, TOL);
      });

      it(`sgd with momentum over three steps on ${length} values: v = mu v - lr g; p += v`, () => {
        const p = randomArray(length, 3);
        const v = new Float32Array(length);
        const pRef = Float64Array.from(p);
        const vRef = new Float64Array(length);
        for (let step = 0; step < 3; step++) {
          const g = randomArray(length, 10 + step);
          native.sgdStep(p, v, g, 0.05, 0.9, false);
          for (let i = 0; i < length; i++) {
            vRef[i] = 0.9 * (vRef[i] as number) - 0.05 * (g[i] as number);
            pRef[i] = (pRef[i] as number) + (vRef[i] as number);
          }
        }
        expectClose(v, vRef, TOL, 'velocity');
        expectClose(p, pRef, TOL, 'params');
      });

      it(`adam over three steps on ${length} values, with bias correction in the step size and epsilon hat`, () => {
        const { p, m, v, grads } = adamRun(length);
        const pRef = Float64Array.from(randomArray(length, 4));
        const mRef = new Float64Array(length);
        const vRef = new Float64Array(length);
        grads.forEach((g, index) => {
          const t = index + 1;
          const lrT = (LR * Math.sqrt(1 - B2 ** t)) / (1 - B1 ** t);
          for (let i = 0; i < length; i++) {
            const gi = g[i] as number;
            mRef[i] = B1 * (mRef[i] as number) + (1 - B1) * gi;
            vRef[i] = B2 * (vRef[i] as number) + (1 - B2) * gi * gi;
            pRef[i] = (pRef[i] as number) - (lrT * (mRef[i] as number)) / (Math.sqrt(vRef[i] as number) + EPS);
          }
        });
        expectClose(m, mRef, TOL, 'm');
        expectClose(v, vRef, { atol: 1e-9, rtol: 1e-5 }, 'v');
        expectClose(p, pRef, TOL, 'params');
      });
    }

    it(`gives bit-identical adam and sgd results on 1 and ${Math.min(2, maxThreads)} threads`, () => {
      const results = [1, Math.min(2, maxThreads)].map((t) => {
        native.setNumThreads(t);
        const adam = adamRun(70001);
        const p = randomArray(70001, 3);
        const vel = randomArray(70001, 5);
        native.sgdStep(p, vel, randomArray(70001, 6), 0.05, 0.9, true);
        native.sgdStep(p, null, randomArray(70001, 7), 0.1, 0, false);
        return [adam.p, adam.m, adam.v, p, vel];
      });
      native.setNumThreads(defaultThreads);
      results[0]?.forEach((a, i) => expect(sameBits(a, results[1]?.[i] as Float32Array), `array ${i}`).to.equal(true));
    });

    it('gives an element the same bits in the vector body as in the scalar tail', () => {
      // One call over 4096 values runs nearly all of them through the vector body; calls over
      // 7-value pieces of the same arrays run every value through the scalar tail.
      const n = 4096;
      const g = randomArray(n, 33);
      const start = startState(n);
      for (const [name, step] of STEPS) {
        const whole = mapState(start, (a) => a.slice());
        step(whole, g);
        for (let s = 0; s < n; s += 7) {
          const piece = mapState(start, (a) => a.slice(s, s + 7));
          step(piece, g.slice(s, s + 7));
          piece.forEach((a, k) => expect(sameBits(a, (whole[k] as Float32Array).subarray(s, s + 7)), `${name}: array ${k} at ${s}`).to.equal(true));
        }
      }
    });

    it('returns 1 from every step it applies, and NaN with nothing written for a NaN or infinite gradient', () => {
      // Three chunks: the bad value sits in the last, after two that a one-pass kernel would have written.
      const n = 70001;
      const g = randomArray(n, 33);
      const start = startState(n);
      for (const [name, step] of STEPS) {
        for (const bad of [NaN, Infinity, -Infinity]) {
          const state = mapState(start, (a) => a.slice());
          const spoilt = g.slice();
          spoilt[n - 1] = bad;
          expect(step(state, spoilt), `${name} with a gradient of ${bad}`).to.be.NaN;
          state.forEach((a, k) => expect(sameBits(a, start[k] as Float32Array), `${name}: array ${k} written`).to.equal(true));
        }
        const state = mapState(start, (a) => a.slice());
        expect(step(state, g), name).to.equal(1);
        expect(sameBits(state[0], start[0]), `${name}: params unchanged`).to.equal(false);
      }
    });

    it('refuses sgd at learningRate 1e30 where lr g overflows, and adam where only v would overflow', () => {
      const n = 70001;
      const g = randomArray(n, 40);
      const p = randomArray(n, 41);
      const applied = p.slice();
      expect(native.sgdStep(applied, null, g, 1e30, 0, false)).to.equal(1); // |lr g| <= 1e30: finite
      g[n - 1] = 1e9;
      const kept = p.slice();
      expect(native.sgdStep(kept, null, g, 1e30, 0, false)).to.be.NaN;
      expect(sameBits(kept, p)).to.equal(true);

      // v = b2 v + (1 - b2) g^2 is past float32 for |g| = 1e21 while p moves by a finite lr_t m / sqrt(v).
      const [params, m, v] = startState(n);
      const adamG = randomArray(n, 42);
      adamG[n - 1] = 1e21;
      const before = [params, m, v].map((a) => a.slice());
      expect(native.adamStep(params, m, v, null, adamG, LR, B1, B2, EPS, 0, 1)).to.be.NaN;
      [params, m, v].forEach((a, k) => expect(sameBits(a, before[k] as Float32Array), `array ${k}`).to.equal(true));
    });
  });
}

describe('optimizer steps in a recorded program', () => {
  it('return the index of the scalar that receives 1 (applied) or NaN (refused, nothing written)', () => {
    const p = Float32Array.from([1, 2, 3]);
    const velocity = new Float32Array(3);
    const program = record(() => {
      expect(native.sgdStep(p, velocity, Float32Array.from([1, NaN, 1]), 0.1, 0.9, false)).to.equal(0); // scalar index 0
      expect(native.sgdStep(p, null, Float32Array.from([1, 1, 1]), 0.5, 0, false)).to.equal(1); // scalar index 1
    });
    const result = native.runProgram(program);
    expect(result.outcome).to.equal('completed');
    expect(Array.from(result.scalars)).to.deep.equal([NaN, 1]);
    expect(Array.from(p)).to.deep.equal([0.5, 1.5, 2.5]);
    expect(Array.from(velocity)).to.deep.equal([0, 0, 0]);
  });
});
