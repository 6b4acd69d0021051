/**
 * Checkpoints of a graph model (a shared layer, dropout, batch normalization, two inputs and two
 * outputs): a run resumed from its checkpoint ends bit-identical to an uninterrupted one, as
 * test/models/resume.test.ts checks for a Sequential.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as my from '../../lib/index';
import { twoHeadData, twoHeadModel, weightBytes } from '../helpers/graph-model';

const N = 37; // batches of 8 leave a short last batch
const DATA = twoHeadData(N, 70);
const X = { x: DATA.x, z: DATA.z };
const Y = [DATA.cls, DATA.reg];

function makeModel(optimizer: () => my.optimizers.Optimizer): my.Functional {
  const model = twoHeadModel(7);
  model.compile({ optimizer: optimizer(), loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'], lossWeights: [1, 0.25], metrics: { cls: ['accuracy'] } });
  return model;
}

describe('resuming fit of a graph model from a checkpoint', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-graph-resume-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const optimizers: Record<string, () => my.optimizers.Optimizer> = {
    'adam with a schedule': () => my.optimizers.adam({ learningRate: my.schedules.exponentialDecay({ initialLearningRate: 0.01, decaySteps: 3, decayRate: 0.9 }) }),
    'sgd with momentum': () => my.optimizers.sgd({ learningRate: 0.05, momentum: 0.9, nesterov: true }),
  };
  for (const [name, optimizer] of Object.entries(optimizers)) {
    it(`4 epochs straight equal 2 + checkpoint + 2 more, bit for bit (${name})`, async () => {
      const args = { batchSize: 8, validationSplit: 0.2, verbose: 0 as const };
      const straight = makeModel(optimizer);
      const history = await straight.fit(X, Y, { ...args, epochs: 4 });
      expect(Object.keys(history.history)).to.include.members(['loss', 'cls_loss', 'reg_loss', 'cls_accuracy', 'val_loss', 'val_reg_loss']);

      const first = makeModel(optimizer);
      await first.fit(X, Y, { ...args, epochs: 2, callbacks: [my.callbacks.modelCheckpoint({ path: path.join(dir, 'ckpt-{epoch}-{val_cls_loss:.3f}.myelin') })] });
      const files = fs.readdirSync(dir).sort();
      expect(files).to.have.length(2);
      my.seed(999); // whatever happened in between
      const { model, initialEpoch } = await my.loadCheckpoint(path.join(dir, files[1] as string));
      expect(model).to.be.instanceOf(my.Functional);
      expect(initialEpoch).to.equal(2);
      await model.fit(X, Y, { ...args, epochs: 4, initialEpoch });

      expect(model.optimizer.iterations).to.equal(straight.optimizer.iterations);
      expect(weightBytes(model).equals(weightBytes(straight))).to.equal(true);
      expect(weightBytes(model).equals(weightBytes(first))).to.equal(false); // it did train on
      expect(model.evaluate(X, Y)).to.deep.equal(straight.evaluate(X, Y));
    });
  }

  it('differs when the checkpoint is loaded without its random state (the test can fail)', async () => {
    const optimizer = optimizers['sgd with momentum'] as () => my.optimizers.Optimizer;
    const straight = makeModel(optimizer);
    await straight.fit(X, Y, { batchSize: 8, verbose: 0, epochs: 3 });
    const first = makeModel(optimizer);
    const file = path.join(dir, 'c.myelin');
    await first.fit(X, Y, { batchSize: 8, verbose: 0, epochs: 2, callbacks: [my.callbacks.modelCheckpoint({ path: file })] });
    my.seed(999);
    const model = await my.loadModel(file); // loadModel leaves the generator alone: dropout draws other masks
    await model.fit(X, Y, { batchSize: 8, verbose: 0, epochs: 3, initialEpoch: 2 });
    expect(weightBytes(model).equals(weightBytes(straight))).to.equal(false);
  });

  it('saveBestOnly on an output\'s metric, and saveWeightsOnly, write graph files that load', async () => {
    const model = makeModel(optimizers['sgd with momentum'] as () => my.optimizers.Optimizer);
    const best = path.join(dir, 'best.myelin');
    const weights = path.join(dir, 'weights.myelin');
    await model.fit(X, Y, {
      batchSize: 8, verbose: 0, epochs: 2, validationSplit: 0.25,
      callbacks: [my.callbacks.modelCheckpoint({ path: best, monitor: 'val_reg_loss', saveBestOnly: true }), my.callbacks.modelCheckpoint({ path: weights, saveWeightsOnly: true })],
    });
    expect((await my.loadCheckpoint(best)).model.outputNames).to.deep.equal(['cls', 'reg']);
    const bare = await my.loadModel(weights);
    expect(() => bare.optimizer).to.throw(my.ModelStateError, /not compiled/);
    expect(weightBytes(bare).equals(weightBytes(model))).to.equal(true);
  });
});
