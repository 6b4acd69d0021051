import { expect } from 'chai';

import { trainTestSplit } from '../../lib/data';
import { ArgumentRangeError, ArgumentTypeError, ShapeError } from '../../lib/errors';
import { seed } from '../../lib/random';
import { Tensor } from '../../lib/tensor';

/** n samples whose only feature is their index, so a split can be traced back. */
function indexed(n: number): Tensor {
  return new Tensor(Float32Array.from({ length: n }, (_, i) => i), [n, 1]);
}

/** Labels 0 for 60 %, 1 for 30 %, 2 for 10 % of n samples, in blocks. */
function unbalanced(n: number): Float32Array {
  return Float32Array.from({ length: n }, (_, i) => (i < 0.6 * n ? 0 : i < 0.9 * n ? 1 : 2));
}

function counts(labels: Float32Array, classes: number): number[] {
  const out = new Array<number>(classes).fill(0);
  labels.forEach((c) => (out[c] = (out[c] as number) + 1));
  return out;
}

describe('data.trainTestSplit()', () => {
  beforeEach(() => seed(11));

  it('holds out round(n * testSize) samples (default 0.25), a shuffled partition of all of them', () => {
    const x = indexed(101);
    const y = Float32Array.from({ length: 101 }, (_, i) => 2 * i);
    const { xTrain, yTrain, xTest, yTest } = trainTestSplit(x, y);
    expect(xTest.shape).to.deep.equal([25, 1]);
    expect(xTrain.shape).to.deep.equal([76, 1]);
    const all = [...xTrain.data, ...xTest.data].sort((a, b) => a - b);
    expect(all).to.deep.equal([...x.data]);
    expect([...yTrain.data]).to.deep.equal([...xTrain.data].map((i) => 2 * i));
    expect([...yTest.data]).to.deep.equal([...xTest.data].map((i) => 2 * i));
    expect([...xTrain.data].slice(0, 10), 'shuffled').to.not.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('still accepts the test fraction as a bare number', () => {
    const { xTest } = trainTestSplit(indexed(10), unbalanced(10), 0.2);
    expect(xTest.shape).to.deep.equal([2, 1]);
  });

  it('without shuffle keeps the order and holds out the last samples', () => {
    const { xTrain, xTest } = trainTestSplit(indexed(10), unbalanced(10), { testSize: 0.3, shuffle: false });
    expect([...xTrain.data]).to.deep.equal([0, 1, 2, 3, 4, 5, 6]);
    expect([...xTest.data]).to.deep.equal([7, 8, 9]);
  });

  it('reproduces the split after seed()', () => {
    seed(3);
    const a = trainTestSplit(indexed(50), unbalanced(50)).xTest.data;
    seed(3);
    expect(trainTestSplit(indexed(50), unbalanced(50)).xTest.data).to.deep.equal(a);
  });

  it('with stratify keeps each class share on both sides', () => {
    const y = unbalanced(200);
    const { yTrain, yTest } = trainTestSplit(indexed(200), y, { testSize: 0.25, stratify: true });
    expect(counts(yTest.data, 3)).to.deep.equal([30, 15, 5]);
    expect(counts(yTrain.data, 3)).to.deep.equal([90, 45, 15]);
    // Without it the held-out classes drift from 30/15/5 for this seed: the test above can fail.
    seed(11);
    expect(counts(trainTestSplit(indexed(200), y, { testSize: 0.25 }).yTest.data, 3)).to.not.deep.equal([30, 15, 5]);
  });

  it('stratifies one-hot labels by their class and still holds out exactly round(n * testSize)', () => {
    const classes = unbalanced(50);
    const y = new Tensor(new Float32Array(150), [50, 3]);
    classes.forEach((c, i) => (y.data[3 * i + c] = 1));
    const { yTest, xTest } = trainTestSplit(indexed(50), y, { testSize: 0.3, stratify: true });
    expect(xTest.shape[0]).to.equal(15);
    const held = counts(Float32Array.from({ length: 15 }, (_, i) => yTest.data.subarray(3 * i, 3 * i + 3).indexOf(1)), 3);
    // Shares 9, 4.5, 1.5: the one left over goes to the class with the largest remainder (the first of the tie).
    expect(held).to.deep.equal([9, 5, 1]);
  });

  it('rejects a bad testSize, unknown options and mismatched lengths', () => {
    const x = indexed(10);
    const y = unbalanced(10);
    expect(() => trainTestSplit(x, y, { testSize: 0 })).to.throw(ArgumentRangeError, /testSize/);
    expect(() => trainTestSplit(x, y, 1)).to.throw(ArgumentRangeError, /testSize/);
    expect(() => trainTestSplit(x, y, { testSize: 0.01 })).to.throw(ShapeError, /leaves samples on both sides of 10/);
    expect(() => trainTestSplit(x, y, { testSize: '0.2' as never })).to.throw(ArgumentTypeError, /testSize/);
    expect(() => trainTestSplit(x, y, { stratify: 1 as never })).to.throw(ArgumentTypeError, /stratify/);
    expect(() => trainTestSplit(x, y, { test_size: 0.2 } as never)).to.throw(ArgumentRangeError, /args\.test_size.*Did you mean 'testSize'/);
    expect(() => trainTestSplit(x, unbalanced(9))).to.throw(ShapeError, /10 samples, as many as x has/);
  });
});
