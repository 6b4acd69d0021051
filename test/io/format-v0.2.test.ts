/**
 * Model files of format version 2, the first with graph models (test/fixtures/models/*-v0.2.*,
 * made by make-v0.2.ts), keep loading: a graph of two inputs, a shared layer, merges and two
 * outputs predicts what it predicted when saved, with its compile config per output, its
 * optimizer's state, and a checkpoint's resume point; training goes on from them. Predictions
 * match to float32 rounding, not to the bit: the CPU that runs the tests is not the one that made
 * the files, and its kernels may sum in another order.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as my from '../../lib/index';
import type { GraphTopology } from '../../lib/io/header';
import { expectClose, VALUES } from '../helpers/compare';

const dir = path.join(__dirname, '..', 'fixtures', 'models');
const expected = JSON.parse(fs.readFileSync(path.join(dir, 'expected-v0.2.json'), 'utf8')) as {
  input: { x: number[][]; z: number[][] };
  cls: number[];
  reg: number[];
  iterations: number;
  layers: string[];
};

describe('model files of format version 2 (graph models)', () => {
  it('a graph of two inputs, a shared layer, merges and two outputs loads and predicts what it predicted when saved', async () => {
    const file = path.join(dir, 'graph-v0.2.myelin');
    expect(fs.readFileSync(file).readUInt32LE(8), 'the preamble of a version-2 file').to.equal(2);
    const model = await my.loadModel(file);
    expect(model).to.be.instanceOf(my.Functional);
    const graph = model as my.Functional;
    expect(graph.name).to.equal('fixture_graph');
    expect(graph.inputs.map((t) => [t.name, t.units])).to.deep.equal([['x', 5], ['z', 3]]);
    expect(model.outputNames).to.deep.equal(['cls', 'reg']);
    expect(model.layers.map((l) => l.name)).to.deep.equal(expected.layers);
    const shared = (model.toJSON().topology as GraphTopology).config.layers.find((e) => e.name === 'shared');
    expect(shared?.inboundNodes).to.deep.equal([[['norm', 0, 0]], [['lift', 0, 0]]]);

    const [cls, reg] = model.predict(expected.input) as my.Tensor[];
    expectClose((cls as my.Tensor).data, expected.cls, VALUES, 'cls predictions');
    expectClose((reg as my.Tensor).data, expected.reg, VALUES, 'reg predictions');
    // By position too: the inputs in the model's order.
    expectClose(((model.predict([expected.input.x, expected.input.z]) as my.Tensor[])[1] as my.Tensor).data, expected.reg, VALUES, 'reg predictions');

    const heads = model.compileArgs()?.heads.map((h) => [h.name, h.loss.name, h.weight, h.metrics.map((m) => m.name)]);
    expect(heads).to.deep.equal([['cls', 'sparseCategoricalCrossentropy', 1, ['accuracy']], ['reg', 'huber', 0.5, ['mae']]]);
    expect(model.optimizer).to.be.instanceOf(my.optimizers.Nadam);
    expect(model.optimizer.iterations).to.equal(expected.iterations);
    expect(model.optimizer.getState().slots.map((s) => s.name)).to.deep.equal(['m', 'v']);
    expect(model.classNames).to.equal(null);
  });

  it('trains on from the file, and its checkpoint resumes at epoch 2', async () => {
    const model = my.loadModelSync(path.join(dir, 'graph-v0.2.myelin'));
    const loss = model.trainOnBatch(expected.input, { cls: [0, 1, 2, 0], reg: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8]] });
    expect(Number.isFinite(loss)).to.equal(true);
    expect(model.optimizer.iterations).to.equal(expected.iterations + 1);

    const { model: resumed, initialEpoch } = await my.loadCheckpoint(path.join(dir, 'graph-checkpoint-v0.2.myelin'));
    expect(initialEpoch).to.equal(2);
    expect(resumed.layers.map((l) => l.name)).to.deep.equal(expected.layers);
    const history = await resumed.fit(expected.input, { cls: [0, 1, 2, 0], reg: [[0.1, 0.2], [0.3, 0.4], [0.5, 0.6], [0.7, 0.8]] }, { epochs: 3, initialEpoch, verbose: 0 });
    expect(Object.keys(history.history)).to.deep.equal(['loss', 'cls_loss', 'reg_loss', 'cls_accuracy', 'reg_mae']);
    expect(history.epoch).to.deep.equal([2]);
  });
});
