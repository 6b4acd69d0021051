/**
 * The batcher over a graph model of several inputs: each request gives one sample per input (an
 * array in the model's order, or an object keyed by input name), and gets the row predict() gives.
 */
import { expect } from 'chai';
import * as my from '../../lib/index';
import { expectClose } from '../helpers/compare';

function twoInputModel(): my.Functional {
  my.seed(3);
  const x = my.input({ shape: [3], name: 'x' });
  const z = my.input({ shape: [2], name: 'z' });
  const merged = my.layers.concatenate().apply([my.layers.dense({ units: 4, activation: 'tanh' }).apply(x), z]);
  return my.model({ inputs: [x, z], outputs: my.layers.dense({ units: 2 }).apply(merged) });
}

describe('serving.batcher() over a model of several inputs', () => {
  it('answers each request, given as an array or by input name, with its own row of predict()', async () => {
    const model = twoInputModel();
    const batcher = my.serving.batcher(model, { maxBatchSize: 8, maxDelayMs: 5 });
    const xs = Array.from({ length: 5 }, (_, i) => [0.1 * i, -0.2 * i, 0.3]);
    const zs = Array.from({ length: 5 }, (_, i) => [i % 2, 0.5 - 0.1 * i]);
    const rows = await Promise.all(xs.map((x, i) => (i % 2 === 0 ? batcher.predict([x, zs[i] as number[]]) : batcher.predict({ x, z: zs[i] as number[] }))));
    const expected = model.predict([xs, zs]) as my.Tensor;
    // The same rows in one batch of five either way; a GEMM may sum in another order on another path.
    rows.forEach((row, i) => expectClose(row, expected.data.subarray(i * 2, i * 2 + 2), { atol: 1e-6, rtol: 0 }, `row ${i}`));
    expect(batcher.stats.batches).to.equal(1);
    await batcher.close();
  });

  it('rejects a request whose sample for one input is the wrong width, naming that input, and serves the others', async () => {
    const batcher = my.serving.batcher(twoInputModel(), { maxBatchSize: 4, maxDelayMs: 1 });
    const good = batcher.predict({ x: [1, 2, 3], z: [0, 1] });
    const error = await batcher.predict({ x: [1, 2, 3], z: [0, 1, 2] }).then(() => null, (e: unknown) => e as Error);
    expect(error).to.be.instanceOf(my.ShapeError);
    expect(error?.message).to.contain('sample.z');
    const missing = await batcher.predict([[1, 2, 3]]).then(() => null, (e: unknown) => e as Error);
    expect(missing?.message).to.contain('one tensor per input (2: x, z)');
    expect((await good).length).to.equal(2);
    await batcher.close();
  });

  it('refuses a model of several outputs when made', () => {
    const x = my.input({ shape: [2] });
    const model = my.model({ inputs: x, outputs: [my.layers.dense({ units: 1, name: 'a' }).apply(x), my.layers.dense({ units: 1, name: 'b' }).apply(x)] });
    expect(() => my.serving.batcher(model)).to.throw(my.ArgumentRangeError, 'a model of one output');
  });
});
