/** predict() and predictAsync() of a single sample, and the error a column (tensor1d) gets. */
import { expect } from 'chai';

import * as my from '../../lib/index';

function model(): my.Sequential {
  my.seed(3);
  return my.sequential([my.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })]);
}

describe('Sequential#predict() of one sample', () => {
  const sample = [5.1, 3.5, 1.4, 0.2];

  it('takes a flat number[] or Float32Array of inputUnits values and returns one row, equal to the batch of one', async () => {
    const m = model();
    const batch = m.predict([sample]);
    for (const one of [m.predict(sample), m.predict(Float32Array.from(sample)), await m.predictAsync(sample), await m.predictAsync(Float32Array.from(sample))]) {
      expect(one.shape).to.deep.equal([1, 3]);
      expect([...one.data]).to.deep.equal([...batch.data]);
    }
    expect(m.predict(sample).argMax(1).data[0]).to.equal(batch.argMax(1).data[0]);
  });

  it('refuses a flat array of another width, saying what one sample and a batch look like', () => {
    const m = model();
    expect(() => m.predict([1, 2, 3])).to.throw(my.ShapeError, /Expected 4 features, the model's inputUnits for x but received 3 values\. One sample is a flat array of 4 numbers; several are rows \(number\[\]\[\]\) or tensor2d\(values, \[n, 4\]\)/);
    expect(() => m.predict(new Float32Array(8))).to.throw(my.ShapeError, /received 8 values/);
    expect(() => m.predict([1, 2, NaN, 4])).to.throw(my.ArgumentRangeError, /finite number for x\[2\]/);
    expect(() => m.predict([1, '2', 3, 4] as never)).to.throw(my.ArgumentTypeError, /a number for x\[1\] but received '2'/);
  });

  it('a tensor1d is a column: its error shows its shape and says so', () => {
    const m = model();
    expect(() => m.predict(my.tensor1d(sample))).to.throw(my.ShapeError, /Expected samples of 4 features \(shape \[n, 4\]\) for x but received shape \[4\], a rank-1 tensor, which is a column: 4 samples of 1 feature$/);
    expect(() => m.predict(my.tensor2d(sample, [1, 4]))).to.not.throw();
  });
});
