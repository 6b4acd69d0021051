import { expect } from 'chai';

import { native } from '../../lib/backend';
import { expectScalarClose } from '../helpers/compare';
import { randomArray } from '../helpers/data';

const { threads: defaultThreads, maxThreads } = native.backendInfo();

describe('sumOfSquares', () => {
  // 70001 spans several parallel chunks of 2^15 and ends in a partial one.
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

  it('is not finite when any value is NaN or infinite, and finite for the largest float32', () => {
    const x = randomArray(70001, 1);
    x[69999] = NaN;
    expect(native.sumOfSquares(x)).to.be.NaN;
    x[69999] = -Infinity;
    expect(native.sumOfSquares(x)).to.equal(Infinity);
    x.fill(3.4e38);
    expect(Number.isFinite(native.sumOfSquares(x))).to.equal(true);
  });
});
