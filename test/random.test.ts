import { expect } from 'chai';

import { native } from '../lib/backend';
import { ArgumentRangeError, ArgumentTypeError } from '../lib/errors';
import { fillDropoutMask, fillNormal, fillUniform, globalRandom, Random, seed } from '../lib/random';
import { expectClose, VALUES } from './helpers/compare';

/** Mean and (biased) variance in float64. */
function moments(values: Float32Array): { mean: number; variance: number } {
  let sum = 0;
  for (const v of values) sum += v;
  const mean = sum / values.length;
  let squares = 0;
  for (const v of values) squares += (v - mean) ** 2;
  return { mean, variance: squares / values.length };
}

/** The next draws of both generators agree: the native fill advanced the shared state exactly. */
function expectInStep(a: Random, b: Random): void {
  for (let i = 0; i < 4; i++) expect(a.nextUint32()).to.equal(b.nextUint32());
}

describe('Random native fills', () => {
  it('fillUniform draws the JS generator\'s numbers, mapped to [low, high)', () => {
    for (const count of [0, 1, 7, 1001]) {
      const fast = new Random(11);
      const slow = new Random(11);
      const got = new Float32Array(count);
      fast.fillUniform(got, -2, 3);
      const ref = Float32Array.from({ length: count }, () => -2 + 5 * ((slow.nextUint32() >>> 8) / 16777216));
      expect(Array.from(got)).to.deep.equal(Array.from(ref));
      expectInStep(fast, slow);
    }
  });

  it('fillNormal draws the JS generator\'s Box-Muller pairs, odd counts included', () => {
    for (const count of [1, 2, 7, 1001]) {
      const fast = new Random(12);
      const slow = new Random(12);
      const got = new Float32Array(count);
      fast.fillNormal(got, 0.5, 2);
      const ref = new Float64Array(count);
      for (let i = 0; i < count; i += 2) {
        const u1 = 1 - slow.nextUint32() / 4294967296;
        const u2 = slow.nextUint32() / 4294967296;
        const r = Math.sqrt(-2 * Math.log(u1));
        ref[i] = 0.5 + 2 * r * Math.cos(2 * Math.PI * u2);
        if (i + 1 < count) ref[i + 1] = 0.5 + 2 * r * Math.sin(2 * Math.PI * u2);
      }
      expectClose(got, ref, VALUES, `normal, count ${count}`);
      expectInStep(fast, slow);
    }
  });

  it('fillDropoutMask keeps where the JS draw is at least rate, with value 1 / (1 - rate)', () => {
    const fast = new Random(13);
    const slow = new Random(13);
    const got = new Float32Array(513);
    fast.fillDropoutMask(got, 0.3);
    const kept = Math.fround(1 / 0.7);
    const ref = Float32Array.from({ length: got.length }, () => (slow.nextUint32() / 4294967296 >= 0.3 ? kept : 0));
    expect(Array.from(got)).to.deep.equal(Array.from(ref));
    expectInStep(fast, slow);
  });

  it('shuffle is Fisher-Yates over the JS generator\'s draws, each index drawn as integer() draws it, on lengths 0 to 70001', () => {
    for (const count of [0, 1, 2, 7, 1000, 70001]) {
      const fast = new Random(13);
      const slow = new Random(13);
      const got = Uint32Array.from({ length: count }, (_, i) => i);
      fast.shuffle(got);
      const ref = Uint32Array.from({ length: count }, (_, i) => i);
      for (let i = count - 1; i > 0; i--) {
        const j = slow.integer(i + 1);
        [ref[i], ref[j]] = [ref[j] as number, ref[i] as number];
      }
      expect(Array.from(got), `count ${count}`).to.deep.equal(Array.from(ref));
      expectInStep(fast, slow);
    }
    expect(() => native.randomShuffle(new Uint32Array(3), new Uint32Array(2))).to.throw(RangeError, /state to hold the generator's 4 words/);
    const shared = new Uint32Array(8).fill(1);
    expect(() => native.randomShuffle(shared.subarray(0, 4), shared.subarray(2))).to.throw(RangeError, /values and state to be separate memory/);
    expect(() => native.randomShuffle(new Uint32Array(4).fill(1), new Float32Array(2) as never)).to.throw(TypeError, /Uint32Array for values/);
  });

  it('has the moments of its distributions within sampling error (4 standard errors)', () => {
    const n = 100000;
    const rng = new Random(14);
    const uniform = new Float32Array(n);
    rng.fillUniform(uniform, 1, 3);
    const u = moments(uniform);
    expect(Math.abs(u.mean - 2)).to.be.below(4 * Math.sqrt(1 / 3 / n));
    expect(Math.abs(u.variance - 1 / 3)).to.be.below(4 * Math.sqrt(4 / 45 / n)); // var of (U - mean)^2 is (b-a)^4/180
    expect(Math.min(...uniform)).to.be.at.least(1);
    expect(Math.max(...uniform)).to.be.below(3);

    const normal = new Float32Array(n);
    rng.fillNormal(normal, -1, 3);
    const z = moments(normal);
    expect(Math.abs(z.mean + 1)).to.be.below(4 * 3 / Math.sqrt(n));
    expect(Math.abs(z.variance - 9)).to.be.below(4 * 9 * Math.sqrt(2 / n));

    for (const rate of [0, 0.1, 0.5, 0.9]) {
      const mask = new Float32Array(n);
      rng.fillDropoutMask(mask, rate);
      const keptCount = mask.reduce((c, v) => c + (v !== 0 ? 1 : 0), 0);
      expect(Math.abs(keptCount / n - (1 - rate)), `keep rate at rate ${rate}`).to.be.at.most(4 * Math.sqrt((rate * (1 - rate)) / n));
      expect(new Set(mask.filter((v) => v !== 0))).to.deep.equal(new Set([Math.fround(1 / (1 - rate))]));
    }
  });

  it('stays below high even where rounding to float would reach it, and gives low when low == high', () => {
    const rng = new Random(15);
    const narrow = new Float32Array(10000);
    rng.fillUniform(narrow, 1, Math.fround(1 + 2 ** -23)); // two floats apart: rounding up is common
    expect(narrow.every((v) => v === 1)).to.equal(true);
    rng.fillUniform(narrow, 4, 4);
    expect(narrow.every((v) => v === 4)).to.equal(true);
  });

  it('seed(n) replays native and JS draws alike', () => {
    const run = (): number[] => {
      const a = new Float32Array(5);
      const b = new Float32Array(5);
      const c = new Float32Array(5);
      fillUniform(a, 0, 1);
      const js = globalRandom.uniform();
      fillNormal(b, 0, 1);
      fillDropoutMask(c, 0.5);
      return [...a, js, ...b, ...c, globalRandom.normal()];
    };
    seed(21);
    const first = run();
    seed(21);
    expect(run()).to.deep.equal(first);
    seed(22);
    expect(run()).to.not.deep.equal(first);
  });

  it('refuses bad arguments with typed errors', () => {
    const dst = new Float32Array(4);
    expect(() => fillDropoutMask(dst, 1)).to.throw(ArgumentRangeError, /Expected a number in \[0, 1\) for rate but received 1 \(number\)/);
    expect(() => fillDropoutMask(dst, 1.5)).to.throw(ArgumentRangeError, /for rate but received 1.5/);
    expect(() => fillDropoutMask(dst, -0.1)).to.throw(ArgumentRangeError, /for rate/);
    expect(() => fillNormal(dst, 0, -1)).to.throw(ArgumentRangeError, /Expected a number in \[0, .*\] for stddev but received -1/);
    expect(() => fillNormal(dst, NaN, 1)).to.throw(ArgumentRangeError, /for mean but received NaN/);
    expect(() => fillUniform(dst, 2, 1)).to.throw(ArgumentRangeError, /Expected a number in \[2, .*\] for high but received 1/);
    expect(() => fillUniform(dst, 0, Infinity)).to.throw(ArgumentRangeError, /for high/);
    expect(() => fillUniform(new Float64Array(4) as unknown as Float32Array, 0, 1)).to.throw(ArgumentTypeError, /Expected a Float32Array for dst but received Float64Array of length 4/);
    expect(() => fillUniform(dst, '0' as unknown as number, 1)).to.throw(ArgumentTypeError, /for low/);
  });

  it('has a binding that checks the state, the buffer and the parameters again', () => {
    const dst = new Float32Array(4);
    expect(() => native.randomFillUniform(new Uint32Array(3), dst, 0, 1)).to.throw(RangeError, /state to hold the generator's 4 words but its length is 3/);
    expect(() => native.randomFillUniform(new Int32Array(4) as unknown as Uint32Array, dst, 0, 1)).to.throw(TypeError, /Expected a Uint32Array for state/);
    expect(() => native.randomFillNormal(new Uint32Array(4), new Float64Array(2) as unknown as Float32Array, 0, 1)).to.throw(TypeError, /Float32Array for dst/);
    expect(() => native.randomFillUniform(new Uint32Array(4), dst, 1, 0)).to.throw(RangeError, /low <= high/);
    expect(() => native.randomFillUniform(new Uint32Array(4), dst, 0, 1e39)).to.throw(RangeError, /float range for high/);
    expect(() => native.randomFillNormal(new Uint32Array(4), dst, 0, -1)).to.throw(RangeError, /stddev >= 0/);
    expect(() => native.randomFillDropoutMask(new Uint32Array(4), dst, 1)).to.throw(RangeError, /rate in \[0, 1\)/);
    expect(() => native.randomFillDropoutMask(new Uint32Array(4), dst, NaN)).to.throw(RangeError, /finite number for rate/);
  });
});
