import { expect } from 'chai';

import * as my from '../../lib/index';
import { Functional } from '../../lib/models/functional';
import { globalRandom } from '../../lib/random';
import { expectClose } from '../helpers/compare';
import { randomArray, randomClasses } from '../helpers/data';

const FOLDED = { atol: 1e-5, rtol: 1e-5 };

/** Every output of predict(), as a list. */
function predictAll(model: my.Model, xs: my.Tensor | my.Tensor[]): Float32Array[] {
  const result = model.predict(xs);
  return (Array.isArray(result) ? result : [result]).map((t) => t.data);
}

function expectSamePredictions(folded: my.Model, model: my.Model, xs: my.Tensor | my.Tensor[]): void {
  const expected = predictAll(model, xs);
  predictAll(folded, xs).forEach((got, i) => expectClose(got, expected[i] as Float32Array, FOLDED, `folded predictions, output ${i}`));
}

/**
 * Statistics away from their initial values without training: BatchNormalization's moving mean and
 * variance, gamma and beta random (variances positive), and every other weight too.
 */
function randomizeWeights(model: my.Model, seed: number): void {
  model.layers.forEach((layer, i) => {
    for (const [name, view] of model.weightViews(layer)) {
      const values = randomArray(view.length, seed * 100 + i * 10 + name.length, 0.8);
      view.set(/variance/i.test(name) ? values.map((v) => 0.1 + 2 * Math.abs(v)) : values);
    }
  });
}

/** Dense, BatchNormalization, ReLU, added to the block's input: two residual blocks, trained. */
async function residualModel(withBias: boolean): Promise<{ model: my.Functional; x: my.Tensor }> {
  my.seed(41);
  const input = my.input({ shape: [9], name: 'features' });
  let h = my.layers.dense({ units: 12, activation: 'relu', name: 'stem' }).apply(input);
  for (let b = 0; b < 2; b++) {
    const z = my.layers.dense({ units: 12, useBias: withBias, name: `block${b}_dense` }).apply(h);
    const normalized = my.layers.batchNormalization({ momentum: 0.5, name: `block${b}_bn` }).apply(z);
    h = my.layers.add({ name: `block${b}_add` }).apply([h, my.layers.activation({ activation: 'relu', name: `block${b}_relu` }).apply(normalized)]);
  }
  const model = my.model({ inputs: input, outputs: my.layers.dense({ units: 3, activation: 'softmax', name: 'class' }).apply(h) });
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const x = my.tensor2d(randomArray(96 * 9, 42, 2), [96, 9]);
  // A few epochs move the moving statistics and gamma/beta away from their initial values.
  await model.fit(x, randomClasses(96, 3, 43), { epochs: 4, batchSize: 16, verbose: 0 });
  return { model, x };
}

describe('Functional#foldBatchNorm()', () => {
  for (const withBias of [true, false]) {
    it(`folds each block's BatchNormalization into its Dense (${withBias ? 'with' : 'without'} bias) in a trained residual graph and predicts the same to 1e-5`, async () => {
      const { model, x } = await residualModel(withBias);
      const folded = model.foldBatchNorm();
      expect(folded).to.be.instanceOf(Functional);
      expect(folded.layers.map((l) => l.name)).to.deep.equal(['stem', 'block0_dense', 'block0_relu', 'block0_add', 'block1_dense', 'block1_relu', 'block1_add', 'class']);
      expect(folded.inputs.map((t) => t.name)).to.deep.equal(['features']);
      expect(folded.outputNames).to.deep.equal(['class']);
      expect((folded.getLayer('block0_dense') as my.layers.Dense).useBias).to.equal(true);
      expectSamePredictions(folded, model, x);
    });
  }

  it('leaves the original model and the random generator untouched, and the copy is a model of its own', async () => {
    const { model, x } = await residualModel(true);
    const before = model.getWeights().map((t) => t.data.slice());
    const generator = globalRandom.getState();
    const folded = model.foldBatchNorm();
    expect(globalRandom.getState()).to.deep.equal(generator); // the next fit draws what it would have
    model.getWeights().forEach((t, i) => expect(Array.from(t.data)).to.deep.equal(Array.from(before[i] as Float32Array)));
    folded.layers.forEach((layer) => expect(model.layers).not.to.include(layer));
    // Training the copy changes nothing of the original.
    folded.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    await folded.fit(x, randomClasses(96, 3, 44), { epochs: 1, verbose: 0 });
    model.getWeights().forEach((t, i) => expect(Array.from(t.data)).to.deep.equal(Array.from(before[i] as Float32Array)));
  });

  it('does not fold a Dense whose output also feeds a merge: both layers are copied with their weights', () => {
    my.seed(45);
    const input = my.input({ shape: [6], name: 'x' });
    const z = my.layers.dense({ units: 6, name: 'z' }).apply(input);
    const skip = my.layers.add({ name: 'skip' }).apply([z, my.layers.batchNormalization({ name: 'bn' }).apply(z)]);
    // The same pattern with the Dense feeding only the BatchNormalization folds.
    const w = my.layers.batchNormalization({ name: 'bn_alone' }).apply(my.layers.dense({ units: 4, name: 'w' }).apply(skip));
    const model = my.model({ inputs: input, outputs: w });
    randomizeWeights(model, 45);
    const folded = model.foldBatchNorm();
    expect(folded.layers.map((l) => l.name)).to.deep.equal(['z', 'bn', 'skip', 'w']);
    for (const name of ['z', 'bn']) {
      const copied = folded.getLayer(name).getWeights().map((t) => Array.from(t.data));
      expect(copied).to.deep.equal(model.getLayer(name).getWeights().map((t) => Array.from(t.data)));
    }
    expectSamePredictions(folded, model, my.tensor2d(randomArray(20 * 6, 46, 2), [20, 6]));
  });

  it('does not fold a shared Dense, a shared BatchNormalization, or a Dense that is a model output', () => {
    my.seed(47);
    const x = my.input({ shape: [5], name: 'x' });
    const v = my.input({ shape: [5], name: 'v' });
    const shared = my.layers.dense({ units: 5, name: 'shared' });
    const a = my.layers.batchNormalization({ name: 'after_shared' }).apply(shared.apply(x));
    const b = shared.apply(v);
    const sharedBn = my.layers.batchNormalization({ name: 'shared_bn' });
    const c = sharedBn.apply(my.layers.dense({ units: 5, name: 'into_shared_bn' }).apply(a));
    const d = sharedBn.apply(b);
    const head = my.layers.dense({ units: 3, name: 'head' }).apply(my.layers.concatenate().apply([c, d]));
    const headBn = my.layers.batchNormalization({ name: 'head_bn' }).apply(head);
    const model = my.model({ inputs: [x, v], outputs: [head, headBn] });
    randomizeWeights(model, 47);
    const folded = model.foldBatchNorm();
    expect(folded.layers.map((l) => l.name)).to.deep.equal(model.layers.map((l) => l.name));
    expect(folded.getLayer('shared').applied).to.have.length(2);
    expect(folded.getLayer('shared_bn').applied).to.have.length(2);
    expectSamePredictions(folded, model, [my.tensor2d(randomArray(15 * 5, 48, 2), [15, 5]), my.tensor2d(randomArray(15 * 5, 49, 2), [15, 5])]);
  });

  it('keeps a shared layer shared in a two-input two-output graph while folding elsewhere', () => {
    my.seed(50);
    const x = my.input({ shape: [4], name: 'x' });
    const z = my.input({ shape: [4], name: 'z' });
    const shared = my.layers.dense({ units: 6, activation: 'tanh', name: 'shared' });
    const joined = my.layers.concatenate().apply([shared.apply(x), shared.apply(z)]);
    const trunk = my.layers.activation({ activation: 'relu' }).apply(my.layers.batchNormalization({ center: false, scale: false, epsilon: 0.01, name: 'bn' }).apply(my.layers.dense({ units: 8, name: 'trunk' }).apply(joined)));
    const cls = my.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(trunk);
    const reg = my.layers.dense({ units: 2, name: 'reg' }).apply(trunk);
    const model = my.model({ inputs: [x, z], outputs: [cls, reg] });
    model.compile({ optimizer: 'adam', loss: ['sparseCategoricalCrossentropy', 'mse'] });
    randomizeWeights(model, 50);
    const folded = model.foldBatchNorm();
    expect(folded.layers.map((l) => l.className)).to.not.include('BatchNormalization');
    expect(folded.getLayer('shared').applied).to.have.length(2);
    expect(folded.outputNames).to.deep.equal(['cls', 'reg']);
    expect(folded.inputs.map((t) => t.name)).to.deep.equal(['x', 'z']);
    expectSamePredictions(folded, model, [my.tensor2d(randomArray(12 * 4, 51, 2), [12, 4]), my.tensor2d(randomArray(12 * 4, 52, 2), [12, 4])]);
  });

  it('folds a sub-model cut from a larger one into a model that holds its own weights', async () => {
    my.seed(53);
    const x = my.input({ shape: [6], name: 'x' });
    const code = my.layers.batchNormalization({ name: 'code_bn' }).apply(my.layers.dense({ units: 3, name: 'code' }).apply(x));
    const decoded = my.layers.dense({ units: 6, name: 'decoded' }).apply(my.layers.activation({ activation: 'tanh' }).apply(code));
    const autoencoder = my.model({ inputs: x, outputs: decoded });
    autoencoder.compile({ optimizer: 'adam', loss: 'mse' });
    const data = my.tensor2d(randomArray(48 * 6, 54), [48, 6]);
    await autoencoder.fit(data, data, { epochs: 2, batchSize: 16, verbose: 0 });
    const encoder = my.model({ inputs: x, outputs: code });
    const folded = encoder.foldBatchNorm();
    expect(folded.layers.map((l) => l.name)).to.deep.equal(['code']);
    expectSamePredictions(folded, encoder, data);
    // The sub-model may not train (it borrows); its folded copy may, without touching the autoencoder.
    const before = autoencoder.getWeights().map((t) => Array.from(t.data));
    folded.compile({ optimizer: 'sgd', loss: 'mse' });
    await folded.fit(data, my.tensor2d(randomArray(48 * 3, 55), [48, 3]), { epochs: 1, verbose: 0 });
    expect(autoencoder.getWeights().map((t) => Array.from(t.data))).to.deep.equal(before);
  });
});
