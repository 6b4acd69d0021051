/**
 * Tensor: how it prints (the values as TensorFlow.js 4.22 prints them, golden strings taken from
 * tf.tensor2d(...).toString() there), and the reductions and slices of post-processing.
 */
import { expect } from 'chai';
import { inspect } from 'node:util';

import { ArgumentRangeError, ArgumentTypeError, ShapeError } from '../lib/errors';
import { Tensor, tensor1d, tensor2d } from '../lib/tensor';

const range = (n: number, f: (i: number) => number): number[] => Array.from({ length: n }, (_, i) => f(i));

describe('Tensor#toString() and util.inspect', () => {
  it("prints the shape, then the values as TensorFlow.js does: 7 decimals, columns padded to their widest", () => {
    const t = tensor2d([[0.1234567891, -2], [3, 40.5]]);
    // TensorFlow.js: "Tensor\n    [[0.1234568, -2  ],\n     [3        , 40.5]]"
    expect(t.toString()).to.equal('Tensor [2, 2]\n    [[0.1234568, -2  ],\n     [3        , 40.5]]');
    expect(tensor1d([1, 2, 3]).toString()).to.equal('Tensor [3]\n    [1, 2, 3]');
    expect(new Tensor(Float32Array.of(5), []).toString()).to.equal('Tensor []\n    5');
  });

  it('cuts a dimension of more than 20 to its first and last 3 values, as TensorFlow.js does', () => {
    expect(tensor1d(range(30, (i) => i)).toString()).to.equal('Tensor [30]\n    [0, 1, 2, ..., 27, 28, 29]');
    const big = tensor2d(range(30 * 25, (i) => i / 7), [30, 25]);
    expect(big.toString().split('\n')).to.deep.equal([
      'Tensor [30, 25]',
      '    [[0          , 0.1428571  , 0.2857143  , ..., 3.1428571  , 3.2857144  , 3.4285715  ],',
      '     [3.5714285  , 3.7142856  , 3.8571429  , ..., 6.7142859  , 6.8571429  , 7          ],',
      '     [7.1428571  , 7.2857141  , 7.4285712  , ..., 10.2857141 , 10.4285717 , 10.5714283 ],',
      '     ...,',
      '     [96.4285736 , 96.5714264 , 96.7142868 , ..., 99.5714264 , 99.7142868 , 99.8571396 ],',
      '     [100        , 100.1428604, 100.2857132, ..., 103.1428604, 103.2857132, 103.4285736],',
      '     [103.5714264, 103.7142868, 103.8571396, ..., 106.7142868, 106.8571396, 107        ]]',
    ]);
  });

  it('is what console.log and util.inspect show, also nested in an object', () => {
    const t = tensor2d([[1, 2]]);
    expect(inspect(t)).to.equal('Tensor [1, 2]\n    [[1, 2]]');
    expect(inspect({ probs: t })).to.include('Tensor [1, 2]');
    expect(String(t)).to.equal(t.toString());
  });

  it('prints NaN and Infinity as they are', () => {
    expect(tensor1d([NaN, Infinity, -Infinity]).toString()).to.equal('Tensor [3]\n    [NaN, Infinity, -Infinity]');
  });
});

describe('Tensor#argMax(), max(), slice()', () => {
  const probs = tensor2d([[0.1, 0.7, 0.2], [0.5, 0.2, 0.3], [0.3, 0.3, 0.4]]);

  it('argMax(1) (or -1) is each row\'s top class; argMax() is per column, as TensorFlow.js (axis 0)', () => {
    expect(probs.argMax(1).shape).to.deep.equal([3]);
    expect([...probs.argMax(1).data]).to.deep.equal([1, 0, 2]);
    expect([...probs.argMax(-1).data]).to.deep.equal([1, 0, 2]);
    expect([...probs.argMax().data]).to.deep.equal([1, 0, 2]);
    expect([...probs.argMax(0).data]).to.deep.equal([1, 0, 2]);
    const tie = tensor2d([[3, 1, 3]]);
    expect([...tie.argMax(1).data]).to.deep.equal([0]);
    expect([...tensor2d([[1, 5], [7, 2]]).argMax(0).data]).to.deep.equal([1, 0]);
  });

  it('max(axis) along an axis, max() of everything as a scalar; a rank-1 reduction is a scalar', () => {
    expect([...probs.max(1).data]).to.deep.equal([0.7, 0.5, 0.4].map(Math.fround));
    expect([...probs.max(0).data]).to.deep.equal([0.5, 0.7, 0.4].map(Math.fround));
    const all = probs.max();
    expect(all.shape).to.deep.equal([]);
    expect(all.data[0]).to.equal(Math.fround(0.7));
    const top = tensor1d([-3, -1, -2]).argMax();
    expect(top.shape).to.deep.equal([]);
    expect(top.toArray()).to.deep.equal([[1]]);
  });

  it('slice(begin, size) copies a block, TensorFlow.js style: -1 or no size runs to the end', () => {
    const row = probs.slice([1, 0], [1, -1]);
    expect(row.shape).to.deep.equal([1, 3]);
    expect([...row.data]).to.deep.equal([0.5, 0.2, 0.3].map(Math.fround));
    expect(probs.slice(1).toArray()).to.deep.equal(probs.toArray().slice(1));
    expect(probs.slice([0, 1], [2, 2]).toArray()).to.deep.equal([[0.7, 0.2], [0.2, 0.3]].map((r) => r.map(Math.fround)));
    expect(probs.slice(0, 2).shape).to.deep.equal([2, 3]);
    expect([...tensor1d([1, 2, 3, 4]).slice(1, 2).data]).to.deep.equal([2, 3]);
    const copy = probs.slice(0, 1);
    copy.data[0] = 99;
    expect(probs.data[0]).to.equal(Math.fround(0.1));
  });

  it('refuses an axis, begin or size outside the tensor, naming the argument', () => {
    expect(() => probs.argMax(2)).to.throw(ArgumentRangeError, /integer from -2 to 1 for a tensor of rank 2 for axis but received 2/);
    expect(() => probs.max(0.5)).to.throw(ArgumentRangeError, /for axis/);
    expect(() => new Tensor(Float32Array.of(1), []).argMax()).to.throw(ShapeError, /rank 1 or 2 for argMax\(\)/);
    expect(() => probs.slice([0, 4])).to.throw(ArgumentRangeError, /integer from 0 to 3 \(the size of axis 1\) for begin\[1\]/);
    expect(() => probs.slice([2, 0], [2, 3])).to.throw(ArgumentRangeError, /-1 or an integer from 0 to 1 .* for size\[0\] but received 2/);
    expect(() => probs.slice([0])).to.throw(ArgumentTypeError, /an array of 2 numbers \(one per axis\) for begin/);
    expect(() => probs.slice(['0', 0] as never)).to.throw(ArgumentTypeError, /integer for begin\[0\]/);
    expect(() => probs.slice(0, 0).argMax(0)).to.throw(ShapeError, /an axis with values/);
  });
});
