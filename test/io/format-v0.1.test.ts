/**
 * Model files written by myelin 0.1.0 (test/fixtures/models, made by make-v0.1.ts with that
 * version) keep loading: the same predictions, the optimizer's state, a checkpoint's resume point,
 * and training goes on from them. Predictions match to float32 rounding rather than to the bit,
 * because the AVX2, AVX-512 and NEON kernels sum in different orders and the CPU that runs the
 * tests is not the one that made the files.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as my from '../../lib/index';
import { expectClose, VALUES } from '../helpers/compare';

const dir = path.join(__dirname, '..', 'fixtures', 'models');
const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected-v0.1.json'), 'utf8')) as {
  input: number[][];
  model: number[];
  adam: number[];
  adamIterations: number;
  modelIterations: number;
};

describe('model files of myelin 0.1.0', () => {
  it('a model of every layer kind loads and predicts what it predicted when saved', async () => {
    const model = await my.loadModel(path.join(dir, 'model-v0.1.myelin'));
    expectClose((model.predict(expected.input) as my.Tensor).data, expected.model, VALUES, 'predictions');
    expect(model.classNames, 'a file from before classNames existed').to.equal(null);
    expect(model.optimizer.iterations).to.equal(expected.modelIterations);
    expect(model.layers.map((l) => l.className)).to.deep.equal(['Normalization', 'Dense', 'BatchNormalization', 'PReLU', 'Dropout', 'GaussianNoise', 'Dense', 'RReLU', 'Activation', 'Dense']);
  });

  it('an AMSGrad Adam model loads with its slots and trains on', async () => {
    const model = await my.loadModelSync(path.join(dir, 'adam-v0.1.myelin'));
    expectClose((model.predict(expected.input) as my.Tensor).data, expected.adam, VALUES, 'predictions');
    expect(model.optimizer.getState().slots.map((s) => s.name)).to.deep.equal(['m', 'v', 'vHat']);
    const loss = model.trainOnBatch(expected.input, [[0.1], [0.2], [0.3], [0.4]]);
    expect(Number.isFinite(loss)).to.equal(true);
    expect(model.optimizer.iterations).to.equal(expected.adamIterations + 1);
  });

  it('a checkpoint loads with its resume epoch', async () => {
    const { model, initialEpoch } = await my.loadCheckpoint(path.join(dir, 'checkpoint-v0.1.myelin'));
    expect(initialEpoch).to.equal(2);
    expect(model.layers).to.have.length(10);
  });
});
