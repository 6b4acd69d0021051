/**
 * Issue 12, item 3: serving.batcher(model, { maxBatchSize: 1e9 }) was accepted, and its predict()
 * then threw a plain RangeError synchronously, which a caller using .then/.catch cannot catch.
 * maxBatchSize is bounded, and every failure of an async API is a rejection.
 */
import { expect } from 'chai';

import * as my from '../../lib/index';
import { MAX_BATCHER_BATCH } from '../../lib/limits';
import { rejects } from '../helpers/rejects';

function model(features = 4): my.Sequential {
  return my.sequential([my.layers.dense({ inputShape: [features], units: 3 })]);
}

/** Calls `call`, failing the test if it throws instead of returning a promise. */
function promiseOf(call: () => Promise<unknown>): Promise<unknown> {
  let promise: Promise<unknown> | undefined;
  expect(() => (promise = call())).to.not.throw();
  return promise as Promise<unknown>;
}

describe('reliability: async APIs reject, never throw (item 3)', () => {
  it('refuses maxBatchSize past its bound with an ArgumentRangeError naming it', () => {
    expect(() => my.serving.batcher(model(), { maxBatchSize: 1e9 })).to.throw(my.ArgumentRangeError, new RegExp(`Expected a positive integer of at most ${MAX_BATCHER_BATCH} for maxBatchSize but received 1000000000 \\(number\\)`));
  });

  it('refuses a maxBatchSize within the bound whose batch buffers could not be allocated, naming it and the memory', () => {
    const wide = my.sequential([my.layers.dense({ inputShape: [2 ** 30], units: 1 })]);
    expect(() => my.serving.batcher(wide, { maxBatchSize: 64 })).to.throw(my.ArgumentRangeError, /sizes whose buffers can be allocated .* for maxBatchSize but received 64 samples per batch: .* would take \d+(\.\d)? GiB/);
  });

  it("batcher.predict's every failure is a rejection: a bad sample, bad options, a closed batcher", async () => {
    const b = my.serving.batcher(model());
    for (const bad of [() => b.predict(undefined as never), () => b.predict([1, 2, , 4] as never), () => b.predict([1, 2, 3, 4], 'x' as never), () => b.predict(new Float32Array(9))]) {
      const error = await rejects(promiseOf(bad) as Promise<unknown>);
      expect(error.name).to.match(/^(ArgumentTypeError|ShapeError)$/);
    }
    await b.close();
    expect(await rejects(promiseOf(() => b.predict([1, 2, 3, 4])) as Promise<unknown>)).to.be.instanceOf(my.ModelStateError);
  });

  it('predictAsync, fit, save, exportOnnx and loadModel reject on bad arguments instead of throwing', async () => {
    const m = model();
    m.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    for (const call of [() => m.predictAsync('x' as never), () => m.predictAsync([[1, 2, 3, 4]], { batchSize: -1 }), () => m.fit([[1]], [[1]]), () => m.save(42 as never), () => m.exportOnnx('' as never), () => my.loadModel(undefined as never)]) {
      const error = await rejects(promiseOf(call) as Promise<unknown>);
      expect(error.name).to.match(/^(ArgumentTypeError|ArgumentRangeError|ShapeError)$/);
    }
  });
});
