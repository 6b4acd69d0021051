import { expect } from 'chai';

import * as my from '../../lib/index';
import { tinyModel } from './drive';

describe('callbacks.terminateOnNaN()', () => {
  it('sets stopTraining on a NaN or infinite loss only', () => {
    const model = tinyModel();
    const callback = my.callbacks.terminateOnNaN();
    callback.setModel(model);
    callback.setParams({ epochs: 1, initialEpoch: 0, batchSize: 1, samples: 1, steps: 1, verbose: 0 });
    for (const [loss, stops] of [[1, false], [NaN, true], [Infinity, true], [-Infinity, true], [0, false]] as const) {
      model.stopTraining = false;
      callback.onBatchEnd(0, { batch: 0, size: 1, loss });
      expect(model.stopTraining, `loss ${loss}`).to.equal(stops);
    }
  });

  it('ends a diverging fit cleanly: the History so far and the weights of the last good step', async () => {
    const model = my.sequential([my.layers.dense({ inputShape: [1], units: 1 })]);
    model.compile({ optimizer: my.optimizers.sgd({ learningRate: 1e10 }), loss: 'meanSquaredError' });
    const batches: number[] = [];
    const history = await model.fit([[1e10], [2e10]], [[1], [2]], {
      epochs: 50,
      batchSize: 2,
      verbose: 0,
      callbacks: [my.callbacks.terminateOnNaN(), { onBatchEnd: (_b, logs) => void batches.push(logs['loss'] as number) }],
    });
    const last = history.epoch.length - 1;
    expect(last).to.be.below(49);
    expect(history.epoch).to.deep.equal(Array.from({ length: last + 1 }, (_, i) => i));
    expect(Number.isFinite(history.history['loss']?.[last])).to.equal(false);
    expect(history.history['loss']?.slice(0, last).every(Number.isFinite)).to.equal(true);
    expect(batches).to.have.length(last + 1);
    expect(model.getWeights().every((w) => w.data.every(Number.isFinite))).to.equal(true);
  });
});
