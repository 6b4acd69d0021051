/**
 * fit() runs its steps in trips, each queued behind the one before it (lib/core/trips.ts) with
 * the optimizer's numbers of steps not yet counted: across many trips it must train exactly as
 * one trainOnBatch per batch does, whatever the optimizer's numbers depend on (Adam's bias
 * correction, Nadam's running product, a learning-rate schedule).
 */
import { expect } from 'chai';

import * as my from '../../lib/index';
import type { Optimizer } from '../../lib/optimizers/optimizer';
import { randomArray } from '../helpers/data';

// Wide rows make a trip hold few steps (its staging is bounded in floats): 23 batches of 8 rows
// and a last of 4 are several trips, each queued behind the one before.
const FEATURES = 3000;
const SAMPLES = 188;
const BATCH = 8;
const x = randomArray(SAMPLES * FEATURES, 3);
const y = Float32Array.from({ length: SAMPLES }, (_, i) => i % 3);

const optimizers: Record<string, () => Optimizer> = {
  adam: () => my.optimizers.adam({ learningRate: 1e-3 }),
  nadam: () => my.optimizers.nadam({ learningRate: 1e-3 }),
  'sgd with a schedule': () => my.optimizers.sgd({ learningRate: (step: number) => 0.01 / (1 + step) }),
};

function model(optimizer: Optimizer): my.Sequential {
  my.seed(9);
  const m = my.sequential([my.layers.dense({ inputShape: [FEATURES], units: 6, activation: 'relu' }), my.layers.dense({ units: 3, activation: 'softmax' })]);
  m.compile({ optimizer, loss: 'sparseCategoricalCrossentropy' });
  m.getWeights();
  return m;
}

const weightsOf = (m: my.Sequential): number[] => m.getWeights().flatMap((w) => Array.from(w.data));

describe('fit() over many trips', () => {
  for (const [name, make] of Object.entries(optimizers)) {
    it(`trains as one trainOnBatch per batch does, bit for bit (${name})`, async () => {
      const fitted = model(make());
      const history = await fitted.fit(my.tensor2d(x, [SAMPLES, FEATURES]), my.tensor2d(y, [SAMPLES, 1]), { epochs: 2, batchSize: BATCH, shuffle: false, verbose: 0 });
      const stepped = model(make());
      const losses: number[] = [];
      for (let epoch = 0; epoch < 2; epoch++) {
        let sum = 0;
        for (let start = 0; start < SAMPLES; start += BATCH) {
          const n = Math.min(BATCH, SAMPLES - start);
          sum += n * stepped.trainOnBatch(my.tensor2d(x.subarray(start * FEATURES, (start + n) * FEATURES), [n, FEATURES]), my.tensor2d(y.subarray(start, start + n), [n, 1]));
        }
        losses.push(sum / SAMPLES);
      }
      expect(fitted.optimizer.iterations).to.equal(2 * Math.ceil(SAMPLES / BATCH));
      expect(stepped.optimizer.iterations).to.equal(fitted.optimizer.iterations);
      expect(weightsOf(fitted)).to.deep.equal(weightsOf(stepped));
      const reported = history.history['loss'] as number[];
      for (let e = 0; e < 2; e++) expect(reported[e]).to.be.closeTo(losses[e] as number, 1e-6);
    });
  }

  it('stops after the step in progress when stopTraining is set from outside a callback, and counts what ran', async () => {
    const m = model(my.optimizers.adam({ learningRate: 1e-3 }));
    const rows = 800;
    const bigX = my.tensor2d(randomArray(rows * FEATURES, 5), [rows, FEATURES]);
    const bigY = my.tensor2d(Float32Array.from({ length: rows }, (_, i) => i % 3), [rows, 1]);
    // The first turn of the event loop after fit has queued its first trips (10 steps each).
    setImmediate(() => {
      m.stopTraining = true;
    });
    const history = await m.fit(bigX, bigY, { epochs: 5, batchSize: BATCH, verbose: 0 });
    expect(history.epoch).to.deep.equal([0]);
    const iterations = m.optimizer.iterations;
    expect(iterations).to.be.within(1, rows / BATCH - 1);
    // Nothing runs on after fit has settled, and the model is free for synchronous calls.
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(m.optimizer.iterations).to.equal(iterations);
    expect(() => m.predict(bigX.slice([0, 0], [1, FEATURES]))).to.not.throw();
  });
});
