import { expect } from 'chai';

import { minMaxScale, standardize } from '../../lib/data';
import { ArgumentRangeError, ShapeError } from '../../lib/errors';
import { expectClose, VALUES } from '../helpers/compare';

const TRAIN = [[1, 10, 5], [2, 20, 5], [3, 60, 5], [6, 10, 5]];

describe('data.standardize()', () => {
  it('fits the mean and population std of each column (float64)', () => {
    const scaler = standardize(TRAIN);
    expect([...scaler.mean]).to.deep.equal([3, 25, 5]);
    const std0 = Math.sqrt((4 + 1 + 0 + 9) / 4);
    const std1 = Math.sqrt((225 + 25 + 1225 + 225) / 4);
    expectClose(scaler.std, Float64Array.of(std0, std1, 0), VALUES);
    const z = scaler.transform(TRAIN);
    expect(z.shape).to.deep.equal([4, 3]);
    expectClose(z.data, Float32Array.from(TRAIN.flatMap(([a, b]) => [((a as number) - 3) / std0, ((b as number) - 25) / std1, 0])), VALUES);
  });

  it('applies the training statistics to new data, and only shifts a constant column', () => {
    const scaler = standardize(TRAIN);
    const t = scaler.transform([[3, 25, 7]]);
    expect([...t.data]).to.deep.equal([0, 0, 2]);
    expect(t.data.every(Number.isFinite)).to.equal(true);
  });

  it('rejects new data with another width, and non-finite training data', () => {
    expect(() => standardize(TRAIN).transform([[1, 2]])).to.throw(ShapeError, /3 features, as the data the scaler was fitted on/);
    expect(() => standardize([[1, NaN]])).to.throw(ArgumentRangeError, /xTrain/);
  });
});

describe('data.minMaxScale()', () => {
  it('maps each training column onto [0, 1] by default', () => {
    const scaler = minMaxScale(TRAIN);
    expect([...scaler.dataMin]).to.deep.equal([1, 10, 5]);
    expect([...scaler.dataMax]).to.deep.equal([6, 60, 5]);
    expect([scaler.min, scaler.max]).to.deep.equal([0, 1]);
    expectClose(scaler.transform(TRAIN).data, Float32Array.of(0, 0, 0, 0.2, 0.2, 0, 0.4, 1, 0, 1, 0, 0), VALUES);
  });

  it('maps onto [min, max] and applies the training range to new data (beyond it too)', () => {
    const scaler = minMaxScale(TRAIN, { min: -1, max: 1 });
    // The constant column (5 in training) has range 1, as scikit-learn's: 5 -> -1, 9 -> -1 + 2 * 4.
    expectClose(scaler.transform([[11, 35, 9], [1, 10, 5]]).data, Float32Array.of(3, 0, 7, -1, -1, -1), VALUES);
  });

  it('validates min and max', () => {
    expect(() => minMaxScale(TRAIN, { min: 1, max: 1 })).to.throw(ArgumentRangeError, /greater than min \(1\) for max/);
    expect(() => minMaxScale(TRAIN, { max: Infinity })).to.throw(ArgumentRangeError, /max/);
    expect(() => minMaxScale(TRAIN, { low: 0 } as never)).to.throw(ArgumentRangeError, /args\.low/);
  });
});
