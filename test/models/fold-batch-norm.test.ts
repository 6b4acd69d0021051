import { expect } from 'chai';

import { layers, seed, sequential, type Sequential } from '../../lib/index';
import { globalRandom } from '../../lib/random';
import { randomArray } from '../helpers/data';
import { expectClose } from '../helpers/compare';

const FOLDED = { atol: 1e-5, rtol: 1e-5 };

function data(n: number, features: number): { x: { data: Float32Array; shape: number[] }; y: Float32Array } {
  const x = randomArray(n * features, 17, 2);
  const y = Float32Array.from({ length: n }, (_, i) => i % 3);
  return { x: { data: x, shape: [n, features] }, y };
}

async function trainedModel(withBias: boolean): Promise<Sequential> {
  seed(31);
  const model = sequential([
    layers.dense({ inputShape: [13], units: 24, useBias: withBias }),
    layers.batchNormalization({ momentum: 0.5 }),
    layers.activation({ activation: 'relu' }),
    layers.dense({ units: 16, activation: 'tanh' }),
    layers.batchNormalization(), // after an activation: not foldable, must be kept
    layers.dense({ units: 8 }),
    layers.batchNormalization({ center: false, scale: false, epsilon: 0.01 }),
    layers.dense({ units: 3, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  const { x, y } = data(96, 13);
  // A few epochs move the moving statistics and gamma/beta away from their initial values.
  await model.fit(x, y, { epochs: 4, batchSize: 16, verbose: 0 });
  return model;
}

describe('Sequential#foldBatchNorm()', () => {
  for (const withBias of [true, false]) {
    it(`merges each BatchNormalization after a linear Dense (${withBias ? 'with' : 'without'} bias) and predicts the same to 1e-5`, async () => {
      const model = await trainedModel(withBias);
      const folded = model.foldBatchNorm();
      expect(folded.layers.map((l) => l.className)).to.deep.equal(['Dense', 'Activation', 'Dense', 'BatchNormalization', 'Dense', 'Dense']);
      const { x } = data(40, 13);
      expectClose(folded.predict(x).data, model.predict(x).data, FOLDED, 'folded predictions');
    });
  }

  it('leaves the original model and the random generator untouched', async () => {
    const model = await trainedModel(true);
    const before = model.getWeights().map((t) => t.data.slice());
    const generator = globalRandom.getState();
    model.foldBatchNorm();
    model.getWeights().forEach((t, i) => expect(Array.from(t.data)).to.deep.equal(Array.from(before[i] as Float32Array)));
    expect(globalRandom.getState()).to.deep.equal(generator); // the next fit draws what it would have
  });
});
