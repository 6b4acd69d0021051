import { expect } from 'chai';

import { activationCode, activationNames, activationNeedsInput, defaultAlpha } from '../../lib/activations';
import { native } from '../../lib/backend';
import { expectClose } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { activationBackwardRef, activationRef, denseLinearRef, gemmRef } from '../helpers/reference';

// [n, k, m]: batch, inputs, units; awkward against the 6x16 micro-tile.
const shapes: [number, number, number][] = [[1, 1, 1], [7, 33, 5], [33, 7, 257], [130, 65, 17]];

const { supportedIsas, isa: defaultIsa } = native.backendInfo();

for (const isa of supportedIsas) describe(`dense kernels, fused forward and backward (${isa} path)`, () => {
  before(() => native.setIsa(isa));
  after(() => native.setIsa(defaultIsa));

  for (const act of activationNames) {
    for (const [n, k, m] of shapes) {
      for (const withBias of [true, false]) {
        it(`${act}, ${n}x${k} -> ${m}${withBias ? '' : ', no bias'}: forward, dW, db and dX match float64`, () => {
          const x = randomArray(n * k, n + k);
          const w = randomArray(k * m, k + m, 0.5);
          const b = withBias ? randomArray(m, m, 0.5) : null;
          const tol = { atol: 2e-6 * k, rtol: 1e-4 };

          const alpha = defaultAlpha(act);
          const zRef = denseLinearRef(x, { w: Float64Array.from(w), b: Float64Array.from(b ?? new Float32Array(m)), k, m, act }, n);

          // The backward needs z when the derivative reads it; the forward fills it when given and
          // computes y alike without it (inference).
          const y = new Float32Array(n * m);
          const z = activationNeedsInput(act) || n % 2 === 1 ? new Float32Array(n * m).fill(NaN) : null;
          native.denseForward(y, z, x, w, b, n, k, m, activationCode(act), alpha);
          expectClose(y, activationRef(zRef, n, m, act), tol, 'y');
          if (z !== null) expectClose(z, zRef, tol, 'z');
          const yWithoutZ = new Float32Array(n * m);
          native.denseForward(yWithoutZ, null, x, w, b, n, k, m, activationCode(act), alpha);
          expect(yWithoutZ).to.deep.equal(y);

          const dyIn = randomArray(n * m, 7);
          const dz = activationBackwardRef(dyIn, zRef, n, m, act);
          const dy = dyIn.slice();
          const dw = new Float32Array(k * m).fill(NaN);
          const db = b === null ? null : new Float32Array(m).fill(NaN);
          const dx = new Float32Array(n * k).fill(NaN);
          native.denseBackward(dx, dw, db, dy, x, w, z, y, n, k, m, activationCode(act), alpha);
          const gtol = { atol: 2e-6 * Math.max(n, m), rtol: 1e-4 };
          expectClose(dy, dz, gtol, 'dz (written over dy)');
          expectClose(dw, gemmRef([], x, dz, k, m, n, true, false, 1, 0), gtol, 'dW');
          if (db !== null) {
            const dbRef = new Float64Array(m);
            for (let r = 0; r < n; r++) for (let j = 0; j < m; j++) dbRef[j] = (dbRef[j] as number) + (dz[r * m + j] as number);
            expectClose(db, dbRef, gtol, 'db');
          }
          expectClose(dx, gemmRef([], dz, w, n, k, m, false, true, 1, 0), gtol, 'dX');
        });
      }
    }
  }

  it('skips dX when it is null (the first layer)', () => {
    const [n, k, m] = [4, 3, 2];
    const dw = new Float32Array(k * m);
    native.denseBackward(null, dw, null, randomArray(n * m, 1), randomArray(n * k, 2), randomArray(k * m, 3), null, randomArray(n * m, 4), n, k, m, activationCode('linear'), 0);
    expectClose(dw, gemmRef([], randomArray(n * k, 2), randomArray(n * m, 1), k, m, n, true, false, 1, 0), { atol: 1e-5, rtol: 1e-4 });
  });

  it('throws a TypeError when the backward misses z for an activation whose derivative reads it', () => {
    const f = (len: number): Float32Array => new Float32Array(len);
    expect(() => native.denseBackward(null, f(6), null, f(6), f(4), f(6), null, f(6), 2, 2, 3, activationCode('swish'), 0)).to.throw(TypeError, /denseBackward needs the pre-activation z .* for activation code 16/);
    expect(() => native.denseForward(f(6), f(5), f(4), f(6), null, 2, 2, 3, activationCode('relu'), 0)).to.throw(RangeError, /Expected z \(n x m\) to hold 2x3 = 6 floats but its length is 5/);
    expect(() => native.denseForward(f(6), null, f(4), f(6), null, 2, 2, 3, activationCode('elu'), -1)).to.throw(RangeError, /number >= 0 for alpha/);
  });
});
