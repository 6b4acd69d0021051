/** Every bad input gets an error naming the argument, what was expected and what came. */
import { expect } from 'chai';

import * as my from '../../lib/index';
import { rejects } from '../helpers/rejects';

function compiled(): my.Sequential {
  const model = my.sequential([my.layers.dense({ inputShape: [2], units: 3, activation: 'softmax' })]);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

const X = [[0, 1], [1, 0], [1, 1]];
const Y = [0, 1, 2];

describe('bad input', () => {
  it('x with the wrong number of features', () => {
    expect(() => compiled().predict([[1, 2, 3]])).to.throw(my.ShapeError, /Expected samples of 2 features \(shape \[n, 2\]\) for x but received shape \[1, 3\]/);
  });

  it('x and y of different lengths', async () => {
    const error = await rejects(compiled().fit(X, [0, 1], { verbose: 0 }));
    expect(error).to.be.instanceOf(my.ShapeError);
    expect(error.message).to.match(/Expected 3 samples, as many as x has for y but received 2/);
  });

  it('one-hot labels given to a sparse loss', async () => {
    const error = await rejects(compiled().fit(X, [[1, 0, 0], [0, 1, 0], [0, 0, 1]], { verbose: 0 }));
    expect(error).to.be.instanceOf(my.ShapeError);
    expect(error.message).to.match(/one class index per sample.*received shape \[3, 3\].*categoricalCrossentropy/);
  });

  it('class indices out of range', async () => {
    const error = await rejects(compiled().fit(X, [0, 1, 3], { verbose: 0 }));
    expect(error).to.be.instanceOf(RangeError);
    expect(error.message).to.match(/Expected a class index from 0 to 2 for y\[2\] but received 3/);
  });

  it('NaN or Infinity in the data', async () => {
    expect(() => compiled().predict([[0, NaN]])).to.throw(RangeError, /Expected finite numbers for x but received NaN at flat index 1/);
    const error = await rejects(compiled().fit([[0, 1], [1, Infinity], [1, 1]], Y, { verbose: 0 }));
    expect(error.message).to.match(/finite numbers for x but received Infinity at flat index 3/);
  });

  it('wrong element types', () => {
    expect(() => my.tensor2d([[1, 'a' as unknown as number]])).to.throw(TypeError, /Expected a number for values\[0\]\[1\] but received 'a' \(string\)/);
    expect(() => compiled().predict({ data: new Float64Array(2) as unknown as Float32Array, shape: [1, 2] })).to.throw(TypeError, /Expected a Float32Array for x.data but received Float64Array of length 2\. Convert it/);
    expect(() => compiled().predict('x' as unknown as number[][])).to.throw(TypeError, /for x but received 'x' \(string\)/);
  });

  it('ragged rows', () => {
    expect(() => my.tensor2d([[1, 2], [3]])).to.throw(my.ShapeError, /Expected a row of 2 numbers, like row 0 for values\[1\] but received 1/);
  });

  it('batchSize 0 or 2.5, epochs -1', async () => {
    for (const [options, pattern] of [
      [{ batchSize: 0 }, /Expected a positive integer for batchSize but received 0 \(number\)/],
      [{ batchSize: 2.5 }, /Expected a positive integer for batchSize but received 2.5 \(number\)/],
      [{ epochs: -1 }, /Expected a positive integer for epochs but received -1 \(number\)/],
    ] as const) {
      const error = await rejects(compiled().fit(X, Y, { verbose: 0, ...options }));
      expect(error).to.be.instanceOf(RangeError);
      expect(error.message).to.match(pattern);
    }
  });

  it('unknown activation, loss and optimizer names, with a suggestion for near misses', () => {
    expect(() => my.layers.dense({ units: 2, activation: 'rleu' as 'relu' })).to.throw(RangeError, /Expected one of 'linear', 'relu', 'relu6', 'sigmoid', .*'swish', 'silu' for activation but received 'rleu' \(string\)/);
    const model = my.sequential([my.layers.dense({ inputShape: [2], units: 2 })]);
    expect(() => model.compile({ optimizer: 'adam', loss: 'categorical_crossentropy' as 'categoricalCrossentropy' })).to.throw(RangeError, /for loss but received 'categorical_crossentropy' \(string\)\. Did you mean 'categoricalCrossentropy'\?/);
    expect(() => model.compile({ optimizer: 'adamm' as 'adam', loss: 'meanSquaredError' })).to.throw(RangeError, /Expected one of 'sgd', 'adagrad', .*'adamw' for optimizer but received 'adamm'/);
  });

  it('misspelled options are named, not ignored', () => {
    expect(() => my.layers.dense({ units: 2, activaton: 'relu' } as unknown as my.layers.DenseConfig)).to.throw(RangeError, /for dense config.activaton but received an unknown option 'activaton'/);
  });

  it('evaluate and fit before compile (predict needs no loss, as in Keras)', async () => {
    const model = my.sequential([my.layers.dense({ inputShape: [2], units: 3 })]);
    expect(model.predict(X).shape).to.deep.equal([X.length, 3]);
    expect(() => model.evaluate(X, Y)).to.throw(my.ModelStateError, /not compiled: call model.compile/);
    expect((await rejects(model.fit(X, Y))).name).to.equal('ModelStateError');
  });

  it('empty arrays', () => {
    expect(() => compiled().predict([])).to.throw(my.ShapeError, /Expected at least one row for x but received an empty array/);
    expect(() => my.tensor2d([[]])).to.throw(my.ShapeError, /at least one column/);
    expect(() => compiled().predict({ data: new Float32Array(0), shape: [0, 2] })).to.throw(my.ShapeError, /a positive size for x.shape\[0\] but received 0/);
  });

  it('a first layer without inputShape, and a layer that is not one', () => {
    expect(() => my.sequential([my.layers.dense({ units: 3 })])).to.throw(my.ShapeError, /an inputShape on the first layer/);
    expect(() => my.sequential([{} as my.layers.Layer])).to.throw(TypeError, /Expected a layer/);
  });

  it('a layer that already belongs to a model', () => {
    const shared = my.layers.dense({ inputShape: [2], units: 2 });
    my.sequential([shared]);
    expect(() => my.sequential([shared])).to.throw(RangeError, /Expected a new layer, not one already in a model for layer but received 'dense_\d+', which is already built/);
  });

  it('a second fit while one runs is refused', async () => {
    const model = compiled();
    const first = model.fit(X, Y, { epochs: 5, verbose: 0 });
    const error = await rejects(model.fit(X, Y, { verbose: 0 }));
    expect(error).to.be.instanceOf(my.ModelStateError);
    await first;
  });

  it('a diverging loss stops fit with a TrainingError and keeps the last good weights', async () => {
    const model = my.sequential([my.layers.dense({ inputShape: [1], units: 1 })]);
    model.compile({ optimizer: my.optimizers.sgd({ learningRate: 1e10 }), loss: 'meanSquaredError' });
    const error = await rejects(model.fit([[1e10], [2e10]], [[1], [2]], { epochs: 50, batchSize: 2, verbose: 0 }));
    expect(error).to.be.instanceOf(my.TrainingError);
    expect(error.message).to.match(/The loss became (NaN|Infinity) at epoch \d+, batch 1|The optimizer update of epoch \d+, batch 1 would have made a weight or an optimizer slot NaN or infinite/);
    expect(model.getWeights().every((w) => w.data.every(Number.isFinite))).to.equal(true);
  });

  it('invalid optimizer settings and thread counts', () => {
    expect(() => my.optimizers.adam({ beta1: 1 })).to.throw(RangeError, /Expected a number in \[0, 1\) for beta1 but received 1 \(number\)/);
    expect(() => my.optimizers.sgd({ learningRate: -1 })).to.throw(RangeError, /a number > 0 for learningRate/);
    expect(() => my.setNumThreads(0)).to.throw(RangeError, /positive integer for threads/);
    expect(() => my.setNumThreads(1000)).to.throw(RangeError, /from 1 to \d+ for threads but received 1000/);
  });
});

describe('error details', () => {
  it('carry argument, expected and received as properties', () => {
    try {
      my.setNumThreads(2.5);
      expect.fail('setNumThreads(2.5) should throw');
    } catch (error) {
      expect(error).to.be.instanceOf(my.ArgumentRangeError);
      expect(error).to.deep.include({ name: 'ArgumentRangeError', argument: 'threads', expected: 'a positive integer', received: '2.5 (number)' });
    }
  });
});
