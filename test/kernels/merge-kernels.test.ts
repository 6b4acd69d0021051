/**
 * The merge kernels of graph models (native/kernels/merge.h, native/binding/merge_binding.cc):
 * each against a float64 reference on awkward lengths, in place, and inside a plan; each refused
 * argument a thrown error that names it, never a crash.
 */
import { expect } from 'chai';

import { native } from '../../lib/backend';
import { PlanCalls } from '../../lib/core/kernels';
import { Plan } from '../../lib/core/plan';
import { expectClose, VALUES } from '../helpers/compare';
import { randomArray, randomClasses } from '../helpers/data';

type F32 = Float32Array;

/** Awkward lengths, and the last past two chunks of 32768 floats so the thread pool runs it. */
const LENGTHS = [1, 7, 33, 257, 1000, 70001];

const f32 = (...values: number[]): F32 => Float32Array.from(values);

/** out[i] = op(a[i], b[i]) in float64. */
function map2(a: F32, b: F32, op: (p: number, q: number) => number): Float64Array {
  return Float64Array.from(a, (p, i) => op(p, b[i] as number));
}

/** max and min as the kernels define them: NaN when either is NaN (Math.max/min agree). */
const binaryOps = [
  { name: 'subtractElementwise', ref: (p: number, q: number) => p - q },
  { name: 'maximumElementwise', ref: Math.max },
  { name: 'minimumElementwise', ref: Math.min },
] as const;

/** The reference of copyColumns: dst0 with the block of src copied in, in float64. */
function copyColumnsRef(dst0: F32, dstCols: number, dstOffset: number, src: F32, srcCols: number, srcOffset: number, width: number, n: number): Float64Array {
  const out = Float64Array.from(dst0);
  for (let r = 0; r < n; r++) {
    for (let c = 0; c < width; c++) out[r * dstCols + dstOffset + c] = src[r * srcCols + srcOffset + c] as number;
  }
  return out;
}

/** Per input, the gradient maximum's backward gives it: dy where it is the first input equal to y. */
function winnerRef(xs: readonly F32[], y: F32, dy: F32): Float64Array[] {
  const dxs = xs.map((x) => new Float64Array(x.length));
  for (let i = 0; i < y.length; i++) {
    const k = xs.findIndex((x) => x[i] === y[i]);
    if (k >= 0) (dxs[k] as Float64Array)[i] = dy[i] as number;
  }
  return dxs;
}

describe('merge kernels', () => {
  for (const { name, ref } of binaryOps) {
    describe(name, () => {
      for (const length of LENGTHS) {
        it(`matches float64 (length ${length})`, () => {
          const a = randomArray(length, 10 + length, 3);
          const b = randomArray(length, 20 + length, 3);
          const out = new Float32Array(length).fill(NaN);
          native[name](out, a, b);
          expectClose(out, map2(a, b, ref), VALUES, name);
        });

        it(`works in place, out being a or b (length ${length})`, () => {
          const a = randomArray(length, 30 + length);
          const b = randomArray(length, 40 + length);
          const expected = map2(a, b, ref);
          const intoA = a.slice();
          native[name](intoA, intoA, b);
          expectClose(intoA, expected, VALUES, `${name} into a`);
          const intoB = b.slice();
          native[name](intoB, a, intoB);
          expectClose(intoB, expected, VALUES, `${name} into b`);
        });
      }
    });
  }

  describe('maximumElementwise and minimumElementwise with NaN', () => {
    it('give NaN where either input is NaN, in the vector body and in the tail', () => {
      for (const length of [1, 7, 33, 257]) {
        const a = randomArray(length, 50 + length);
        const b = randomArray(length, 60 + length);
        for (let i = 0; i < length; i += 3) a[i] = NaN;
        for (let i = 0; i < length; i += 5) b[i] = NaN;
        for (const name of ['maximumElementwise', 'minimumElementwise'] as const) {
          const out = new Float32Array(length);
          native[name](out, a, b);
          for (let i = 0; i < length; i++) {
            const eitherNaN = Number.isNaN(a[i]) || Number.isNaN(b[i]);
            expect(Number.isNaN(out[i]), `${name} [${i}] of ${length}: got ${out[i]} from ${a[i]} and ${b[i]}`).to.equal(eitherNaN);
          }
        }
      }
    });

    it('keep infinities as values', () => {
      const a = f32(-Infinity, Infinity, NaN, 0, -Infinity);
      const b = f32(1, 2, -Infinity, NaN, -Infinity);
      const max = new Float32Array(5);
      const min = new Float32Array(5);
      native.maximumElementwise(max, a, b);
      native.minimumElementwise(min, a, b);
      expect(Array.from(max)).to.deep.equal([1, Infinity, NaN, NaN, -Infinity]);
      expect(Array.from(min)).to.deep.equal([-Infinity, 2, NaN, NaN, -Infinity]);
    });
  });

  describe('scaleElementwise', () => {
    for (const length of LENGTHS) {
      it(`matches float64, and in place (length ${length})`, () => {
        const x = randomArray(length, 70 + length, 5);
        const alpha = -0.37;
        const expected = Float64Array.from(x, (v) => Math.fround(alpha) * v);
        const out = new Float32Array(length).fill(NaN);
        native.scaleElementwise(out, x, alpha);
        expectClose(out, expected, VALUES, 'out');
        native.scaleElementwise(x, x, alpha);
        expectClose(x, expected, VALUES, 'x in place');
      });
    }
  });

  describe('copyColumns', () => {
    // [n, dstCols, dstOffset, srcCols, srcOffset, width]
    const cases: [number, number, number, number, number, number][] = [
      [1, 1, 0, 1, 0, 1],
      [7, 10, 3, 5, 1, 4],
      [33, 7, 4, 3, 0, 3],
      [257, 13, 12, 1, 0, 1],
      [1000, 8, 2, 17, 9, 5],
      [33, 9, 0, 9, 0, 9], // width == dstCols == srcCols: one block
      [257, 6, 0, 6, 0, 6],
      [7, 12, 0, 5, 0, 5], // whole rows of src only
      [7, 5, 0, 12, 7, 5], // whole rows of dst only
    ];
    for (const [n, dstCols, dstOffset, srcCols, srcOffset, width] of cases) {
      it(`copies the block and keeps dst's other columns (n ${n}, dst ${dstCols} from ${dstOffset}, src ${srcCols} from ${srcOffset}, width ${width})`, () => {
        const dst = randomArray(n * dstCols, 80 + n + dstCols, 7);
        const src = randomArray(n * srcCols, 90 + n + srcCols);
        const expected = copyColumnsRef(dst, dstCols, dstOffset, src, srcCols, srcOffset, width, n);
        native.copyColumns(dst, dstCols, dstOffset, src, srcCols, srcOffset, width, n);
        expect(Array.from(dst)).to.deep.equal(Array.from(expected));
      });
    }

    it('does nothing for n = 0', () => {
      native.copyColumns(new Float32Array(0), 4, 1, new Float32Array(0), 2, 0, 2, 0);
    });

    it('slices inputs out of a packed matrix and packs them back (concatenate forward and backward)', () => {
      const n = 33;
      const [a, b, c] = [randomArray(n * 3, 101), randomArray(n * 1, 102), randomArray(n * 5, 103)];
      const packed = new Float32Array(n * 9).fill(NaN);
      native.copyColumns(packed, 9, 0, a, 3, 0, 3, n);
      native.copyColumns(packed, 9, 3, b, 1, 0, 1, n);
      native.copyColumns(packed, 9, 4, c, 5, 0, 5, n);
      expect(packed.some(Number.isNaN)).to.equal(false);
      for (const [part, offset, width] of [[a, 0, 3], [b, 3, 1], [c, 4, 5]] as const) {
        const back = new Float32Array(n * width);
        native.copyColumns(back, width, 0, packed, 9, offset, width, n);
        expect(Array.from(back)).to.deep.equal(Array.from(part));
      }
    });
  });

  describe('winnerGradient', () => {
    for (const length of LENGTHS) {
      it(`passes dy to the first of 3 inputs equal to y, ties included (length ${length})`, () => {
        // Values from {0, 1, 2}: ties between two and three inputs are frequent.
        const xs = [randomClasses(length, 3, 110 + length), randomClasses(length, 3, 120 + length), randomClasses(length, 3, 130 + length)];
        const dy = randomArray(length, 140 + length);
        for (const [name, fold] of [['maximumElementwise', Math.max], ['minimumElementwise', Math.min]] as const) {
          const y = new Float32Array(length);
          native[name](y, xs[0] as F32, xs[1] as F32);
          native[name](y, y, xs[2] as F32);
          expect(Array.from(y)).to.deep.equal(Array.from(xs[0] as F32, (v, i) => fold(v, (xs[1] as F32)[i] as number, (xs[2] as F32)[i] as number)));
          const refs = winnerRef(xs, y, dy);
          const claimed = new Float32Array(length).fill(7); // first resets whatever is there
          const sum = new Float64Array(length);
          xs.forEach((x, k) => {
            const dx = new Float32Array(length).fill(NaN);
            native.winnerGradient(dx, claimed, dy, x, y, k === 0 ? 1 : 0);
            expect(Array.from(dx), `${name}: dx of input ${k}`).to.deep.equal(Array.from(refs[k] as Float64Array));
            dx.forEach((g, i) => (sum[i] = (sum[i] as number) + g));
          });
          expect(Array.from(sum), `${name}: the gradient is passed on exactly once`).to.deep.equal(Array.from(dy));
          expect(claimed.every((c) => c === 1), `${name}: every element claimed`).to.equal(true);
        }
      });
    }

    it('gives the tie to the earlier input only', () => {
      const x0 = f32(5, 1, 3, 2);
      const x1 = f32(5, 4, 3, 4);
      const x2 = f32(0, 4, 3, 4);
      const y = f32(5, 4, 3, 4);
      const dy = f32(10, 20, 30, 40);
      const claimed = new Float32Array(4);
      const dxs = [x0, x1, x2].map((x, k) => {
        const dx = new Float32Array(4);
        native.winnerGradient(dx, claimed, dy, x, y, k === 0);
        return Array.from(dx);
      });
      expect(dxs).to.deep.equal([[10, 0, 30, 0], [0, 20, 0, 40], [0, 0, 0, 0]]);
    });

    it('takes first as a boolean or as 0 and 1, alike', () => {
      const x = f32(1, 2, 3);
      const y = f32(1, 0, 3);
      const dy = f32(-1, -2, -3);
      for (const [first, later] of [[true, false], [1, 0]] as const) {
        const claimed = f32(1, 1, 1);
        const dx = new Float32Array(3);
        native.winnerGradient(dx, claimed, dy, x, y, first);
        expect(Array.from(dx)).to.deep.equal([-1, 0, -3]);
        expect(Array.from(claimed)).to.deep.equal([1, 0, 1]);
        native.winnerGradient(dx, claimed, dy, y, y, later);
        expect(Array.from(dx)).to.deep.equal([0, -2, 0]);
        expect(Array.from(claimed)).to.deep.equal([1, 1, 1]);
      }
    });

    it('gives exactly 0 to a loser even where dy is infinite or NaN', () => {
      const dx = new Float32Array(3).fill(NaN);
      native.winnerGradient(dx, new Float32Array(3), f32(Infinity, NaN, -Infinity), f32(0, 0, 1), f32(1, 1, 1), 1);
      expect(Array.from(dx)).to.deep.equal([0, 0, -Infinity]);
      expect(Object.is(dx[0], 0) && Object.is(dx[1], 0)).to.equal(true);
    });
  });

  describe('in a plan', () => {
    it('copyColumns and winnerGradient give the same results as called directly', () => {
      const n = 33;
      const src = randomArray(n * 7, 150);
      const xs = [randomClasses(n * 4, 3, 151), randomClasses(n * 4, 3, 152)];
      const y = new Float32Array(n * 4);
      native.maximumElementwise(y, xs[0] as F32, xs[1] as F32);
      const dy = randomArray(n * 4, 153);

      const direct = { dst: randomArray(n * 5, 154), claimed: new Float32Array(n * 4), dx: [new Float32Array(n * 4), new Float32Array(n * 4)] };
      const planned = { dst: direct.dst.slice(), claimed: new Float32Array(n * 4), dx: [new Float32Array(n * 4), new Float32Array(n * 4)] };

      native.copyColumns(direct.dst, 5, 1, src, 7, 2, 4, n);
      xs.forEach((x, k) => native.winnerGradient(direct.dx[k] as F32, direct.claimed, dy, x, y, k === 0 ? 1 : 0));

      const calls = new PlanCalls([]);
      calls.k.copyColumns(planned.dst, 5, 1, src, 7, 2, 4, n);
      xs.forEach((x, k) => calls.k.winnerGradient(planned.dx[k] as F32, planned.claimed, dy, x, y, k === 0 ? 1 : 0));
      const plan = new Plan(calls, []);
      expect(planned.dx.every((dx) => dx.every((v) => v === 0)), 'making the plan runs nothing').to.equal(true);
      expect(plan.run(1, new Float64Array(0), new Float64Array(0))).to.deep.equal({ outcome: 'completed', steps: 1 });

      expect(Array.from(planned.dst)).to.deep.equal(Array.from(direct.dst));
      expect(Array.from(planned.claimed)).to.deep.equal(Array.from(direct.claimed));
      planned.dx.forEach((dx, k) => expect(Array.from(dx), `dx of input ${k}`).to.deep.equal(Array.from(direct.dx[k] as F32)));
      expect(Array.from(direct.dx[0] as F32)).to.deep.equal(Array.from(winnerRef(xs, y, dy)[0] as Float64Array));
    });

    it('a bad merge call throws when the plan is made, naming the call and the argument', () => {
      const calls = new PlanCalls([]);
      calls.k.copyColumns(new Float32Array(6), 3, 2, new Float32Array(4), 2, 0, 2, 2);
      // plan.cc rethrows a decoder's error as an Error that names the call: the class is not kept.
      expect(() => new Plan(calls, [])).to.throw(/calls\[0\] \(copyColumns\): Expected dstOffset \+ width <= dstCols/);
    });
  });

  describe('refused arguments', () => {
    const shared = new Float32Array(16);

    it('elementwise ops: lengths, kinds, argument counts and partial overlap', () => {
      for (const { name } of binaryOps) {
        const op = native[name] as (...args: unknown[]) => void;
        expect(() => op(new Float32Array(3), new Float32Array(3), new Float32Array(4)), name).to.throw(RangeError, /out, a and b of one length but their lengths are 3, 3 and 4/);
        expect(() => op(new Float32Array(2), new Float32Array(3), new Float32Array(2)), name).to.throw(RangeError, /lengths are 2, 3 and 2/);
        expect(() => op(new Float32Array(3), new Float64Array(3), new Float32Array(3)), name).to.throw(TypeError, /Float32Array for a but received Float64Array/);
        expect(() => op(new Float32Array(3), new Float32Array(3)), name).to.throw(TypeError, /expects 3 arguments but received 2/);
        expect(() => op(shared.subarray(0, 8), shared.subarray(1, 9), new Float32Array(8)), name).to.throw(RangeError, /out not to share memory with a \(the very same array is allowed\)/);
        expect(() => op(shared.subarray(4, 12), new Float32Array(8), shared.subarray(0, 8)), name).to.throw(RangeError, /out not to share memory with b/);
      }
    });

    it('scaleElementwise: alpha not finite or beyond float range, lengths, overlap', () => {
      const [out, x] = [new Float32Array(3), new Float32Array(3)];
      for (const alpha of [NaN, Infinity, -Infinity]) {
        expect(() => native.scaleElementwise(out, x, alpha), `alpha ${alpha}`).to.throw(RangeError, /Expected a finite number for alpha/);
      }
      expect(() => native.scaleElementwise(out, x, 1e300)).to.throw(RangeError, /within float range for alpha/);
      expect(() => native.scaleElementwise(out, x, '2' as never)).to.throw(TypeError, /for alpha but received string/);
      expect(() => native.scaleElementwise(new Float32Array(4), x, 2)).to.throw(RangeError, /Expected out \(as long as x\) to hold 3x1 = 3 floats but its length is 4/);
      expect(() => native.scaleElementwise(shared.subarray(1, 5), shared.subarray(0, 4), 2)).to.throw(RangeError, /out not to share memory with x/);
    });

    it('copyColumns: lengths, block past the row, width 0, bad sizes, overlap', () => {
      const copy = (dst: F32, dstCols: number, dstOffset: number, src: F32, srcCols: number, srcOffset: number, width: number, n: number) => () =>
        native.copyColumns(dst, dstCols, dstOffset, src, srcCols, srcOffset, width, n);
      const [dst, src] = [new Float32Array(2 * 5), new Float32Array(2 * 3)];
      expect(copy(new Float32Array(9), 5, 0, src, 3, 0, 3, 2)).to.throw(RangeError, /Expected dst \(n x dstCols\) to hold 2x5 = 10 floats but its length is 9/);
      expect(copy(dst, 5, 0, new Float32Array(7), 3, 0, 3, 2)).to.throw(RangeError, /Expected src \(n x srcCols\) to hold 2x3 = 6 floats but its length is 7/);
      expect(copy(dst, 5, 3, src, 3, 0, 3, 2)).to.throw(RangeError, /Expected dstOffset \+ width <= dstCols but dstOffset is 3, width 3 and dstCols 5/);
      expect(copy(dst, 5, 0, src, 3, 1, 3, 2)).to.throw(RangeError, /Expected srcOffset \+ width <= srcCols but srcOffset is 1, width 3 and srcCols 3/);
      expect(copy(dst, 5, 2 ** 31 - 1, src, 3, 0, 3, 2)).to.throw(RangeError, /dstOffset \+ width <= dstCols/);
      expect(copy(dst, 5, 0, src, 3, 0, 0, 2)).to.throw(RangeError, /Expected width >= 1/);
      expect(copy(dst, 5, -1, src, 3, 0, 3, 2)).to.throw(RangeError, /non-negative integer below 2\^31 for dstOffset/);
      expect(copy(dst, 5, 0, src, 3, 0.5, 2, 2)).to.throw(RangeError, /for srcOffset/);
      expect(copy(dst, 5, 0, src, 3, 0, 3, NaN)).to.throw(RangeError, /for n/);
      expect(() => native.copyColumns(dst, '5' as never, 0, src, 3, 0, 3, 2)).to.throw(TypeError, /for dstCols but received string/);
      expect(copy(shared.subarray(0, 6), 3, 0, shared.subarray(0, 6), 3, 0, 3, 2)).to.throw(RangeError, /Expected dst not to share memory with src/);
      expect(copy(shared.subarray(4, 10), 3, 0, shared.subarray(0, 6), 3, 0, 3, 2)).to.throw(RangeError, /dst not to share memory with src/);
    });

    it('winnerGradient: lengths, first, aliasing of dx and claimed', () => {
      const a = () => new Float32Array(4);
      const call = (dx: F32, claimed: F32, dy: F32, x: F32, y: F32, first: unknown) => () => native.winnerGradient(dx, claimed, dy, x, y, first as 0);
      expect(call(a(), new Float32Array(3), a(), a(), a(), 1)).to.throw(RangeError, /Expected claimed \(as long as dx\) to hold 4x1 = 4 floats but its length is 3/);
      expect(call(a(), a(), new Float32Array(5), a(), a(), 1)).to.throw(RangeError, /Expected dy \(as long as dx\)/);
      expect(call(a(), a(), a(), new Float32Array(0), a(), 1)).to.throw(RangeError, /Expected x \(as long as dx\)/);
      expect(call(a(), a(), a(), a(), new Float32Array(1), 1)).to.throw(RangeError, /Expected y \(as long as dx\)/);
      expect(call(a(), a(), a(), a(), a(), 2)).to.throw(RangeError, /Expected a boolean, 0 or 1 for first but received 2/);
      expect(call(a(), a(), a(), a(), a(), 0.5)).to.throw(RangeError, /for first/);
      expect(call(a(), a(), a(), a(), a(), NaN)).to.throw(RangeError, /for first/);
      expect(call(a(), a(), a(), a(), a(), 'yes')).to.throw(TypeError, /Expected a boolean, 0 or 1 for first/);
      expect(call(a(), a(), a(), a(), a(), undefined)).to.throw(TypeError, /for first/);
      const dx = a();
      const claimed = a();
      expect(call(dx, dx, a(), a(), a(), 1)).to.throw(RangeError, /Expected dx not to share memory with claimed/);
      expect(call(dx, claimed, dx, a(), a(), 1)).to.throw(RangeError, /Expected dx not to share memory with dy/);
      expect(call(dx, claimed, a(), dx, a(), 1)).to.throw(RangeError, /Expected dx not to share memory with x/);
      expect(call(dx, claimed, a(), a(), dx, 1)).to.throw(RangeError, /Expected dx not to share memory with y/);
      expect(call(dx, claimed, claimed, a(), a(), 1)).to.throw(RangeError, /Expected claimed not to share memory with dy/);
      expect(call(dx, claimed, a(), claimed, a(), 1)).to.throw(RangeError, /Expected claimed not to share memory with x/);
      expect(call(dx, claimed, a(), a(), claimed, 1)).to.throw(RangeError, /Expected claimed not to share memory with y/);
      expect(call(shared.subarray(0, 4), shared.subarray(2, 6), a(), a(), a(), 1)).to.throw(RangeError, /dx not to share memory with claimed/);
      const x = a();
      native.winnerGradient(a(), a(), a(), x, x, 1); // x and y may be one array: both are only read
    });

    it('leaves the process working after every refusal', () => {
      const out = new Float32Array(3);
      native.subtractElementwise(out, f32(5, 6, 7), f32(1, 2, 3));
      expect(Array.from(out)).to.deep.equal([4, 4, 4]);
    });
  });
});
