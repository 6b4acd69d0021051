import { expect } from 'chai';

import * as my from '../../lib/index';
import { drive, tinyModel } from './drive';
import { rejects } from '../helpers/rejects';

const X = [[1, 2], [0, 1], [2, 0]];
const Y = [[3], [1], [0]];

describe('callbacks.learningRateScheduler()', () => {
  it('sets the rate before each epoch from (epoch, current rate), with real epoch indices', async () => {
    const model = tinyModel(1);
    const calls: [number, number][] = [];
    const seen: number[] = [];
    const history = await model.fit(X, Y, {
      epochs: 5,
      initialEpoch: 2,
      batchSize: 3,
      verbose: 0,
      callbacks: [
        my.callbacks.learningRateScheduler((epoch, lr) => (calls.push([epoch, lr]), lr / 2)),
        { onBatchBegin: () => void seen.push(model.optimizer.learningRate as number) },
      ],
    });
    expect(calls).to.deep.equal([[2, 1], [3, 0.5], [4, 0.25]]);
    expect(seen).to.deep.equal([0.5, 0.25, 0.125]);
    expect(history.history['lr']).to.deep.equal([0.5, 0.25, 0.125]);
  });

  it('the optimizer steps with the rate it sets', async () => {
    const trained = async (learningRate: number, callbacks: my.callbacks.Callback[]): Promise<number[]> => {
      const model = tinyModel(learningRate);
      await model.fit(X, Y, { epochs: 1, batchSize: 3, shuffle: false, verbose: 0, callbacks });
      return model.getWeights().flatMap((w) => Array.from(w.data));
    };
    const scheduled = await trained(0.01, [my.callbacks.learningRateScheduler(() => 0.3)]);
    expect(scheduled).to.deep.equal(await trained(0.3, []));
    expect(scheduled).to.not.deep.equal(await trained(0.01, []));
  });

  it('refuses a schedule result that is not a rate, a schedule learning rate, and a schedule that is not a function', async () => {
    const bad = await rejects(drive(my.callbacks.learningRateScheduler(() => NaN), [1]));
    expect(bad).to.be.instanceOf(RangeError);
    expect(bad.message).to.match(/Expected a finite learning rate > 0 for learningRateScheduler schedule\(0, lr\) but received NaN/);
    const scheduled = await rejects(drive(my.callbacks.learningRateScheduler(() => 0.1), [1], 'val_loss', tinyModel(() => 0.1)));
    expect(scheduled.message).to.match(/for learningRateScheduler to change for optimizer.learningRate but received a function/);
    expect(() => my.callbacks.learningRateScheduler(0.1 as unknown as my.callbacks.Schedule)).to.throw(TypeError, /Expected a function for learningRateScheduler schedule/);
    expect(() => my.callbacks.learningRateScheduler(() => 1, { verbose: 3 as 1 })).to.throw(RangeError, /learningRateScheduler verbose/);
  });
});
