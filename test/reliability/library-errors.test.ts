/**
 * Issue 12, item 13: plain RangeErrors that should be the library's. setNumThreads(1e6) threw a
 * native RangeError; labels changed to an out-of-range value during fit gave a misleading "try a
 * smaller learningRate". (A detached x between fit's steps is in detached-buffers.test.ts.)
 */
import { expect } from 'chai';

import * as my from '../../lib/index';

describe("reliability: the library's own errors (item 13)", () => {
  it('setNumThreads(1e6) is an ArgumentRangeError naming threads and the most allowed', () => {
    const { maxThreads } = my.backendInfo();
    expect(() => my.setNumThreads(1e6)).to.throw(my.ArgumentRangeError, new RegExp(`Expected an integer from 1 to ${maxThreads} for threads but received 1000000 \\(number\\)`));
  });

  it('labels changed during fit do not reach the loss: fit trains on the labels it checked', async () => {
    my.seed(8);
    const model = my.sequential([my.layers.dense({ inputShape: [2], units: 3, activation: 'softmax' })]);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const y = Float32Array.from({ length: 64 }, (_, i) => i % 3);
    const x = Array.from({ length: 64 }, (_, i) => [i % 3, (i * 7) % 5]);
    const history = await model.fit(x, y, {
      epochs: 3,
      batchSize: 8,
      verbose: 0,
      callbacks: { onBatchEnd: (batch) => void (batch === 1 && y.fill(99)) },
    });
    expect(history.history['loss']?.every(Number.isFinite)).to.equal(true);
    expect(Array.from(y.subarray(0, 2))).to.deep.equal([99, 99]);
  });
});
