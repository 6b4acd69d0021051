import { expect } from 'chai';

import { native } from '../lib/backend';
import { ArgumentRangeError, ArgumentTypeError } from '../lib/errors';
import * as constraints from '../lib/constraints';
import { expectClose, VALUES } from './helpers/compare';
import { randomArray } from './helpers/data';

/** Keras's MinMaxNorm in float64: w * (rate clip(n, lo, hi) + (1 - rate) n) / (1e-7 + n), n along axis. */
function normRef(w: ArrayLike<number>, rows: number, cols: number, axis: 0 | 1, lo: number, hi: number, rate: number): Float64Array {
  const out = Float64Array.from(w);
  const groups = axis === 0 ? cols : rows;
  const length = axis === 0 ? rows : cols;
  const index = (g: number, k: number) => (axis === 0 ? k * cols + g : g * cols + k);
  for (let g = 0; g < groups; g++) {
    let squares = 0;
    for (let k = 0; k < length; k++) squares += (w[index(g, k)] as number) ** 2;
    const n = Math.sqrt(squares);
    const desired = rate * Math.min(hi, Math.max(lo, n)) + (1 - rate) * n;
    for (let k = 0; k < length; k++) out[index(g, k)] = ((w[index(g, k)] as number) * desired) / (1e-7 + n);
  }
  return out;
}

/** A (rows, cols) view whose norms along either axis fall on both sides of 1 and 2. */
function weights(rows: number, cols: number): Float32Array {
  const w = randomArray(rows * cols, 11, 1.2);
  for (let c = 0; c < cols; c += 3) for (let r = 0; r < rows; r++) w[r * cols + c] = (w[r * cols + c] as number) * 0.05;
  return w;
}

const SHAPES: [number, number][] = [
  [5, 7],
  [33, 4],
  [9, 1],
  [4, 40],
];

describe('constraints', () => {
  const cases: [string, (axis: 0 | 1) => constraints.Constraint, number, number, number][] = [
    ['maxNorm', (axis) => constraints.maxNorm({ axis }), 0, 2, 1],
    ['unitNorm', (axis) => constraints.unitNorm({ axis }), 1, 1, 1],
    ['minMaxNorm', (axis) => constraints.minMaxNorm({ minValue: 0.5, maxValue: 1.5, rate: 0.7, axis }), 0.5, 1.5, 0.7],
  ];
  for (const [name, make, lo, hi, rate] of cases) {
    for (const axis of [0, 1] as const) {
      it(`${name} along axis ${axis} matches float64 on ${SHAPES.map((s) => s.join('x')).join(', ')}`, () => {
        let projected = 0;
        for (const [rows, cols] of SHAPES) {
          const w = weights(rows, cols);
          const want = normRef(w, rows, cols, axis, lo, hi, rate);
          projected += want.filter((x, i) => Math.abs(x - (w[i] as number)) > 1e-3).length;
          make(axis).apply(w, rows, cols);
          expectClose(w, want, VALUES, `${name} ${rows}x${cols}`);
        }
        expect(projected, 'weights the constraint moved').to.be.greaterThan(0);
      });
    }
  }

  it('maxNorm leaves weights inside the ball unchanged but for the 1e-7 in the denominator', () => {
    const w = Float32Array.from([0.3, 0.4]);
    constraints.maxNorm().apply(w, 2, 1);
    expectClose(w, [0.3 / (1 + 2e-7), 0.4 / (1 + 2e-7)], { atol: 0, rtol: 1e-7 });
  });

  it('nonNeg zeroes negative weights and keeps NaN', () => {
    const w = Float32Array.from([-1, 0, 2, -0.5, NaN, -Infinity]);
    constraints.nonNeg().apply(w, 6, 1);
    expect(Array.from(w)).to.deep.equal([0, 0, 2, 0, NaN, 0]);
  });

  it('reports className and config as Keras does', () => {
    expect([constraints.maxNorm().getConfig(), constraints.unitNorm({ axis: 1 }).getConfig(), constraints.minMaxNorm().getConfig(), constraints.nonNeg().getConfig()]).to.deep.equal([
      { maxValue: 2, axis: 0 },
      { axis: 1 },
      { minValue: 0, maxValue: 1, rate: 1, axis: 0 },
      {},
    ]);
    expect([constraints.maxNorm(), constraints.unitNorm(), constraints.minMaxNorm(), constraints.nonNeg()].map((c) => c.className)).to.deep.equal(['MaxNorm', 'UnitNorm', 'MinMaxNorm', 'NonNeg']);
  });

  it('refuses bad configs and views that lie about their shape', () => {
    expect(() => constraints.maxNorm({ maxValue: -1 })).to.throw(ArgumentRangeError, /a number >= 0 for maxValue but received -1/);
    expect(() => constraints.maxNorm({ axis: 2 })).to.throw(ArgumentRangeError, /0 or 1 for axis but received 2/);
    expect(() => constraints.unitNorm({ axis: '0' } as never)).to.throw(ArgumentTypeError, /axis/);
    expect(() => constraints.minMaxNorm({ minValue: 2, maxValue: 1 })).to.throw(ArgumentRangeError, /maxValue/);
    expect(() => constraints.minMaxNorm({ rate: 1.5 })).to.throw(ArgumentRangeError, /rate/);
    expect(() => constraints.maxNorm({ max_value: 3 } as never)).to.throw(ArgumentRangeError, /unknown option 'max_value'/);
    expect(() => native.minMaxNorm(new Float32Array(5), 2, 3, 0, 0, 1, 1)).to.throw(RangeError, /w \(rows x cols\) to hold 2x3 = 6 floats/);
    expect(() => native.minMaxNorm(new Float32Array(6), 2, 3, 2, 0, 1, 1)).to.throw(RangeError, /0 or 1 for axis/);
  });
});
