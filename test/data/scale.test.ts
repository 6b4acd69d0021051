import { expect } from 'chai';

import { minMaxScale, scalerFromJSON, standardize, type MinMaxScaler, type ScalerJSON, type StandardScaler } from '../../lib/data';
import { ArgumentRangeError, ArgumentTypeError, ShapeError } from '../../lib/errors';
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

describe('scaler.toJSON() and data.scalerFromJSON()', () => {
  const NEW = [[0.5, 33, 5], [7, -4, 9]];

  it('a standard scaler restored from its JSON text transforms bit-identically', () => {
    const scaler = standardize(TRAIN);
    const json = scaler.toJSON();
    expect(json).to.deep.equal({ kind: 'standardize', mean: [...scaler.mean], std: [...scaler.std] });
    const again = scalerFromJSON(JSON.stringify(scaler));
    expect([...again.transform(NEW).data]).to.deep.equal([...scaler.transform(NEW).data]);
    expect([...(again as StandardScaler).std]).to.deep.equal([...scaler.std]);
  });

  it('a min-max scaler restored from its JSON object transforms bit-identically, its range kept', () => {
    const scaler = minMaxScale(TRAIN, { min: -1, max: 1 });
    const again = scalerFromJSON(JSON.parse(JSON.stringify(scaler)) as ScalerJSON) as MinMaxScaler;
    expect([again.min, again.max]).to.deep.equal([-1, 1]);
    expect([...again.transform(NEW).data]).to.deep.equal([...scaler.transform(NEW).data]);
  });

  it('refuses JSON that no scaler wrote, naming the field', () => {
    expect(() => scalerFromJSON('{')).to.throw(ArgumentRangeError, /the JSON text of scaler\.toJSON\(\) for json but received text that is not JSON/);
    expect(() => scalerFromJSON({ kind: 'Standardize', mean: [1], std: [1] } as never)).to.throw(ArgumentRangeError, /json\.kind.*Did you mean 'standardize'/);
    expect(() => scalerFromJSON({ kind: 'standardize', mean: [1, 2], std: [1] })).to.throw(ShapeError, /an array of 2 numbers, one per column for json\.std/);
    expect(() => scalerFromJSON({ kind: 'standardize', mean: [1], std: [-1] })).to.throw(ArgumentRangeError, /json\.std\[0\]/);
    expect(() => scalerFromJSON({ kind: 'standardize', mean: 'x', std: [1] } as never)).to.throw(ArgumentTypeError, /json\.mean/);
    expect(() => scalerFromJSON({ kind: 'standardize', mean: [], std: [] })).to.throw(ShapeError, /json\.mean/);
    expect(() => scalerFromJSON({ kind: 'standardize', mean: [1], std: [1], extra: 1 } as never)).to.throw(ArgumentRangeError, /json\.extra/);
    expect(() => scalerFromJSON({ kind: 'minMaxScale', dataMin: [2], dataMax: [1], min: 0, max: 1 })).to.throw(ArgumentRangeError, /json\.dataMax\[0\]/);
    expect(() => scalerFromJSON({ kind: 'minMaxScale', dataMin: [0], dataMax: [1], min: 1, max: 1 })).to.throw(ArgumentRangeError, /greater than min/);
  });
});
