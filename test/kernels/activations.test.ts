import { expect } from 'chai';

import { activationCode, activationNames } from '../../lib/activations';
import { native } from '../../lib/backend';
import { expectClose, VALUES } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { activationBackwardRef, activationRef } from '../helpers/reference';

// [rows, cols, scale of z]: rows of 1, 3 and 7 values (below one vector), 8 and 64 (whole
// vectors), 10, 33 and 257 (a tail after the 8-wide body); 16x10 is a classifier's softmax; the last two are past the 32768-float chunk, so the
// elementwise kernels and the softmax rows run on the thread pool; scale 30 reaches the far
// tails of exp (sigmoid down to 1e-13, tanh within 1e-26 of +-1).
const sizes: [number, number, number][] = [
  [1, 1, 4], [1, 7, 4], [9, 3, 4], [2, 8, 4], [5, 64, 4], [7, 33, 4], [3, 257, 4], [16, 10, 4],
  [1, 33, 30],
  [7, 10001, 30], [7001, 10, 4],
];
const { supportedIsas, isa: defaultIsa, threads: defaultThreads, maxThreads } = native.backendInfo();

function sameBits(a: Float32Array, b: Float32Array): boolean {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}

for (const isa of supportedIsas) {
  describe(`activation kernels (${isa} path)`, () => {
    before(() => native.setIsa(isa));
    after(() => native.setIsa(defaultIsa));

    for (const act of activationNames) {
      for (const [rows, cols, scale] of sizes) {
        it(`${act} forward and backward match float64 on ${rows}x${cols} (z in +-${scale})`, () => {
          const z = randomArray(rows * cols, rows + cols, scale);
          const y = new Float32Array(rows * cols);
          native.activationForward(y, z, rows, cols, activationCode(act));
          expectClose(y, activationRef(z, rows, cols, act), VALUES, 'forward');

          const dy = randomArray(rows * cols, 3 * rows + cols);
          const dz = new Float32Array(rows * cols);
          native.activationBackward(dz, dy, y, rows, cols, activationCode(act));
          expectClose(dz, activationBackwardRef(dy, y, rows, cols, act), VALUES, 'backward');
        });
      }
    }

    it('sigmoid, tanh and softmax stay finite and saturate at extreme inputs', () => {
      const z = Float32Array.from([-1000, -88, 0, 88, 1000, 3e38]);
      for (const act of ['sigmoid', 'tanh', 'softmax'] as const) {
        const y = new Float32Array(z.length);
        native.activationForward(y, z, 1, z.length, activationCode(act));
        expect(y.every(Number.isFinite), `${act}: ${Array.from(y)}`).to.equal(true);
      }
      const s = new Float32Array(2);
      native.activationForward(s, Float32Array.from([-1000, 1000]), 1, 2, activationCode('sigmoid'));
      expect(Array.from(s)).to.deep.equal([0, 1]);
      native.activationForward(s, Float32Array.from([-1000, 1000]), 1, 2, activationCode('tanh'));
      expect(Array.from(s)).to.deep.equal([-1, 1]);
      const p = new Float32Array(z.length);
      native.activationForward(p, z, 1, z.length, activationCode('softmax'));
      expect(Array.from(p)).to.deep.equal([0, 0, 0, 0, 0, 1]);
    });

    it('carries NaN through sigmoid, tanh and softmax (a whole softmax row turns NaN)', () => {
      const z = Float32Array.from([0.5, NaN, -2, 3, 1, 0, -1, 2, 4]);
      for (const act of ['sigmoid', 'tanh'] as const) {
        const y = new Float32Array(z.length);
        native.activationForward(y, z, 1, z.length, activationCode(act));
        expect(Array.from(y, Number.isNaN), act).to.deep.equal(Array.from(z, Number.isNaN));
      }
      const y = new Float32Array(z.length);
      native.activationForward(y, z, 1, z.length, activationCode('softmax'));
      expect(y.every(Number.isNaN), `softmax: ${Array.from(y)}`).to.equal(true);
    });

    it('works in place (y and z the same buffer, dz and dy the same buffer)', () => {
      for (const act of activationNames) {
        const z = randomArray(7 * 9, 4, 3);
        const ref = activationRef(z, 7, 9, act);
        native.activationForward(z, z, 7, 9, activationCode(act));
        expectClose(z, ref, VALUES, `${act} forward`);
        const dy = randomArray(7 * 9, 5);
        const dzRef = activationBackwardRef(dy, z, 7, 9, act);
        native.activationBackward(dy, dy, z, 7, 9, activationCode(act));
        expectClose(dy, dzRef, VALUES, `${act} backward`);
      }
    });

    it('does not depend on the alignment of the arrays (views at every float offset, in place too)', () => {
      const n = 203;
      const base = randomArray(n, 21, 5);
      const dyBase = randomArray(n, 22);
      for (const act of ['relu', 'sigmoid', 'tanh'] as const) {
        const ref = activationRef(base, 1, n, act);
        const dzRef = activationBackwardRef(dyBase, Float32Array.from(ref), 1, n, act);
        for (let offset = 0; offset < 8; offset++) {
          const z = new Float32Array(n + 16).subarray(offset, offset + n);
          z.set(base);
          const y = new Float32Array(n + 16).subarray(7 - offset, 7 - offset + n);
          native.activationForward(y, z, 1, n, activationCode(act));
          expectClose(y, ref, VALUES, `${act} forward at offsets ${offset}, ${7 - offset}`);
          native.activationForward(z, z, 1, n, activationCode(act));
          expect(sameBits(z, y), `${act} forward in place at offset ${offset}`).to.equal(true);
          const dy = new Float32Array(n + 16).subarray(offset, offset + n);
          dy.set(dyBase);
          const dz = new Float32Array(n + 16).subarray(3, 3 + n);
          native.activationBackward(dz, dy, y, 1, n, activationCode(act));
          expectClose(dz, dzRef, VALUES, `${act} backward at offset ${offset}`);
          native.activationBackward(dy, dy, y, 1, n, activationCode(act));
          expect(sameBits(dy, dz), `${act} backward in place at offset ${offset}`).to.equal(true);
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
            native.activationForward(y, z, rows, cols, activationCode(act));
            native.activationBackward(dz, dy, y, rows, cols, activationCode(act));
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
