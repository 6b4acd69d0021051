/**
 * Issue 12, item 4: sizes get an upper bound everywhere. A size whose buffers cannot be allocated
 * is refused before any allocation with an ArgumentRangeError naming the argument and the memory
 * it would take; dense({ units: 1e9 }) and inputShape: [1e12] used to pass construction and
 * compile and fail at the first predict with V8's "Array buffer allocation failed".
 */
import { expect } from 'chai';

import * as my from '../../lib/index';
import { MAX_BUFFER_FLOATS } from '../../lib/limits';

describe('reliability: sizes past what can be allocated (item 4)', () => {
  it('inputShape [1e12] and units 1e12 are refused at construction', () => {
    expect(() => my.layers.dense({ inputShape: [1e12], units: 2 })).to.throw(my.ArgumentRangeError, new RegExp(`Expected a positive integer of at most ${MAX_BUFFER_FLOATS} for inputShape\\[0\\] but received 1000000000000`));
    expect(() => my.layers.dense({ units: 1e12 })).to.throw(my.ArgumentRangeError, /for units but received 1000000000000/);
  });

  it('units 1e9 on 784 inputs is refused when the layer is added, naming the layer and the memory, and the layer stays usable', () => {
    const layer = my.layers.dense({ inputShape: [784], units: 1e9 });
    expect(() => my.sequential([layer])).to.throw(my.ArgumentRangeError, /sizes whose buffers can be allocated \(one buffer at most 2147483647 floats, 8\.0 GiB; .*\) for layer 'dense_\d+' but received a layer of 1000000000 units on 784 inputs, with weights kernel \[784, 1000000000\], bias \[1000000000\]: the parameter arena alone would take 2\.9 TiB/);
    expect(layer.built).to.equal(false);
  });

  it('a batch whose activations would not fit one buffer is refused by name: batchSize in predict and evaluate, x in trainOnBatch', () => {
    const model = my.sequential([my.layers.dense({ inputShape: [2], units: 2 ** 20 }), my.layers.dense({ units: 1 })]);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const rows = 4096;
    const x = my.tensor2d(new Float32Array(rows * 2), [rows, 2]);
    const y = my.tensor2d(new Float32Array(rows), [rows, 1]);
    expect(() => model.predict(x, { batchSize: rows })).to.throw(my.ArgumentRangeError, /for x but received 4096 samples per batch: 4096 rows of 'dense_\d+' \(1048576 units\), outputs alone would take 16\.0 GiB/);
    expect(() => model.evaluate(x, y, { batchSize: 4096 })).to.throw(my.ArgumentRangeError, /for batchSize but received 4096 samples per batch/);
    expect(() => model.trainOnBatch(x, y)).to.throw(my.ArgumentRangeError, /for x but received 4096 samples per batch/);
    expect(model.predict([[1, 2], [3, 4]]).shape, 'a small batch still works').to.deep.equal([2, 1]);
  });

  it("fit's batchSize is checked before the first step", async () => {
    const model = my.sequential([my.layers.dense({ inputShape: [2], units: 2 ** 20 }), my.layers.dense({ units: 1 })]);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = my.tensor2d(new Float32Array(4096 * 2), [4096, 2]);
    const error = await model.fit(x, new Float32Array(4096), { batchSize: 4096, verbose: 0 }).then(() => null, (e: unknown) => e);
    expect(error).to.be.instanceOf(my.ArgumentRangeError);
    expect((error as Error).message).to.match(/for batchSize but received 4096 samples per batch/);
  });
});
