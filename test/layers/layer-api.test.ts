/**
 * What a layer answers for itself, as in Keras: its weights (getWeights, setWeights,
 * countParams), its name, and whether it trains (trainable); and the model's getLayer and pop.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as my from '../../lib/index';
import { batchNormInferRef } from '../helpers/batch-norm-reference';
import { expectClose, expectScalarClose, GRADIENTS, VALUES } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { finiteDifferences } from '../helpers/gradients';
import { denseRef, lossRef, type RefLayer } from '../helpers/reference';

const [N, IN, H, OUT] = [8, 3, 5, 2];

/** dense 'hidden' (tanh) -> batchNormalization 'bn' -> dense 'out', compiled with `optimizer`. */
function makeModel(optimizer: 'adam' | 'sgd' | 'rmsprop' = 'adam'): my.Sequential {
  my.seed(21);
  const model = my.sequential([
    my.layers.dense({ inputShape: [IN], units: H, activation: 'tanh', name: 'hidden' }),
    my.layers.batchNormalization({ name: 'bn' }),
    my.layers.dense({ units: OUT, name: 'out' }),
  ]);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  return model;
}

const x = my.tensor2d(randomArray(N * IN, 1, 2), [N, IN]);
const y = my.tensor2d(randomArray(N * OUT, 2), [N, OUT]);
const arrays = (tensors: my.Tensor[]): number[][] => tensors.map((t) => Array.from(t.data));

describe('layer API', () => {
  it('getWeights gives copies in the layer\'s order with their shapes; setWeights writes them, checking all first', () => {
    const model = makeModel();
    const dense = model.getLayer('hidden');
    const weights = dense.getWeights();
    expect(weights.map((w) => w.shape)).to.deep.equal([[IN, H], [H]]);
    expect(arrays(weights)).to.deep.equal(arrays(model.getWeights().slice(0, 2)));
    weights[0]?.data.fill(7); // a copy: the model is unchanged
    expect(Array.from(dense.getWeights()[0]?.data ?? [])).to.not.include(7);

    const kernel = my.tensor2d(randomArray(IN * H, 3), [IN, H]);
    const bias = my.tensor1d(randomArray(H, 4));
    dense.setWeights([kernel, bias]);
    expect(arrays(dense.getWeights())).to.deep.equal(arrays([kernel, bias]));
    expect(arrays(model.getWeights().slice(0, 2))).to.deep.equal(arrays([kernel, bias]));

    const before = arrays(model.getWeights());
    expect(() => dense.setWeights([kernel])).to.throw(my.ArgumentTypeError, /Expected an array of 2 tensors, in the order of hidden\.getWeights\(\) for weights/);
    expect(() => dense.setWeights([kernel, my.tensor1d([1, 2])])).to.throw(my.ShapeError, /\[5\]/);
    expect(() => dense.setWeights([kernel, my.tensor1d([1, 2, NaN, 4, 5])])).to.throw(RangeError, /finite/);
    expect(arrays(model.getWeights()), 'nothing written by a refused call').to.deep.equal(before);
  });

  it('a BatchNormalization\'s weights include its statistics; a variance below 0 is refused', () => {
    const bn = makeModel().getLayer('bn');
    expect(bn.getWeights().map((w) => w.shape)).to.deep.equal([[H], [H], [H], [H]]);
    const ones = my.tensor1d(new Float32Array(H).fill(1));
    expect(() => bn.setWeights([ones, ones, ones, my.tensor1d([1, 1, -1, 1, 1])])).to.throw(RangeError, /movingVariance/);
  });

  it('countParams counts every value, trainable or not; the model\'s is the sum', () => {
    const model = makeModel();
    expect(model.getLayer('hidden').countParams()).to.equal(IN * H + H);
    expect(model.getLayer('bn').countParams()).to.equal(4 * H);
    expect(model.getLayer('out').countParams()).to.equal(H * OUT + OUT);
    expect(model.countParams()).to.equal(IN * H + H + 4 * H + H * OUT + OUT);
    expect(() => my.layers.dense({ inputShape: [4], units: 3, name: 'loose' }).countParams()).to.throw(my.ModelStateError, /countParams\(\): 'loose' is not built/);
  });

  it('a layer outside a model has no weights to get or set, and says so', () => {
    const layer = my.layers.dense({ inputShape: [2], units: 2, name: 'alone' });
    expect(() => layer.getWeights()).to.throw(my.ModelStateError, /getWeights\(\): 'alone' has no weights until it is in a model/);
    expect(() => layer.setWeights([])).to.throw(my.ModelStateError, /setWeights\(\): 'alone'/);
  });

  it('getLayer finds a layer by name or index, and names what it has when asked for what it has not', () => {
    const model = makeModel();
    expect(model.getLayer('bn')).to.equal(model.layers[1]);
    expect(model.getLayer(2)).to.equal(model.layers[2]);
    expect(() => model.getLayer('nope')).to.throw(my.ArgumentRangeError, /the name of one of the model's layers \('hidden', 'bn', 'out'\) for name but received 'nope'/);
    expect(() => model.getLayer(3)).to.throw(my.ArgumentRangeError, /a layer index from 0 to 2 for index but received 3/);
    expect(() => model.getLayer(1.5)).to.throw(my.ArgumentRangeError, /index/);
    expect(() => model.getLayer(null as never)).to.throw(my.ArgumentTypeError, /a layer name \(string\) or index \(number\) for name/);
  });

  it('a model refuses a second layer of the same name', () => {
    const model = my.sequential([my.layers.dense({ inputShape: [2], units: 2, name: 'same' })]);
    expect(() => model.add(my.layers.dense({ units: 2, name: 'same' }))).to.throw(my.ArgumentRangeError, /a second layer named 'same'/);
    expect(model.layers).to.have.length(1);
  });

  it('pop removes the last layer and returns it; the others keep their weights, and the model trains on', async () => {
    const model = makeModel();
    await model.fit(x, y, { epochs: 2, batchSize: 4, verbose: 0 });
    const kept = arrays(model.getWeights().slice(0, 6));
    const popped = model.pop();
    expect(popped.name).to.equal('out');
    expect(model.layers.map((l) => l.name)).to.deep.equal(['hidden', 'bn']);
    expect(model.outputUnits).to.equal(H);
    expect(arrays(model.getWeights())).to.deep.equal(kept);
    expect(() => popped.getWeights()).to.throw(my.ModelStateError, /no weights until it is in a model/);
    model.add(my.layers.dense({ units: 1, name: 'head' }));
    const history = await model.fit(x, my.tensor2d(randomArray(N, 5), [N, 1]), { epochs: 2, batchSize: 4, verbose: 0 });
    expect((history.history['loss'] as number[]).every(Number.isFinite)).to.equal(true);
    expect(() => my.sequential().pop()).to.throw(my.ModelStateError, /no layers to remove/);
  });

  for (const optimizer of ['adam', 'sgd', 'rmsprop'] as const) {
    it(`a frozen layer gets no update in fit and trainOnBatch (${optimizer}); the others train, and unfreezing resumes it`, async () => {
      const model = makeModel(optimizer);
      const hidden = model.getLayer('hidden');
      await model.fit(x, y, { epochs: 1, batchSize: 4, verbose: 0 }); // the optimizer has slots now
      hidden.trainable = false;
      expect(hidden.trainable).to.equal(false);
      const [frozen, others] = [arrays(hidden.getWeights()), arrays(model.getLayer('out').getWeights())];
      await model.fit(x, y, { epochs: 3, batchSize: 4, verbose: 0 });
      model.trainOnBatch(x, y);
      expect(arrays(hidden.getWeights())).to.deep.equal(frozen);
      expect(arrays(model.getLayer('out').getWeights())).to.not.deep.equal(others);
      hidden.trainable = true;
      model.trainOnBatch(x, y);
      expect(arrays(hidden.getWeights())).to.not.deep.equal(frozen);
    });
  }

  it('freezing moves the weights out of the trainable count, in summary() and countParams() alike', () => {
    const model = makeModel();
    model.getLayer('hidden').trainable = false;
    const text = model.summary(() => {});
    expect(text).to.contain(`Trainable params: ${2 * H + H * OUT + OUT}`);
    expect(text).to.contain(`Non-trainable params: ${IN * H + H + 2 * H}`);
    expect(model.countParams()).to.equal(IN * H + H + 4 * H + H * OUT + OUT);
  });

  it('a frozen BatchNormalization normalizes with its moving statistics in training too, and keeps them as they are', () => {
    const model = makeModel('sgd');
    const bn = model.getLayer('bn');
    bn.setWeights([randomArray(H, 6, 2), randomArray(H, 7), randomArray(H, 8), randomArray(H, 9).map((v) => Math.abs(v) + 0.5)].map((a) => my.tensor1d(a)));
    bn.trainable = false;
    const statistics = arrays(bn.getWeights());
    const { loss, grads } = model.computeGradients(x, y);
    model.trainOnBatch(x, y);
    expect(arrays(bn.getWeights()), 'gamma, beta and the statistics').to.deep.equal(statistics);

    // The gradients: trainable tensors are the two Dense layers' (kernel, bias, kernel, bias).
    const [gamma, beta, mean, variance] = statistics as [number[], number[], number[], number[]];
    const model2 = makeModel('sgd');
    const theta = Float64Array.from([...model2.getLayer('hidden').getWeights(), ...model2.getLayer('out').getWeights()].flatMap((w) => Array.from(w.data)));
    const first: RefLayer = { w: theta.subarray(0, IN * H), b: theta.subarray(IN * H, IN * H + H), k: IN, m: H, act: 'tanh' };
    const rest = IN * H + H;
    const last: RefLayer = { w: theta.subarray(rest, rest + H * OUT), b: theta.subarray(rest + H * OUT), k: H, m: OUT, act: 'linear' };
    const epsilon = (bn as my.layers.BatchNormalization).epsilon;
    const f = (): number => lossRef('meanSquaredError', denseRef(batchNormInferRef(denseRef(x.data, first, N), gamma, beta, mean, variance, epsilon, N, H), last, N), y.data, N, OUT);
    expectScalarClose(loss, f(), VALUES, 'loss');
    expectClose(grads, finiteDifferences(f, theta), GRADIENTS, 'gradients');
  });

  it('trainable is in the config only when false, and survives save and load', async () => {
    const model = makeModel();
    expect(model.getLayer('hidden').getConfig()).to.not.have.property('trainable');
    model.getLayer('bn').trainable = false;
    expect(model.getLayer('bn').getConfig()).to.include({ trainable: false });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-layer-api-'));
    try {
      const file = path.join(dir, 'm.myelin');
      await model.save(file);
      const loaded = await my.loadModel(file);
      expect(loaded.getLayer('bn').trainable).to.equal(false);
      expect(loaded.getLayer('hidden').trainable).to.equal(true);
      expect(arrays(loaded.getWeights())).to.deep.equal(arrays(model.getWeights()));
      expect(Array.from((loaded.predict(x) as my.Tensor).data)).to.deep.equal(Array.from(model.predict(x).data));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(() => my.layers.dense({ units: 2, trainable: 'no' as never })).to.throw(my.ArgumentTypeError, /trainable/);
    expect(my.layers.dense({ units: 2, trainable: false }).trainable).to.equal(false);
  });

  it('trainable cannot change while fit trains the model', async () => {
    const model = makeModel();
    let error: unknown = null;
    await model.fit(x, y, {
      epochs: 1,
      batchSize: 4,
      verbose: 0,
      callbacks: {
        onBatchBegin: () => {
          try {
            model.getLayer('hidden').trainable = false;
          } catch (e) {
            error = e;
          }
        },
      },
    });
    expect(error).to.be.instanceOf(my.ModelStateError);
    expect((error as Error).message).to.match(/Setting trainable on 'hidden' cannot happen while fit\(\) is training this model/);
    expect(model.getLayer('hidden').trainable).to.equal(true);
  });
});
