import { expect } from 'chai';

import * as my from '../../lib/index';
import { drive, tinyModel } from './drive';
import { rejects } from '../helpers/rejects';

const X = [[0, 1], [1, 0], [1, 1], [2, 1]];
const Y = [[1], [0], [2], [1]];

describe('callbacks.earlyStopping()', () => {
  const cases: [string, my.callbacks.EarlyStoppingConfig, number[], number | null, string?][] = [
    ['patience 0 stops at the first epoch without improvement', {}, [1, 0.9, 0.95, 0.8], 2],
    ['patience 2 waits two epochs', { patience: 2 }, [1, 0.9, 0.95, 0.92, 0.91, 0.5], 3],
    ['an improvement restarts the wait', { patience: 2 }, [1, 0.9, 0.95, 0.85, 0.9, 0.86], 5],
    ['minDelta: a smaller gain is no improvement', { patience: 1, minDelta: 0.05 }, [1, 0.97, 0.9], 1],
    ['minDelta: its sign is ignored', { patience: 1, minDelta: -0.05 }, [1, 0.97, 0.9], 1],
    ['a larger gain is one', { patience: 1, minDelta: 0.05 }, [1, 0.94, 0.88, 0.87], 3],
    ["mode 'auto' maximizes an accuracy", { patience: 1 }, [0.5, 0.6, 0.6, 0.55], 2, 'val_accuracy'],
    ["mode 'auto' minimizes anything else", { patience: 1, monitor: 'mae' }, [0.5, 0.6, 0.4], 1, 'mae'],
    ["mode 'max'", { patience: 1, mode: 'max', monitor: 'score' }, [0.5, 0.4, 0.6, 0.6], 1, 'score'],
    ["mode 'min' on an accuracy name", { patience: 1, mode: 'min', monitor: 'val_accuracy' }, [0.5, 0.4, 0.6], 2, 'val_accuracy'],
    ['baseline: waiting counts until the value beats it', { patience: 2, baseline: 0.5 }, [1, 1, 1], 1],
    ['baseline: improving towards it never stops (Keras 3)', { patience: 2, baseline: 0.5 }, [1, 0.9, 0.8, 0.7, 0.6], null],
    ['baseline: once beaten, patience as usual', { patience: 2, baseline: 0.5 }, [1, 0.9, 0.8, 0.4, 0.45, 0.41], 5],
    ['never stops at epoch 0, nor while improving', { patience: 0 }, [3, 2, 1, 0.5], null],
  ];
  for (const [name, config, values, stoppedAt, monitor] of cases) {
    it(name, async () => {
      const callback = my.callbacks.earlyStopping({ monitor: monitor ?? 'val_loss', ...config });
      const run = await drive(callback, values, monitor);
      expect(run.stoppedAt).to.equal(stoppedAt);
      expect(callback.stoppedEpoch).to.equal(stoppedAt ?? 0);
    });
  }

  it('starts over on each fit, so one instance serves several', async () => {
    const callback = my.callbacks.earlyStopping({ patience: 1 });
    expect((await drive(callback, [1, 2, 3])).stoppedAt).to.equal(1);
    expect((await drive(callback, [5, 4, 3, 4, 5])).stoppedAt).to.equal(3);
  });

  it('names the logged values when the monitor is not among them, at the first epoch end', async () => {
    const model = tinyModel();
    const error = await rejects(model.fit(X, Y, { epochs: 3, verbose: 0, callbacks: [my.callbacks.earlyStopping()] }));
    expect(error).to.be.instanceOf(RangeError);
    expect(error.message).to.match(/Expected one of the logged values 'loss' for earlyStopping monitor but received 'val_loss'\. val_ values need validationData or validationSplit/);
    const misspelled = await rejects(model.fit(X, Y, { epochs: 3, verbose: 0, validationSplit: 0.5, callbacks: [my.callbacks.earlyStopping({ monitor: 'val-loss' })] }));
    expect(misspelled.message).to.match(/'loss', 'val_loss' for earlyStopping monitor but received 'val-loss'\. Did you mean 'val_loss'\?/);
  });

  describe('restoreBestWeights on a real model', () => {
    /** Fits with a scripted 'score' and a copy of the weights at each epoch end. */
    async function fitScripted(scores: number[], config: my.callbacks.EarlyStoppingConfig) {
      const model = tinyModel(0.05);
      const snapshots: Float32Array[] = [];
      const script = { onEpochEnd: (epoch: number, logs: my.Logs) => {
        logs['score'] = scores[epoch] as number;
        snapshots.push(Float32Array.from(model.getWeights().flatMap((w) => Array.from(w.data))));
      } };
      const stopper = my.callbacks.earlyStopping({ monitor: 'score', mode: 'min', ...config });
      const history = await model.fit(X, Y, { epochs: scores.length, batchSize: 2, verbose: 0, callbacks: [script, stopper] });
      const final = Float32Array.from(model.getWeights().flatMap((w) => Array.from(w.data)));
      return { history, snapshots, final };
    }

    it('restores the best epoch when patience runs out', async () => {
      const { history, snapshots, final } = await fitScripted([0.9, 0.5, 0.7, 0.8, 0.6, 0.1], { patience: 3, restoreBestWeights: true });
      expect(history.epoch).to.deep.equal([0, 1, 2, 3, 4]);
      expect(Array.from(final)).to.deep.equal(Array.from(snapshots[1] as Float32Array));
      expect(Array.from(final)).to.not.deep.equal(Array.from(snapshots[4] as Float32Array));
    });

    it('restores the best epoch at the end even when patience never ran out (Keras 3)', async () => {
      const { history, snapshots, final } = await fitScripted([0.9, 0.2, 0.7, 0.8], { patience: 10, restoreBestWeights: true });
      expect(history.epoch).to.deep.equal([0, 1, 2, 3]);
      expect(Array.from(final)).to.deep.equal(Array.from(snapshots[1] as Float32Array));
    });

    it('keeps the last weights without restoreBestWeights', async () => {
      const { snapshots, final } = await fitScripted([0.9, 0.2, 0.7, 0.8], { patience: 10 });
      expect(Array.from(final)).to.deep.equal(Array.from(snapshots[3] as Float32Array));
    });
  });

  it('prints when it stops and restores, with verbose 1', async () => {
    const lines: string[] = [];
    const write = process.stdout.write;
    process.stdout.write = ((chunk: string) => lines.push(chunk) > 0) as unknown as typeof process.stdout.write;
    try {
      await drive(my.callbacks.earlyStopping({ verbose: 1, restoreBestWeights: true }), [1, 2]);
    } finally {
      process.stdout.write = write;
    }
    expect(lines).to.deep.equal(['Epoch 2: early stopping\n', 'Restoring model weights from the end of the best epoch: 1.\n']);
  });

  it('checks its options', () => {
    expect(() => my.callbacks.earlyStopping({ patience: -1 })).to.throw(RangeError, /Expected a non-negative integer for earlyStopping patience but received -1 \(number\)/);
    expect(() => my.callbacks.earlyStopping({ mode: 'maximum' as 'max' })).to.throw(RangeError, /Expected one of 'auto', 'min', 'max' for earlyStopping mode but received 'maximum'/);
    expect(() => my.callbacks.earlyStopping({ monitor: '' })).to.throw(RangeError, /earlyStopping monitor but received '' \(string\)/);
    expect(() => my.callbacks.earlyStopping({ monitor: 3 as unknown as string })).to.throw(TypeError, /earlyStopping monitor/);
    expect(() => my.callbacks.earlyStopping({ minDelta: NaN })).to.throw(RangeError, /earlyStopping minDelta but received NaN/);
    expect(() => my.callbacks.earlyStopping({ baseline: Infinity })).to.throw(RangeError, /earlyStopping baseline/);
    expect(() => my.callbacks.earlyStopping({ restoreBestWeights: 1 as unknown as boolean })).to.throw(TypeError, /a boolean for earlyStopping restoreBestWeights/);
    expect(() => my.callbacks.earlyStopping({ verbose: 2 as 1 })).to.throw(RangeError, /Expected 0 or 1 for earlyStopping verbose/);
    expect(() => my.callbacks.earlyStopping({ pateince: 2 } as my.callbacks.EarlyStoppingConfig)).to.throw(RangeError, /unknown option 'pateince'/);
  });
});
