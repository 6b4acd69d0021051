/**
 * crossValidate() with graph models: a model of one input and one output (here with a skip
 * connection and dropout) is built fresh per fold, trained on the other folds and evaluated on
 * its own, exactly as by hand; a model of several inputs or outputs is refused, naming them.
 */
import { expect } from 'chai';

import * as my from '../lib/index';
import { randomArray, randomClasses } from './helpers/data';
import { twoHeadModel } from './helpers/graph-model';

const N = 30;
const X = new my.Tensor(randomArray(N * 4, 61), [N, 4]);
const Y = new my.Tensor(randomClasses(N, 3, 62), [N, 1]);

/** x -> dense -> dropout, concatenated with x -> softmax: a graph, seeded so each fold starts alike. */
function skipNet(): my.Functional {
  my.seed(8);
  const x = my.input({ shape: [4] });
  const hidden = my.layers.dropout({ rate: 0.2 }).apply(my.layers.dense({ units: 8, activation: 'relu' }).apply(x));
  const model = my.model({ inputs: x, outputs: my.layers.dense({ units: 3, activation: 'softmax' }).apply(my.layers.concatenate().apply([hidden, x])) });
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const rows = (t: my.Tensor, ids: number[]): my.Tensor => {
  const width = t.shape[1] as number;
  const data = new Float32Array(ids.length * width);
  ids.forEach((r, i) => data.set(t.data.subarray(r * width, (r + 1) * width), i * width));
  return new my.Tensor(data, [ids.length, width]);
};

describe('crossValidate() with graph models', function () {
  this.timeout(20_000);

  it('builds a fresh graph model per fold, and each fold scores what training it by hand scores', async () => {
    const built: my.Model[] = [];
    const result = await my.crossValidate(() => {
      const model = skipNet();
      built.push(model);
      return model;
    }, X, Y, { folds: 3, shuffle: false, epochs: 3, batchSize: 4 });
    expect(built).to.have.length(3);
    expect(new Set(built).size).to.equal(3);
    expect(built.every((m) => m instanceof my.Functional)).to.equal(true);
    expect(result.folds).to.have.length(3);
    for (let f = 0; f < 3; f++) {
      // shuffle: false deals contiguous folds of 10.
      const test = Array.from({ length: 10 }, (_, i) => 10 * f + i);
      const train = Array.from({ length: N }, (_, i) => i).filter((i) => !test.includes(i));
      const model = skipNet();
      await model.fit(rows(X, train), rows(Y, train), { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 });
      expect(result.folds[f], `fold ${f}`).to.deep.equal(model.evaluate(rows(X, test), rows(Y, test)));
    }
    expect(result.mean['loss']).to.be.closeTo(result.folds.reduce((sum, logs) => sum + (logs['loss'] as number), 0) / 3, 1e-12);
  });

  it('refuses a model of several inputs or outputs, naming how many', async () => {
    const error = await my.crossValidate(() => {
      const model = twoHeadModel();
      model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      return model;
    }, X, Y, { folds: 2 }).catch((e: unknown) => e);
    expect(error).to.be.instanceOf(my.ArgumentRangeError);
    expect((error as Error).message).to.match(/a model of one input and one output.* for buildModel but received a function returning a model of 2 inputs and 2 outputs/);
  });
});
