/** Resume: a run interrupted after epoch k and resumed from its checkpoint ends bit-identical to an uninterrupted one. */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as my from '../../lib/index';
import { randomArray, randomClasses } from '../helpers/data';

const N = 37; // batches of 8 leave a short last batch
const X = new my.Tensor(randomArray(N * 4, 5), [N, 4]);
const Y = Array.from(randomClasses(N, 3, 6));

/** Every random source a run has: initializers, shuffling, dropout, noise, rrelu slopes, batch statistics. */
function makeModel(optimizer: () => my.optimizers.Optimizer): my.Sequential {
  my.seed(7);
  const model = my.sequential([
    my.layers.gaussianNoise({ inputShape: [4], stddev: 0.1 }),
    my.layers.dense({ units: 8, activation: 'relu', kernelInitializer: 'heNormal' }),
    my.layers.batchNormalization(),
    my.layers.dropout({ rate: 0.25 }),
    my.layers.rrelu(),
    my.layers.dense({ units: 3, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: optimizer(), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const bytesOf = (model: my.Model): Buffer => Buffer.concat(model.getWeights().map((w) => Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength)));

describe('resuming fit from a checkpoint', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-resume-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const optimizers: Record<string, () => my.optimizers.Optimizer> = {
    adam: () => my.optimizers.adam({ learningRate: my.schedules.exponentialDecay({ initialLearningRate: 0.01, decaySteps: 3, decayRate: 0.9 }) }),
    nadam: () => my.optimizers.nadam({ learningRate: 0.01 }),
    'sgd with momentum': () => my.optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true }),
    'centered rmsprop': () => my.optimizers.rmsprop({ momentum: 0.5, centered: true }),
  };
  for (const [name, optimizer] of Object.entries(optimizers)) {
    it(`4 epochs straight equal 2 + checkpoint + 2 more, bit for bit (${name})`, async () => {
      const args = { batchSize: 8, validationSplit: 0.2, verbose: 0 as const };
      const straight = makeModel(optimizer);
      await straight.fit(X, Y, { ...args, epochs: 4 });

      const first = makeModel(optimizer);
      await first.fit(X, Y, { ...args, epochs: 2, callbacks: [my.callbacks.modelCheckpoint({ path: path.join(dir, 'ckpt-{epoch}.myelin') })] });
      expect(fs.readdirSync(dir).sort()).to.deep.equal(['ckpt-1.myelin', 'ckpt-2.myelin']);
      my.seed(999); // whatever happened in between
      const { model, initialEpoch } = await my.loadCheckpoint(path.join(dir, 'ckpt-2.myelin'));
      expect(initialEpoch).to.equal(2);
      await model.fit(X, Y, { ...args, epochs: 4, initialEpoch });

      expect(model.optimizer.iterations).to.equal(straight.optimizer.iterations);
      expect(bytesOf(model).equals(bytesOf(straight))).to.equal(true);
      expect(bytesOf(model).equals(bytesOf(first))).to.equal(false); // it did train on
    });
  }

  it('gives a different result when the checkpoint is loaded without its random state (the test can fail)', async () => {
    const optimizer = optimizers['adam'] as () => my.optimizers.Optimizer;
    const straight = makeModel(optimizer);
    await straight.fit(X, Y, { batchSize: 8, verbose: 0, epochs: 3 });
    const first = makeModel(optimizer);
    const file = path.join(dir, 'c.myelin');
    await first.fit(X, Y, { batchSize: 8, verbose: 0, epochs: 2, callbacks: [my.callbacks.modelCheckpoint({ path: file })] });
    my.seed(999);
    const model = await my.loadModel(file); // loadModel leaves the generator alone
    await model.fit(X, Y, { batchSize: 8, verbose: 0, epochs: 3, initialEpoch: 2 });
    expect(bytesOf(model).equals(bytesOf(straight))).to.equal(false);
  });

  it('refuses a plain model file as a checkpoint', async () => {
    const model = makeModel(optimizers['adam'] as () => my.optimizers.Optimizer);
    const file = path.join(dir, 'plain.myelin');
    await model.save(file);
    const error = await my.loadCheckpoint(file).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(my.ArgumentRangeError);
    expect((error as Error).message).to.match(/checkpoint written by callbacks\.modelCheckpoint.*Use loadModel/);
  });
});
