import { expect } from 'chai';

import { native } from '../../lib/backend';
import { expectScalarClose } from '../helpers/compare';
import { randomArray } from '../helpers/data';

const { supportedIsas, isa: defaultIsa, threads: defaultThreads, maxThreads } = native.backendInfo();

for (const isa of supportedIsas) {
  describe(`sumOfSquares (${isa} path)`, () => {
    before(() => native.setIsa(isa));
    after(() => native.setIsa(defaultIsa));

    // 70001 spans several parallel chunks of 2^15 and ends in a partial one; 7, 33 and 257 end in
    // the AVX2 path's scalar tail after none, one or several 8-float steps.
    for (const length of [0, 1, 7, 33, 257, 70001]) {
      it(`matches float64 on ${length} values, on 1 and ${Math.min(2, maxThreads)} threads, bit-identically`, () => {
        const x = randomArray(length, length, 3);
        const ref = x.reduce((s, v) => s + v * v, 0);
        const results = [1, Math.min(2, maxThreads)].map((t) => {
          native.setNumThreads(t);
          return native.sumOfSquares(x);
        });
        native.setNumThreads(defaultThreads);
        expectScalarClose(results[0] as number, ref, { atol: 1e-9, rtol: 1e-12 }, 'sum');
        expect(results[1]).to.equal(results[0]);
      });
    }

    // The last chunk of 70001 holds 4465 values: 139 steps of 32, then 16 values in steps of 8,
    // then 1 in the scalar tail. 100 sits in the first chunk's 32-wide body.
    for (const at of [100, 69999, 70000]) {
      it(`is not finite when the value at ${at} of 70001 is NaN or infinite`, () => {
        const x = randomArray(70001, 1);
        x[at] = NaN;
        expect(native.sumOfSquares(x)).to.be.NaN;
        x[at] = -Infinity;
        expect(native.sumOfSquares(x)).to.equal(Infinity);
      });
    }

    it('is finite for 70001 copies of the largest float32', () => {
      const x = new Float32Array(70001).fill(3.4e38);
      expect(Number.isFinite(native.sumOfSquares(x))).to.equal(true);
    });
  });
}
