/** callbacks.modelCheckpoint: when it saves, where, and what the file holds. */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as my from '../../lib/index';
import { randomArray } from '../helpers/data';

const X = new my.Tensor(randomArray(40 * 2, 3), [40, 2]);
const Y = new my.Tensor(randomArray(40, 4), [40, 1]);

function model(): my.Sequential {
  my.seed(5);
  const m = my.sequential([my.layers.dense({ inputShape: [2], units: 1 })]);
  m.compile({ optimizer: my.optimizers.sgd({ learningRate: 0.05, momentum: 0.5 }), loss: 'mse', metrics: ['mae'] });
  return m;
}

describe('callbacks.modelCheckpoint', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-ckpt-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('fills {epoch} (from 1) and formatted logged values into the path, every everyEpochs epochs, creating the folder', async () => {
    const template = path.join(dir, 'sub', 'e{epoch:03d}-{loss:.3f}-{mae}.myelin');
    const seen: string[] = [];
    await model().fit(X, Y, {
      epochs: 5, verbose: 0,
      callbacks: [my.callbacks.modelCheckpoint({ path: template, everyEpochs: 2 }), { onEpochEnd: (epoch, logs) => { seen.push(`e${String(epoch + 1).padStart(3, '0')}-${logs['loss']?.toFixed(3)}-${logs['mae']}.myelin`); } }],
    });
    expect(fs.readdirSync(path.join(dir, 'sub')).sort()).to.deep.equal([seen[1], seen[3]]);
  });

  it('saves only improvements with saveBestOnly, watching the monitor in its mode', async () => {
    const saved: number[] = [];
    const checkpoint = my.callbacks.modelCheckpoint({ path: path.join(dir, 'best.myelin'), monitor: 'val_loss', saveBestOnly: true });
    const values = [0.5, 0.4, 0.45, 0.3, 0.3];
    checkpoint.setModel(model());
    for (const [epoch, value] of values.entries()) {
      fs.rmSync(path.join(dir, 'best.myelin'), { force: true });
      await checkpoint.onEpochEnd(epoch, { loss: 1, val_loss: value });
      if (fs.existsSync(path.join(dir, 'best.myelin'))) saved.push(epoch);
    }
    expect(saved).to.deep.equal([0, 1, 3]);
    expect(checkpoint.best).to.equal(0.3);

    const maxMode = my.callbacks.modelCheckpoint({ path: path.join(dir, 'acc-{epoch}.myelin'), monitor: 'val_acc', saveBestOnly: true });
    maxMode.setModel(model());
    for (const [epoch, value] of [0.5, 0.4, 0.6].entries()) await maxMode.onEpochEnd(epoch, { val_acc: value });
    expect(fs.readdirSync(dir).filter((f) => f.startsWith('acc')).sort()).to.deep.equal(['acc-1.myelin', 'acc-3.myelin']);
  });

  it('writes a resumable checkpoint, or the weights alone with saveWeightsOnly', async () => {
    const m = model();
    await m.fit(X, Y, {
      epochs: 2, verbose: 0,
      callbacks: [my.callbacks.modelCheckpoint({ path: path.join(dir, 'full.myelin') }), my.callbacks.modelCheckpoint({ path: path.join(dir, 'weights.myelin'), saveWeightsOnly: true })],
    });
    const full = await my.loadCheckpoint(path.join(dir, 'full.myelin'));
    expect(full.initialEpoch).to.equal(2);
    expect(full.model.optimizer.iterations).to.equal(m.optimizer.iterations);
    const weights = my.loadModelSync(path.join(dir, 'weights.myelin'));
    expect(() => weights.optimizer).to.throw(my.ModelStateError);
    expect(weights.getWeights().map((w) => Array.from(w.data))).to.deep.equal(m.getWeights().map((w) => Array.from(w.data)));
    const error = await my.loadCheckpoint(path.join(dir, 'weights.myelin')).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(my.ArgumentRangeError);
  });

  it('checks its config, and names a path field that is not logged', async () => {
    expect(() => my.callbacks.modelCheckpoint({} as never)).to.throw(my.ArgumentTypeError, /modelCheckpoint path/);
    expect(() => my.callbacks.modelCheckpoint({ path: 'a-{epoch:x}.myelin' })).to.throw(my.ArgumentRangeError, /format ':x'/);
    expect(() => my.callbacks.modelCheckpoint({ path: 'a', everyEpochs: 0 })).to.throw(my.ArgumentRangeError, /everyEpochs/);
    expect(() => my.callbacks.modelCheckpoint({ path: 'a', saveBestOnly: 1 } as never)).to.throw(my.ArgumentTypeError, /saveBestOnly/);
    expect(() => my.callbacks.modelCheckpoint({ path: 'a', mode: 'up' } as never)).to.throw(my.ArgumentRangeError, /mode/);
    const checkpoint = my.callbacks.modelCheckpoint({ path: path.join(dir, '{val_los}.myelin') });
    checkpoint.setModel(model());
    const error = await Promise.resolve(checkpoint.onEpochEnd(0, { loss: 1, val_loss: 2 })).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(my.ArgumentRangeError);
    expect((error as Error).message).to.match(/'\{val_los\}'/);
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });
});
