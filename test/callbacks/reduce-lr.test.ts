import { expect } from 'chai';

import * as my from '../../lib/index';
import { drive, tinyModel } from './drive';
import { rejects } from '../helpers/rejects';

const flat = (epochs: number, value = 1): number[] => Array.from({ length: epochs }, () => value);

describe('callbacks.reduceLROnPlateau()', () => {
  // Rates after each epoch, from 1, on scripted val_loss values; worked out from Keras's code.
  const cases: [string, my.callbacks.ReduceLROnPlateauConfig, number[], number[]][] = [
    ['lowers the rate every `patience` epochs on a plateau', { patience: 2, factor: 0.5 }, flat(7), [1, 1, 0.5, 0.5, 0.25, 0.25, 0.125]],
    ['an improvement restarts the wait', { patience: 2, factor: 0.5 }, [1, 1, 0.5, 0.5, 0.5], [1, 1, 1, 1, 0.5]],
    ['a gain below minDelta is no improvement', { patience: 1, factor: 0.5, minDelta: 0.01 }, [1, 0.995, 0.99], [1, 0.5, 0.25]],
    ['cooldown: epochs after a change do not count', { patience: 1, factor: 0.5, cooldown: 2 }, flat(8), [1, 0.5, 0.5, 0.25, 0.25, 0.125, 0.125, 0.0625]],
    ['minLr: never below it, and no change once there', { patience: 1, factor: 0.1, minLr: 0.05 }, flat(5), [1, 0.1, 0.05, 0.05, 0.05]],
    ["mode 'auto' maximizes an accuracy", { patience: 1, factor: 0.5, monitor: 'val_accuracy' }, [0.5, 0.6, 0.7, 0.6], [1, 1, 1, 0.5]],
    ["mode 'min' on an accuracy name", { patience: 1, factor: 0.5, monitor: 'val_accuracy', mode: 'min' }, [0.5, 0.6, 0.7, 0.4], [1, 0.5, 0.25, 0.25]],
  ];
  for (const [name, config, values, rates] of cases) {
    it(name, async () => {
      const run = await drive(my.callbacks.reduceLROnPlateau(config), values, config.monitor ?? 'val_loss');
      expect(run.rates).to.deep.equal(rates);
      // 'lr' in the logs is the rate the epoch trained with.
      expect(run.logs.map((l) => l['lr'])).to.deep.equal([1, ...rates.slice(0, -1)]);
    });
  }

  it('changes the rate the optimizer steps with, and History records lr', async () => {
    const model = tinyModel(0.1);
    const seen: number[] = [];
    const history = await model.fit([[1, 2]], [[3]], {
      epochs: 4,
      verbose: 0,
      callbacks: [
        { onEpochEnd: (_e, logs) => void (logs['flat'] = 1), onBatchBegin: () => void seen.push(model.optimizer.learningRate as number) },
        my.callbacks.reduceLROnPlateau({ monitor: 'flat', patience: 1, factor: 0.5 }),
      ],
    });
    expect(seen).to.deep.equal([0.1, 0.1, 0.05, 0.025]);
    expect(history.history['lr']).to.deep.equal([0.1, 0.1, 0.05, 0.025]);
  });

  it('refuses a learning rate that is a schedule, and an unknown monitor', async () => {
    const error = await rejects(drive(my.callbacks.reduceLROnPlateau(), [1], 'val_loss', tinyModel(() => 0.1)));
    expect(error).to.be.instanceOf(TypeError);
    expect(error.message).to.match(/Expected a number for reduceLROnPlateau to change for optimizer.learningRate but received a function\. A schedule already sets the rate/);
    const unknown = await rejects(drive(my.callbacks.reduceLROnPlateau({ monitor: 'val_auc' }), [1]));
    expect(unknown.message).to.match(/Expected one of the logged values 'loss', 'val_loss', 'lr' for reduceLROnPlateau monitor but received 'val_auc'/);
  });

  it('checks its options', () => {
    expect(() => my.callbacks.reduceLROnPlateau({ factor: 1 })).to.throw(RangeError, /a number in \(0, 1\): the rate is multiplied by it for reduceLROnPlateau factor but received 1 \(number\)\. A factor >= 1 would not lower the rate/);
    expect(() => my.callbacks.reduceLROnPlateau({ factor: 0 })).to.throw(RangeError, /reduceLROnPlateau factor but received 0/);
    expect(() => my.callbacks.reduceLROnPlateau({ patience: -1 })).to.throw(RangeError, /non-negative integer for reduceLROnPlateau patience but received -1/);
    expect(() => my.callbacks.reduceLROnPlateau({ cooldown: 0.5 })).to.throw(RangeError, /reduceLROnPlateau cooldown/);
    expect(() => my.callbacks.reduceLROnPlateau({ minLr: -1 })).to.throw(RangeError, /a number >= 0 for reduceLROnPlateau minLr/);
    expect(() => my.callbacks.reduceLROnPlateau({ mode: 'up' as 'max' })).to.throw(RangeError, /for reduceLROnPlateau mode but received 'up'/);
  });
});
