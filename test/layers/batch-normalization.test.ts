import { expect } from 'chai';

import * as my from '../../lib/index';
import { ArgumentRangeError, ArgumentTypeError } from '../../lib/errors';
import { batchNormInferRef, batchNormTrainRef } from '../helpers/batch-norm-reference';
import { expectClose, expectScalarClose, GRADIENTS, VALUES } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { finiteDifferences } from '../helpers/gradients';
import { denseRef, lossRef, type RefLayer } from '../helpers/reference';

const [N, IN, H, OUT] = [6, 3, 5, 2];

/** dense(tanh) -> batchNormalization(config) -> dense(linear), mean squared error. */
function makeModel(config: my.layers.BatchNormalizationConfig = {}): my.Sequential {
  my.seed(5);
  const model = my.sequential([
    my.layers.dense({ inputShape: [IN], units: H, activation: 'tanh' }),
    my.layers.batchNormalization(config),
    my.layers.dense({ units: OUT }),
  ]);
  model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
  return model;
}

describe('BatchNormalization', () => {
  for (const [label, config] of [
    ['gamma and beta', {}],
    ['scale: false', { scale: false }],
    ['center: false, epsilon 0.01', { center: false, epsilon: 0.01 }],
  ] as const) {
    it(`gives gradients equal to float64 central differences in training mode (${label})`, () => {
      const model = makeModel(config);
      const x = randomArray(N * IN, 1, 2);
      const t = randomArray(N * OUT, 2);
      // Non-trivial gamma and beta, so their gradients and their effect on dx are exercised.
      const bn = model.layers[1] as my.layers.BatchNormalization;
      const views = model.weightViews(bn);
      views.get('gamma')?.set(randomArray(H, 3, 2));
      views.get('beta')?.set(randomArray(H, 4));
      const { loss, grads } = model.computeGradients(my.tensor2d(x, [N, IN]), my.tensor2d(t, [N, OUT]));

      // theta: the trainable tensors in arena order (dense kernel, bias, gamma?, beta?, dense kernel, bias).
      const names = ['kernel', 'bias', ...(bn.scale ? ['gamma'] : []), ...(bn.center ? ['beta'] : []), 'kernel', 'bias'];
      const owners = [0, 0, ...(bn.scale ? [1] : []), ...(bn.center ? [1] : []), 2, 2];
      const tensors = names.map((name, i) => model.weightViews(model.layers[owners[i] as number] as my.layers.Layer).get(name) as Float32Array);
      const theta = Float64Array.from(tensors.flatMap((v) => Array.from(v)));
      const part = (i: number): Float64Array => {
        const start = tensors.slice(0, i).reduce((s, v) => s + v.length, 0);
        return theta.subarray(start, start + (tensors[i] as Float32Array).length);
      };
      const first: RefLayer = { w: part(0), b: part(1), k: IN, m: H, act: 'tanh' };
      const gamma = bn.scale ? part(2) : null;
      const beta = bn.center ? part(bn.scale ? 3 : 2) : null;
      const last: RefLayer = { w: part(names.length - 2), b: part(names.length - 1), k: H, m: OUT, act: 'linear' };
      const f = (): number => {
        const h = batchNormTrainRef(denseRef(x, first, N), gamma, beta, bn.epsilon, N, H).y;
        return lossRef('meanSquaredError', denseRef(h, last, N), t, N, OUT);
      };
      expectScalarClose(loss, f(), VALUES, 'loss');
      expectClose(grads, finiteDifferences(f, theta), GRADIENTS, 'gradients');
    });
  }

  it('updates the moving statistics on each training step and uses them at inference', () => {
    const model = makeModel({ momentum: 0.7 });
    const bn = model.layers[1] as my.layers.BatchNormalization;
    const views = model.weightViews(bn);
    const first = model.layers[0] as my.layers.Layer;
    const w = model.weightViews(first);
    const layer: RefLayer = { w: Float64Array.from(w.get('kernel') as Float32Array), b: Float64Array.from(w.get('bias') as Float32Array), k: IN, m: H, act: 'tanh' };
    const mean = new Float64Array(H);
    const variance = new Float64Array(H).fill(1);
    for (let step = 0; step < 3; step++) {
      const x = randomArray(N * IN, 10 + step, 3);
      model.computeGradients(my.tensor2d(x, [N, IN]), my.tensor2d(randomArray(N * OUT, 20), [N, OUT])); // a training forward, no weight change
      const batch = batchNormTrainRef(denseRef(x, layer, N), null, null, bn.epsilon, N, H);
      for (let j = 0; j < H; j++) {
        mean[j] = 0.7 * (mean[j] as number) + 0.3 * (batch.mean[j] as number);
        variance[j] = 0.7 * (variance[j] as number) + 0.3 * (batch.variance[j] as number);
      }
    }
    expectClose(views.get('movingMean') as Float32Array, mean, VALUES, 'movingMean');
    expectClose(views.get('movingVariance') as Float32Array, variance, VALUES, 'movingVariance');

    // predict is inference: the BatchNormalization applies the moving statistics, which stay put.
    const x = randomArray(N * IN, 30, 3);
    const before = (views.get('movingMean') as Float32Array).slice();
    const h = denseRef(x, layer, N);
    const normalized = batchNormInferRef(h, views.get('gamma') as Float32Array, views.get('beta') as Float32Array, views.get('movingMean') as Float32Array, views.get('movingVariance') as Float32Array, bn.epsilon, N, H);
    const lastW = model.weightViews(model.layers[2] as my.layers.Layer);
    const expected = denseRef(normalized, { w: Float64Array.from(lastW.get('kernel') as Float32Array), b: Float64Array.from(lastW.get('bias') as Float32Array), k: H, m: OUT, act: 'linear' }, N);
    expectClose(model.predict(my.tensor2d(x, [N, IN])).data, expected, VALUES, 'predictions');
    expect(Array.from(views.get('movingMean') as Float32Array)).to.deep.equal(Array.from(before));
  });

  it('trains with a batch of one without NaN', () => {
    const model = makeModel();
    const loss = model.trainOnBatch(my.tensor2d(randomArray(IN, 40), [1, IN]), my.tensor2d(randomArray(OUT, 41), [1, OUT]));
    expect(Number.isFinite(loss)).to.equal(true);
    for (const w of model.getWeights()) expect(w.data.every(Number.isFinite)).to.equal(true);
  });

  it('declares gamma, beta (trainable) then movingMean, movingVariance (not), and summary counts them apart', () => {
    const model = makeModel();
    const bn = model.layers[1] as my.layers.Layer;
    expect(Array.from(model.weightViews(bn).keys())).to.deep.equal(['gamma', 'beta', 'movingMean', 'movingVariance']);
    expect(Array.from(model.weightViews(bn).get('gamma') as Float32Array)).to.deep.equal(new Array(H).fill(1));
    expect(Array.from(model.weightViews(bn).get('movingVariance') as Float32Array)).to.deep.equal(new Array(H).fill(1));
    const text = model.summary(() => {});
    const dense = IN * H + H + H * OUT + OUT;
    expect(text).to.contain(`Total params: ${dense + 4 * H}`);
    expect(text).to.contain(`Trainable params: ${dense + 2 * H}`);
    expect(text).to.contain(`Non-trainable params: ${2 * H}`);
    const bare = makeModel({ center: false, scale: false });
    expect(Array.from(bare.weightViews(bare.layers[1] as my.layers.Layer).keys())).to.deep.equal(['movingMean', 'movingVariance']);
    expect(bare.summary(() => {})).to.contain(`Trainable params: ${dense}`);
  });

  it('can come first in a model, keeps the width and round-trips its config', () => {
    const layer = my.layers.batchNormalization({ inputShape: [4], momentum: 0.5, epsilon: 0.1, gammaInitializer: 'zeros' });
    const model = my.sequential([layer]);
    expect(model.outputUnits).to.equal(4);
    expect(layer.getConfig()).to.deep.include({ momentum: 0.5, epsilon: 0.1, center: true, scale: true, gammaInitializer: 'zeros', betaInitializer: 'zeros', inputShape: [4] });
    expect(new my.layers.BatchNormalization(layer.getConfig() as my.layers.BatchNormalizationConfig).getConfig()).to.deep.equal(layer.getConfig());
  });

  it('refuses bad options with typed errors', () => {
    expect(() => my.layers.batchNormalization({ momentum: -0.1 })).to.throw(ArgumentRangeError, /Expected a number in \[0, 1\] for momentum but received -0.1/);
    expect(() => my.layers.batchNormalization({ momentum: 1.5 })).to.throw(ArgumentRangeError, /momentum/);
    expect(() => my.layers.batchNormalization({ epsilon: 0 })).to.throw(ArgumentRangeError, /Expected a number > 0 for epsilon but received 0/);
    expect(() => my.layers.batchNormalization({ center: 'yes' as unknown as boolean })).to.throw(ArgumentTypeError, /boolean for center/);
    expect(() => my.layers.batchNormalization({ gammaInitializer: 'one' as never })).to.throw(ArgumentRangeError, /gammaInitializer/);
    expect(() => my.layers.batchNormalization({ axis: 1 } as never)).to.throw(ArgumentRangeError, /batchNormalization config.axis/);
  });
});
