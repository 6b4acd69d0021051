import { expect } from 'chai';

import * as my from '../../lib/index';
import { tinyModel } from './drive';
import { rejects } from '../helpers/rejects';

const X = [[0, 1], [1, 0], [1, 1]];
const Y = [[1], [0], [2]];

describe('Callback', () => {
  it('a subclass gets the model, the params and every hook in order, each awaited', async () => {
    const events: string[] = [];
    class Recorder extends my.callbacks.Callback {
      override async onTrainBegin() {
        await new Promise((resolve) => setTimeout(resolve, 5));
        events.push(`train begin ${this.params.epochs} ${this.params.steps} ${this.params.samples}`);
      }
      override onEpochBegin(epoch: number) {
        events.push(`epoch ${epoch}`);
      }
      override onBatchBegin(batch: number, logs: my.Logs) {
        events.push(`batch ${batch} of ${logs['size']}`);
      }
      override onBatchEnd(batch: number, logs: my.Logs) {
        events.push(`batch ${batch} end ${Object.keys(logs).join(',')}`);
      }
      override onEpochEnd(epoch: number, logs: my.Logs) {
        events.push(`epoch ${epoch} end ${Object.keys(logs).join(',')}`);
      }
      override onTrainEnd(logs: my.Logs) {
        events.push(`train end ${this.model === model} ${Object.keys(logs).join(',')}`);
      }
    }
    const model = tinyModel();
    await model.fit(X, Y, { epochs: 2, batchSize: 2, verbose: 0, callbacks: new Recorder() });
    expect(events).to.deep.equal([
      'train begin 2 2 3',
      'epoch 0', 'batch 0 of 2', 'batch 0 end batch,size,loss', 'batch 1 of 1', 'batch 1 end batch,size,loss', 'epoch 0 end loss',
      'epoch 1', 'batch 0 of 2', 'batch 0 end batch,size,loss', 'batch 1 of 1', 'batch 1 end batch,size,loss', 'epoch 1 end loss',
      'train end true loss',
    ]);
  });

  it('has no model or params before fit attaches them', () => {
    const callback = new my.callbacks.Callback();
    expect(() => callback.model).to.throw(my.ModelStateError, /no model yet: pass it to fit\(\)/);
    expect(() => callback.params).to.throw(my.ModelStateError, /no params yet/);
  });

  it('stopTraining set in a batch hook ends training after that batch, with the epoch still logged', async () => {
    const model = tinyModel();
    const batches: string[] = [];
    const history = await model.fit(X, Y, {
      epochs: 5,
      batchSize: 1,
      verbose: 0,
      callbacks: { onBatchEnd: (batch) => { batches.push(`${batch}`); if (batch === 1) model.stopTraining = true; } },
    });
    expect(batches).to.deep.equal(['0', '1']);
    expect(history.epoch).to.deep.equal([0]);
  });

  it('plain hook objects are checked: hooks must be functions with known names', async () => {
    const model = tinyModel();
    const notFunction = await rejects(model.fit(X, Y, { verbose: 0, callbacks: [{}, { onEpochEnd: 3 } as unknown as my.CustomCallbackArgs] }));
    expect(notFunction).to.be.instanceOf(TypeError);
    expect(notFunction.message).to.match(/Expected a function for callbacks\[1\]\.onEpochEnd but received 3/);
    const misspelled = await rejects(model.fit(X, Y, { verbose: 0, callbacks: { onEpochEnds: () => undefined } as unknown as my.CustomCallbackArgs }));
    expect(misspelled.message).to.match(/for callbacks.onEpochEnds but received an unknown option 'onEpochEnds'/);
    const notObject = await rejects(model.fit(X, Y, { verbose: 0, callbacks: ['earlyStopping'] as unknown as my.CustomCallbackArgs[] }));
    expect(notObject.message).to.match(/Expected an object for callbacks\[0\]/);
  });
});

describe('callbacks.history()', () => {
  it('fit returns the History passed in, filled from scratch on each fit', async () => {
    const model = tinyModel(0.05);
    const history = my.callbacks.history();
    const returned = await model.fit(X, Y, { epochs: 3, verbose: 0, callbacks: [history] });
    expect(returned).to.equal(history);
    expect(history.epoch).to.deep.equal([0, 1, 2]);
    await model.fit(X, Y, { epochs: 5, initialEpoch: 3, verbose: 0, callbacks: [history] });
    expect(history.epoch).to.deep.equal([3, 4]);
    expect(history.history['loss']).to.have.length(2);
    expect(history.params).to.deep.equal({ epochs: 5, initialEpoch: 3, batchSize: 32, samples: 3, steps: 1, verbose: 0 });
  });

  it('a new History comes last, so it records what other callbacks add to the logs', async () => {
    const model = tinyModel(0.05);
    const history = await model.fit(X, Y, { epochs: 2, verbose: 0, callbacks: { onEpochEnd: (e, logs) => void (logs['extra'] = e * 10) } });
    expect(history).to.be.instanceOf(my.callbacks.History);
    expect(history.history['extra']).to.deep.equal([0, 10]);
  });
});
