import { expect } from 'chai';

import { activationCode, activationNames, activationNeedsInput, defaultAlpha, type ActivationName } from '../../lib/activations';
import { native } from '../../lib/backend';
import { expectClose, VALUES } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { activationBackwardRef, activationRef } from '../helpers/reference';

// [rows, cols, scale of z]: rows of 1, 3 and 7 values (below one vector), 8, 16 and 64 (whole
// vectors), 10, 17, 33 and 257 (a tail after the 8- or 16-wide body); 16x10 is a classifier's
// softmax, one block of 16 rows on the avx512 path, and 37x16 two blocks and 5 rows alone; the
// last two are past the 32768-float chunk, so the elementwise kernels and the softmax rows run on
// the thread pool; scale 30 reaches the far tails of exp (sigmoid down to 1e-13, tanh within
// 1e-26 of +-1).
const sizes: [number, number, number][] = [
  [1, 1, 4], [1, 7, 4], [9, 3, 4], [2, 8, 4], [5, 64, 4], [7, 33, 4], [3, 257, 4], [16, 10, 4],
  [37, 16, 4], [3, 17, 4], [1, 33, 30],
  [7, 10001, 30], [7001, 10, 4],
];
// 0 and both zeros, the kinks (+-1 of hardTanh, +-2.5 of hardSigmoid, 6 of relu6), tiny values
// (where elu and softplus would cancel), where erf and tanh saturate, where exp underflows (88),
// and far out (1e3, 1e30). 41 values: five body vectors and a tail.
const grid = Float32Array.from([
  0, -0, 1e-8, -1e-8, 1e-3, -1e-3, 0.25, -0.25, 0.5, -0.5, 1, -1, 1.5, -1.5, 2.5, -2.5, 3, -3, 4.5, -4.5, 6, -6, 7.5, -7.5, 10, -10, 20, -20, 30, -30, 88, -88,
  100, -100, 1e3, -1e3, 1e30, -1e30, 0.7, -5, 5,
]);
const alphas: Partial<Record<ActivationName, number[]>> = { leakyRelu: [0.2, 0, 0.3], elu: [1, 0, 0.7] };
const { supportedIsas, isa: defaultIsa, threads: defaultThreads, maxThreads } = native.backendInfo();

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

/** Forward, then backward from the same z and y, both checked against float64. */
function checkBoth(act: ActivationName, z: Float32Array, rows: number, cols: number, dySeed: number, alpha = defaultAlpha(act)): void {
  const code = activationCode(act);
  const y = new Float32Array(rows * cols);
  native.activationForward(y, z, rows, cols, code, alpha);
  expectClose(y, activationRef(z, rows, cols, act, alpha), VALUES, `${act} forward`);
  const dy = randomArray(rows * cols, dySeed);
  const dz = new Float32Array(rows * cols);
  native.activationBackward(dz, dy, z, y, rows, cols, code, alpha);
  expectClose(dz, activationBackwardRef(dy, z, rows, cols, act, alpha), VALUES, `${act} backward`);
}

for (const isa of supportedIsas) {
  describe(`activation kernels (${isa} path)`, () => {
    before(() => native.setIsa(isa));
    after(() => native.setIsa(defaultIsa));

    for (const act of activationNames) {
      for (const [rows, cols, scale] of sizes) {
        it(`${act} forward and backward match float64 on ${rows}x${cols} (z in +-${scale})`, () => {
          checkBoth(act, randomArray(rows * cols, rows + cols, scale), rows, cols, 3 * rows + cols);
        });
      }

      it(`${act} matches float64 on a grid of zeros, kinks, tiny and huge values${alphas[act] ? ' for several alpha' : ''}`, () => {
        for (const alpha of alphas[act] ?? [defaultAlpha(act)]) {
          checkBoth(act, grid, 1, grid.length, 5, alpha);
          // Each value alone: the masked path of fewer than 8 floats.
          for (let i = 0; i < grid.length; i++) checkBoth(act, grid.subarray(i, i + 1), 1, 1, i, alpha);
        }
      });
    }

    it('sigmoid, tanh and softmax stay finite and saturate at extreme inputs', () => {
      const z = Float32Array.from([-1000, -88, 0, 88, 1000, 3e38]);
      for (const act of ['sigmoid', 'tanh', 'softmax'] as const) {
        const y = new Float32Array(z.length);
        native.activationForward(y, z, 1, z.length, activationCode(act), 0);
        expect(y.every(Number.isFinite), `${act}: ${Array.from(y)}`).to.equal(true);
      }
      const s = new Float32Array(2);
      native.activationForward(s, Float32Array.from([-1000, 1000]), 1, 2, activationCode('sigmoid'), 0);
      expect(Array.from(s)).to.deep.equal([0, 1]);
      native.activationForward(s, Float32Array.from([-1000, 1000]), 1, 2, activationCode('tanh'), 0);
      expect(Array.from(s)).to.deep.equal([-1, 1]);
      const p = new Float32Array(z.length);
      native.activationForward(p, z, 1, z.length, activationCode('softmax'), 0);
      expect(Array.from(p)).to.deep.equal([0, 0, 0, 0, 0, 1]);
    });

    it('saturates exactly where the formulas do (sign, hardTanh, hardSigmoid, relu6)', () => {
      const z = Float32Array.from([-1000, -7, -3, 0, 3, 7, 1000, 2.5, -2.5]);
      const expected: [ActivationName, number[]][] = [
        ['sign', [-1, -1, -1, 0, 1, 1, 1, 1, -1]],
        ['hardTanh', [-1, -1, -1, 0, 1, 1, 1, 1, -1]],
        ['hardSigmoid', [0, 0, 0, 0.5, 1, 1, 1, 1, 0]],
        ['relu6', [0, 0, 0, 0, 3, 6, 6, 2.5, 0]],
      ];
      for (const [act, want] of expected) {
        const y = new Float32Array(z.length);
        native.activationForward(y, z, 1, z.length, activationCode(act), 0);
        expect(Array.from(y), act).to.deep.equal(want);
      }
    });

    it('carries NaN through every activation but relu and relu6 (which give 0), and a softmax row turns NaN', () => {
      const z = Float32Array.from([0.5, NaN, -2, 3, 1, 0, -1, 2, 4]);
      const isNaN = Array.from(z, Number.isNaN);
      for (const act of activationNames) {
        const y = new Float32Array(z.length);
        native.activationForward(y, z, 1, z.length, activationCode(act), defaultAlpha(act));
        if (act === 'softmax') expect(y.every(Number.isNaN), `softmax: ${Array.from(y)}`).to.equal(true);
        else if (act === 'relu' || act === 'relu6') expect(y[1], act).to.equal(0);
        else expect(Array.from(y, Number.isNaN), act).to.deep.equal(isNaN);
      }
    });

    it('works in place (y and z the same buffer, dz and dy the same buffer)', () => {
      for (const act of activationNames) {
        const alpha = defaultAlpha(act);
        const z = randomArray(7 * 9, 4, 3);
        const y = z.slice();
        native.activationForward(y, y, 7, 9, activationCode(act), alpha);
        expectClose(y, activationRef(z, 7, 9, act), VALUES, `${act} forward`);
        const dy = randomArray(7 * 9, 5);
        const dzRef = activationBackwardRef(dy, z, 7, 9, act);
        native.activationBackward(dy, dy, z, y, 7, 9, activationCode(act), alpha);
        expectClose(dy, dzRef, VALUES, `${act} backward`);
      }
    });

    it('does not depend on the alignment of the arrays (views at every float offset, in place too)', () => {
      const n = 203;
      const base = randomArray(n, 21, 5);
      const dyBase = randomArray(n, 22);
      for (const act of ['relu', 'sigmoid', 'tanh', 'elu', 'gelu', 'softplus', 'swish'] as const) {
        const code = activationCode(act);
        const alpha = defaultAlpha(act);
        const ref = activationRef(base, 1, n, act);
        const dzRef = activationBackwardRef(dyBase, base, 1, n, act);
        for (let offset = 0; offset < 8; offset++) {
          const z = new Float32Array(n + 16).subarray(offset, offset + n);
          z.set(base);
          const y = new Float32Array(n + 16).subarray(7 - offset, 7 - offset + n);
          native.activationForward(y, z, 1, n, code, alpha);
          expectClose(y, ref, VALUES, `${act} forward at offsets ${offset}, ${7 - offset}`);
          const inPlace = z.slice();
          native.activationForward(inPlace, inPlace, 1, n, code, alpha);
          expect(sameBits(inPlace, y), `${act} forward in place at offset ${offset}`).to.equal(true);
          const dy = new Float32Array(n + 16).subarray(offset, offset + n);
          dy.set(dyBase);
          const dz = new Float32Array(n + 16).subarray(3, 3 + n);
          native.activationBackward(dz, dy, z, y, 1, n, code, alpha);
          expectClose(dz, dzRef, VALUES, `${act} backward at offset ${offset}`);
          native.activationBackward(dy, dy, z, y, 1, n, code, alpha);
          expect(sameBits(dy, dz), `${act} backward in place at offset ${offset}`).to.equal(true);
        }
      }
    });

    it('gives a softmax row the same bits wherever it sits among the rows of a call', () => {
      // The avx512 path takes rows of up to 16 floats 16 at a time and the last ones alone.
      const code = activationCode('softmax');
      for (const cols of [10, 16, 3]) {
        const rows = 37;
        const z = randomArray(rows * cols, 31 + cols, 30);
        const dy = randomArray(rows * cols, 32 + cols);
        const y = new Float32Array(rows * cols);
        const dz = new Float32Array(rows * cols);
        native.activationForward(y, z, rows, cols, code, 0);
        native.activationBackward(dz, dy, null, y, rows, cols, code, 0);
        for (let first = 1; first <= 16; first++) {
          const part = (a: Float32Array): Float32Array => a.subarray(first * cols);
          const yPart = new Float32Array((rows - first) * cols);
          native.activationForward(yPart, part(z), rows - first, cols, code, 0);
          expect(sameBits(yPart, part(y)), `forward, ${cols} columns, from row ${first}`).to.equal(true);
          const dzPart = new Float32Array((rows - first) * cols);
          native.activationBackward(dzPart, part(dy), null, part(y), rows - first, cols, code, 0);
          expect(sameBits(dzPart, part(dz)), `backward, ${cols} columns, from row ${first}`).to.equal(true);
        }
      }
    });

    it('gives bit-identical results on 1 and 2 threads', () => {
      for (const act of activationNames) {
        for (const [rows, cols] of [[7, 10001], [7001, 10]] as const) {
          const z = randomArray(rows * cols, 11, 6);
          const dy = randomArray(rows * cols, 12);
          const results = [1, Math.min(2, maxThreads)].map((t) => {
            native.setNumThreads(t);
            const y = new Float32Array(rows * cols);
            const dz = new Float32Array(rows * cols);
            native.activationForward(y, z, rows, cols, activationCode(act), defaultAlpha(act));
            native.activationBackward(dz, dy, z, y, rows, cols, activationCode(act), defaultAlpha(act));
            return [y, dz] as const;
          });
          native.setNumThreads(defaultThreads);
          const [one, two] = results as [readonly [Float32Array, Float32Array], readonly [Float32Array, Float32Array]];
          expect(sameBits(one[0], two[0]), `${act} ${rows}x${cols} forward`).to.equal(true);
          expect(sameBits(one[1], two[1]), `${act} ${rows}x${cols} backward`).to.equal(true);
        }
      }
    });
  });
}

describe('activation bindings', () => {
  const f = (n: number): Float32Array => new Float32Array(n);

  it('backward takes z = null when the derivative reads only y, and gives the same result', () => {
    for (const act of activationNames.filter((a) => !activationNeedsInput(a))) {
      const z = randomArray(12, 1, 3);
      const y = f(12);
      native.activationForward(y, z, 3, 4, activationCode(act), defaultAlpha(act));
      const dy = randomArray(12, 2);
      const [withZ, without] = [f(12), f(12)];
      native.activationBackward(withZ, dy, z, y, 3, 4, activationCode(act), defaultAlpha(act));
      native.activationBackward(without, dy, null, y, 3, 4, activationCode(act), defaultAlpha(act));
      expect(sameBits(withZ, without), act).to.equal(true);
    }
  });

  it('throws a TypeError naming z when the derivative needs it and z is missing', () => {
    for (const act of ['gelu', 'geluTanh', 'swish'] as const) {
      expect(() => native.activationBackward(f(6), f(6), null, f(6), 2, 3, activationCode(act), 0)).to.throw(
        TypeError,
        /activationBackward needs the pre-activation z \(a Float32Array, z \(rows x cols\)\) for activation code 1[236].*received null/,
      );
    }
    expect(() => native.activationBackward(f(6), f(6), f(5), f(6), 2, 3, activationCode('gelu'), 0)).to.throw(RangeError, /Expected z \(rows x cols\) to hold 2x3 = 6 floats but its length is 5/);
  });

  it('refuses a negative, NaN or missing alpha and an unknown code', () => {
    expect(() => native.activationForward(f(6), f(6), 2, 3, activationCode('leakyRelu'), -0.1)).to.throw(RangeError, /Expected a number >= 0 for alpha but received -0.1/);
    expect(() => native.activationForward(f(6), f(6), 2, 3, activationCode('elu'), NaN)).to.throw(RangeError, /finite number for alpha/);
    const raw = native as unknown as Record<string, (...args: unknown[]) => unknown>;
    expect(() => raw['activationForward']!(f(6), f(6), 2, 3, activationCode('elu'))).to.throw(TypeError, /activationForward expects 6 arguments but received 5/);
    expect(() => native.activationForward(f(6), f(6), 2, 3, 17 as never, 0)).to.throw(RangeError, /activation code below 17 but received 17/);
  });
});
