import { expect } from 'chai';

import { native } from '../../lib/backend';
import { now, PlanCalls, type Kernels } from '../../lib/core/kernels';
import { Plan } from '../../lib/core/plan';
import { expectClose } from '../helpers/compare';
import { randomArray } from '../helpers/data';

// Steps computed by hand in float64 from the formulas in native/kernels/optimizers.h, on every ISA
// path the CPU supports. 70001 spans several parallel chunks of 2^15 and ends in a partial one;
// 7 and 1 are shorter than one 8-float AVX2 vector (scalar tail only); 0 is an empty arena.
// Each slot is two arrays, as lib/optimizers keeps them: a step reads one and writes the other,
// which becomes current once the step is applied; a step overwrites grads with the old params.
const LENGTHS = [70001, 7, 1, 0];
const TOL = { atol: 1e-6, rtol: 1e-5 };
// The kernel takes float32 hyperparameters; 1 - fround(0.999) differs from 0.001 by 1e-5
// relative, so the float64 reference starts from the same float32 values.
const [LR, B1, B2, EPS] = [0.01, 0.9, 0.999, 1e-7].map(Math.fround) as [number, number, number, number];
const { supportedIsas, isa: defaultIsa, threads: defaultThreads, maxThreads } = native.backendInfo();

/** A slot's two arrays: a step reads `current` and writes `next`. */
interface Slot {
  current: Float32Array;
  next: Float32Array;
}

const slotOf = (values: Float32Array): Slot => ({ current: values, next: new Float32Array(values.length) });

/** After an applied step, what it wrote becomes current. */
function advance(...slots: Slot[]): void {
  for (const s of slots) [s.current, s.next] = [s.next, s.current];
}

/** Three Adam steps from zero moments; the second with tiny gradients, so epsilon matters. */
function adamRun(length: number) {
  const p = randomArray(length, 4);
  const [m, v] = [slotOf(new Float32Array(length)), slotOf(new Float32Array(length))];
  const grads = [1, 2, 3].map((t) => randomArray(length, 20 + t, t === 2 ? 1e-4 : 1));
  grads.forEach((g, i) => {
    expect(native.adamStep(p, g.slice(), m.next, v.next, null, m.current, v.current, null, LR, B1, B2, EPS, 0, i + 1)).to.equal(1);
    advance(m, v);
  });
  return { p, m: m.current, v: v.current, grads };
}

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

type Arrays3 = [Float32Array, Float32Array, Float32Array];

/**
 * Params, grads and three slots, each an in (a signed one and two positive ones, second moments)
 * and an out; each step uses what its options need.
 */
interface State {
  p: Float32Array;
  g: Float32Array;
  ins: Arrays3;
  outs: Arrays3;
}

const mapState = (s: State, f: (a: Float32Array) => Float32Array): State => ({
  p: f(s.p),
  g: f(s.g),
  ins: s.ins.map(f) as Arrays3,
  outs: s.outs.map(f) as Arrays3,
});

/** Positive slots in [0.01, 0.02]: centered RMSprop's v stays above a^2, as it does from zero slots. */
function startState(n: number, gradientSeed: number): State {
  const positive = (seed: number) => randomArray(n, seed, 0.01).map((x) => 0.01 + Math.abs(x));
  return { p: randomArray(n, 30), g: randomArray(n, gradientSeed), ins: [randomArray(n, 31, 0.1), positive(32), positive(34)], outs: [0, 1, 2].map((k) => new Float32Array(n).fill(k + 0.5)) as Arrays3 };
}

/** Every kernel and every option that changes its loop; each returns the step's outcome. */
/** Each optimizer's step on a state, through kernels run now (now.k) or added to a plan. */
type Step = <S extends number>(s: State, k: Kernels<S>) => S;

const STEPS: [string, Step][] = [
  ['adam', ({ p, g, ins: [m, v], outs: [mOut, vOut] }, k) => k.adamStep(p, g, mOut, vOut, null, m, v, null, LR, B1, B2, EPS, 0, 5)],
  ['adamw with amsgrad', ({ p, g, ins: [m, v, vh], outs: [mOut, vOut, vhOut] }, k) => k.adamStep(p, g, mOut, vOut, vhOut, m, v, vh, LR, B1, B2, EPS, 0.01, 5)],
  ['sgd with momentum', ({ p, g, ins: [v], outs: [vOut] }, k) => k.sgdStep(p, g, vOut, v, 0.05, 0.9, false)],
  ['sgd with nesterov momentum', ({ p, g, ins: [v], outs: [vOut] }, k) => k.sgdStep(p, g, vOut, v, 0.05, 0.9, true)],
  ['sgd', ({ p, g }, k) => k.sgdStep(p, g, null, null, 0.1, 0, false)],
  ['adagrad', ({ p, g, ins: [, a], outs: [, aOut] }, k) => k.adagradStep(p, g, aOut, a, 0.1, 1e-7)],
  ['adadelta', ({ p, g, ins: [, eg, ed], outs: [, egOut, edOut] }, k) => k.adadeltaStep(p, g, egOut, edOut, eg, ed, 1, 0.95, 1e-7)],
  ['rmsprop', ({ p, g, ins: [, v], outs: [, vOut] }, k) => k.rmspropStep(p, g, vOut, null, null, v, null, null, 0.01, 0.9, 0, 1e-7)],
  ['centered rmsprop with momentum', ({ p, g, ins: [mom, v, a], outs: [momOut, vOut, aOut] }, k) => k.rmspropStep(p, g, vOut, momOut, aOut, v, mom, a, 0.01, 0.9, 0.5, 1e-7)],
  ['adamax', ({ p, g, ins: [m, u], outs: [mOut, uOut] }, k) => k.adamaxStep(p, g, mOut, uOut, m, u, 0.01, B1, B2, EPS, 3)],
  ['nadam', ({ p, g, ins: [m, v], outs: [mOut, vOut] }, k) => k.nadamStep(p, g, mOut, vOut, m, v, 0.01, B1, B2, EPS, 3, 0.5)],
];

/** A refused step: params and every slot's in keep their bits, and grads hold the params. */
function expectUntouched(state: State, start: State, what: string): void {
  expect(sameBits(state.p, start.p), `${what}: params restored`).to.equal(true);
  state.ins.forEach((a, k) => expect(sameBits(a, start.ins[k] as Float32Array), `${what}: slot ${k} (in) written`).to.equal(true));
  expect(sameBits(state.g, start.p), `${what}: grads hold the old params`).to.equal(true);
}

for (const isa of supportedIsas) {
  describe(`optimizer kernels (${isa} path)`, () => {
    before(() => native.setIsa(isa));
    after(() => native.setIsa(defaultIsa));

    for (const length of LENGTHS) {
      it(`sgd without momentum on ${length} values: p -= lr g, and grads receive the old p`, () => {
        const p = randomArray(length, 1);
        const g = randomArray(length, 2);
        const ref = Float64Array.from(p, (v, i) => v - 0.1 * (g[i] as number));
        const old = p.slice();
        expect(native.sgdStep(p, g, null, null, 0.1, 0, false)).to.equal(1);
        expectClose(p, ref, TOL);
        expect(sameBits(g, old)).to.equal(true);
      });

      it(`sgd with momentum over three steps on ${length} values: v = mu v - lr g; p += v`, () => {
        const p = randomArray(length, 3);
        const v = slotOf(new Float32Array(length));
        const pRef = Float64Array.from(p);
        const vRef = new Float64Array(length);
        for (let step = 0; step < 3; step++) {
          const g = randomArray(length, 10 + step);
          for (let i = 0; i < length; i++) {
            vRef[i] = 0.9 * (vRef[i] as number) - 0.05 * (g[i] as number);
            pRef[i] = (pRef[i] as number) + (vRef[i] as number);
          }
          const read = v.current.slice();
          expect(native.sgdStep(p, g, v.next, v.current, 0.05, 0.9, false)).to.equal(1);
          expect(sameBits(v.current, read), 'the velocity read is not written').to.equal(true);
          advance(v);
        }
        expectClose(v.current, vRef, TOL, 'velocity');
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

    it(`gives bit-identical results of every step on 1 and ${Math.min(2, maxThreads)} threads`, () => {
      const start = startState(70001, 33);
      const results = [1, Math.min(2, maxThreads)].map((t) => {
        native.setNumThreads(t);
        const adam = adamRun(70001);
        const states = STEPS.map(([name, step]) => {
          const state = mapState(start, (a) => a.slice());
          expect(step(state, now.k), name).to.equal(1);
          return state;
        });
        return [adam.p, adam.m, adam.v, ...states.flatMap((s) => [s.p, s.g, ...s.outs])];
      });
      native.setNumThreads(defaultThreads);
      results[0]?.forEach((a, i) => expect(sameBits(a, results[1]?.[i] as Float32Array), `array ${i}`).to.equal(true));
    });

    it('gives an element the same bits in the vector body as in the scalar tail', () => {
      // One call over 4096 values runs nearly all of them through the vector body; calls over
      // 7-value pieces of the same arrays run every value through the scalar tail.
      const n = 4096;
      const start = startState(n, 33);
      for (const [name, step] of STEPS) {
        const whole = mapState(start, (a) => a.slice());
        step(whole, now.k);
        for (let s = 0; s < n; s += 7) {
          const piece = mapState(start, (a) => a.slice(s, s + 7));
          step(piece, now.k);
          const part = mapState(whole, (a) => a.subarray(s, s + 7));
          [[piece.p, part.p], [piece.g, part.g], ...piece.outs.map((a, k) => [a, part.outs[k]])].forEach(([a, b], k) =>
            expect(sameBits(a as Float32Array, b as Float32Array), `${name}: array ${k} at ${s}`).to.equal(true),
          );
        }
      }
    });

    it('returns 1 from every step it applies, and NaN for a NaN or infinite gradient in its last chunk, with params and slots restored', () => {
      // Three chunks: the bad value sits in the last, after two whose params were already written.
      const n = 70001;
      const start = startState(n, 33);
      for (const [name, step] of STEPS) {
        for (const bad of [NaN, Infinity, -Infinity]) {
          const state = mapState(start, (a) => a.slice());
          state.g[n - 1] = bad;
          expect(step(state, now.k), `${name} with a gradient of ${bad}`).to.be.NaN;
          expectUntouched(state, start, `${name} with a gradient of ${bad}`);
        }
        const state = mapState(start, (a) => a.slice());
        expect(step(state, now.k), name).to.equal(1);
        expect(sameBits(state.p, start.p), `${name}: params unchanged`).to.equal(false);
        expect(sameBits(state.g, start.p), `${name}: grads hold the old params`).to.equal(true);
        state.ins.forEach((a, k) => expect(sameBits(a, start.ins[k] as Float32Array), `${name}: slot ${k} (in) written`).to.equal(true));
      }
    });

    it('refuses sgd at learningRate 1e30 where lr g overflows, and adam where only v would overflow, in the last chunk', () => {
      const n = 70001;
      const g = randomArray(n, 40);
      const p = randomArray(n, 41);
      const applied = p.slice();
      expect(native.sgdStep(applied, g.slice(), null, null, 1e30, 0, false)).to.equal(1); // |lr g| <= 1e30: finite
      g[n - 1] = 1e9;
      const kept = p.slice();
      expect(native.sgdStep(kept, g, null, null, 1e30, 0, false)).to.be.NaN;
      expect(sameBits(kept, p)).to.equal(true);
      expect(sameBits(g, p), 'grads hold the old params').to.equal(true);

      // v = b2 v + (1 - b2) g^2 is past float32 for |g| = 1e21 while p moves by a finite lr_t m / sqrt(v).
      const start = startState(n, 42);
      start.g[n - 1] = 1e21;
      const state = mapState(start, (a) => a.slice());
      expect(STEPS[0]?.[1](state, now.k)).to.be.NaN;
      expectUntouched(state, start, 'adam');
    });
  });
}

describe('optimizer steps in a plan', () => {
  it('give the value 1 (applied) or NaN (refused, params and slots restored), step after step', () => {
    const p = Float32Array.from([1, 2, 3]);
    const [velocityIn, velocityOut] = [Float32Array.from([0.5, 0.5, 0.5]), new Float32Array(3)];
    const [refusedGrads, appliedGrads] = [Float32Array.from([1, NaN, 1]), Float32Array.from([1, 1, 1])];
    const calls = new PlanCalls([]);
    expect(calls.k.sgdStep(p, refusedGrads, velocityOut, velocityIn, 0.1, 0.9, false)).to.equal(0); // value index 0
    expect(calls.k.sgdStep(p, appliedGrads, null, null, 0.5, 0, false)).to.equal(1); // value index 1
    const plan = new Plan(calls, []);
    const values = new Float64Array(2);
    expect(plan.run(1, new Float64Array(0), values)).to.deep.equal({ outcome: 'completed', steps: 1 });
    expect(Array.from(values)).to.deep.equal([NaN, 1]);
    expect(Array.from(p)).to.deep.equal([0.5, 1.5, 2.5]);
    expect(Array.from(velocityIn)).to.deep.equal([0.5, 0.5, 0.5]);
    expect(Array.from(refusedGrads), 'the params before the refused step').to.deep.equal([1, 2, 3]);
    expect(Array.from(appliedGrads), 'the params before the applied step').to.deep.equal([1, 2, 3]);
  });

  it('stop the step at a guard on a refused update, with params and slots as before it', () => {
    const n = 70001;
    const start = startState(n, 43);
    start.g[n - 1] = NaN;
    const state = mapState(start, (a) => a.slice());
    const after = Float32Array.from([1, 2, 3]);
    const calls = new PlanCalls([]);
    const adam = STEPS[0]?.[1] as Step;
    calls.goesOn(adam(state, calls.k));
    calls.k.sgdStep(after, new Float32Array(3), null, null, 1, 0, false);
    const plan = new Plan(calls, []);
    const values = new Float64Array(plan.valueCount);
    expect(plan.run(1, new Float64Array(0), values)).to.deep.equal({ outcome: 'stopped', steps: 1 });
    expect(values[0]).to.be.NaN;
    expectUntouched(state, start, 'adam in a plan');
    expect(Array.from(after), 'the step after the guard did not run').to.deep.equal([1, 2, 3]);
  });

  it('read their learning rate, step and swap from the run\'s inputs: two steps alternate the slots', () => {
    const p = Float32Array.from([1, 1]);
    const [v0, v1] = [new Float32Array(2), new Float32Array(2)];
    const g = new Float32Array(2);
    const calls = new PlanCalls(['learningRate', 'swap']);
    calls.k.copy(g, Float32Array.from([1, -1]));
    calls.k.sgdStep(p, g, v1, v0, calls.input('learningRate'), 0.5, false, calls.input('swap'));
    const plan = new Plan(calls, ['learningRate', 'swap']);
    plan.run(2, Float64Array.of(0.1, 0, 0.2, 1), new Float64Array(2));
    // step 1: v = -0.1 g (into v1), p += v; step 2 reads v1, writes v0: v = 0.5 v - 0.2 g.
    expect(Array.from(v1)).to.deep.equal([Math.fround(-0.1), Math.fround(0.1)]);
    expect(Array.from(v0)).to.deep.equal([Math.fround(Math.fround(0.5 * Math.fround(-0.1)) - Math.fround(0.2)), Math.fround(Math.fround(0.5 * Math.fround(0.1)) + Math.fround(0.2))]);
  });
});
