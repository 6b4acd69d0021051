import { expect } from 'chai';

import { native } from '../lib/backend';
import { ArgumentRangeError } from '../lib/errors';
import * as regularizers from '../lib/regularizers';
import { expectClose, expectScalarClose, GRADIENTS, VALUES } from './helpers/compare';
import { randomArray } from './helpers/data';
import { finiteDifferences } from './helpers/gradients';

/** scale * (l1 sum|v| + l2 sum v^2) and its gradient, in float64. */
function penaltyRef(v: ArrayLike<number>, l1: number, l2: number, scale: number): { value: number; grad: Float64Array } {
  let value = 0;
  const grad = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    const x = v[i] as number;
    value += l1 * Math.abs(x) + l2 * x * x;
    grad[i] = scale * (l1 * Math.sign(x) + 2 * l2 * x);
  }
  return { value: scale * value, grad };
}

const CASES: [string, regularizers.Regularizer, number, number][] = [
  ['l1', regularizers.l1({ l1: 0.03 }), 0.03, 0],
  ['l2', regularizers.l2(), 0, 0.01],
  ['l1l2', regularizers.l1l2({ l1: 0.02, l2: 0.05 }), 0.02, 0.05],
];

describe('regularizers', () => {
  for (const [name, regularizer, l1, l2] of CASES) {
    it(`${name}: value and gradient against float64, gradient accumulated into grads`, () => {
      for (const size of [1, 7, 33, 1000]) {
        const v = randomArray(size, 3);
        v[0] = 0;
        const grads = randomArray(size, 4);
        const before = Float64Array.from(grads);
        const ref = penaltyRef(v, l1, l2, 0.5);
        expectScalarClose(regularizer.apply(v, grads, 0.5), ref.value, VALUES, `${name} value`);
        expectClose(grads, before.map((g, i) => g + (ref.grad[i] as number)), VALUES, `${name} gradient`);
        expect(regularizer.apply(v, null, 1)).to.be.closeTo(ref.value * 2, 1e-6);
      }
    });

    it(`${name}: gradient matches finite differences (away from 0)`, () => {
      const v = randomArray(9, 5).map((x) => x + Math.sign(x) * 0.1);
      const analytic = new Float32Array(9);
      regularizer.apply(v, analytic, 2);
      // Through the native value itself; a step of 1e-3 survives the float32 rounding of x +- h.
      const x = Float64Array.from(v);
      const numeric = finiteDifferences(() => regularizer.apply(Float32Array.from(x), null, 2), x, 1e-3);
      expectClose(analytic, numeric, GRADIENTS);
    });
  }

  it('reports className and config as Keras does', () => {
    expect(CASES.map(([, r]) => [r.className, r.getConfig()])).to.deep.equal([
      ['L1', { l1: 0.03 }],
      ['L2', { l2: 0.01 }],
      ['L1L2', { l1: 0.02, l2: 0.05 }],
    ]);
    expect(regularizers.l1l2().getConfig()).to.deep.equal({ l1: 0.01, l2: 0.01 });
  });

  it('gives NaN for NaN weights, never a number', () => {
    const grads = new Float32Array(3);
    expect(regularizers.l1l2().apply(Float32Array.from([1, NaN, -1]), grads, 1)).to.be.NaN;
    expect(Number.isNaN(grads[1])).to.equal(true);
  });

  it('refuses negative coefficients, unknown options and lengths that differ', () => {
    expect(() => regularizers.l2({ l2: -0.1 })).to.throw(ArgumentRangeError, /a number >= 0 for l2 but received -0.1/);
    expect(() => regularizers.l1({ l2: 0.1 } as never)).to.throw(ArgumentRangeError, /l1 config.l2/);
    expect(() => native.regularize(new Float32Array(3), new Float32Array(4), 0.1, 0, 1)).to.throw(RangeError, /grads \(as long as values\)/);
  });
});
