import { expect } from 'chai';

import * as my from '../../lib/index';
import { native } from '../../lib/backend';
import { ArgumentRangeError, ArgumentTypeError, ShapeError } from '../../lib/errors';
import { expectClose, GRADIENTS, VALUES } from '../helpers/compare';
import { randomArray } from '../helpers/data';

const [N, U] = [40, 7];

/** Per-column mean and biased variance in float64. */
function columnStats(x: Float32Array, n: number, u: number): { mean: Float64Array; variance: Float64Array } {
  const mean = new Float64Array(u);
  const variance = new Float64Array(u);
  for (let j = 0; j < u; j++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[i * u + j] as number;
    mean[j] = sum / n;
    let squares = 0;
    for (let i = 0; i < n; i++) squares += ((x[i * u + j] as number) - sum / n) ** 2;
    variance[j] = squares / n;
  }
  return { mean, variance };
}

/** Data with a different offset and spread per column, and one constant column (variance 0). */
function data(seed: number): Float32Array {
  return randomArray(N * U, seed).map((v, k) => (k % U === 3 ? 5 : v * (1 + (k % U)) + (k % U) * 10));
}

function standardizedRef(x: Float32Array, mean: ArrayLike<number>, variance: ArrayLike<number>): Float64Array {
  return Float64Array.from(x, (v, k) => (v - (mean[k % U] as number)) / Math.max(Math.sqrt(variance[k % U] as number), 1e-7));
}

describe('Normalization', () => {
  it('adapt before the layer is in a model computes the float64 mean and variance, used at build', () => {
    const x = data(1);
    const layer = my.layers.normalization({ inputShape: [U] });
    layer.adapt(my.tensor2d(x, [N, U]));
    const model = my.sequential([layer]);
    const ref = columnStats(x, N, U);
    const state = model.weightViews(layer);
    expectClose(state.get('mean') as Float32Array, ref.mean, VALUES, 'mean');
    expectClose(state.get('variance') as Float32Array, ref.variance, VALUES, 'variance');
    // The constant column passes as x - mean: its deviation is floored at 1e-7, not 0.
    expectClose(model.predict(my.tensor2d(x, [N, U])).data, standardizedRef(x, ref.mean, ref.variance), VALUES, 'predictions');
  });

  it('adapt after build writes into the model\'s state', () => {
    const model = my.sequential([my.layers.dense({ inputShape: [2], units: U }), my.layers.normalization()]);
    const layer = model.layers[1] as my.layers.Normalization;
    model.predict(my.tensor2d([[1, 2]])); // the arena exists: the state views are live
    const x = data(2);
    layer.adapt({ data: x, shape: [N, U] });
    const ref = columnStats(x, N, U);
    expectClose(model.weightViews(layer).get('mean') as Float32Array, ref.mean, VALUES, 'mean');
    expectClose(model.weightViews(layer).get('variance') as Float32Array, ref.variance, VALUES, 'variance');
    expect(model.summary(() => {})).to.contain(`Non-trainable params: ${2 * U}`);
  });

  it('takes mean and variance from the config, a single number standing for every feature', () => {
    const x = data(3);
    const mean = Array.from({ length: U }, (_, j) => j);
    const model = my.sequential([my.layers.normalization({ inputShape: [U], mean, variance: 4 })]);
    expectClose(model.predict(my.tensor2d(x, [N, U])).data, standardizedRef(x, mean, new Array(U).fill(4)), VALUES, 'predictions');
    const config = (model.layers[0] as my.layers.Layer).getConfig();
    expect(config).to.deep.include({ mean, variance: new Array(U).fill(4) });
  });

  it('is the identity until adapted, and its backward is dy / sqrt(variance)', () => {
    const x = data(4);
    const model = my.sequential([my.layers.normalization({ inputShape: [U] })]);
    expect(Array.from(model.predict(my.tensor2d(x, [N, U])).data)).to.deep.equal(Array.from(x));
    const layer = model.layers[0] as my.layers.Normalization;
    layer.adapt(my.tensor2d(x, [N, U]));
    const dy = randomArray(N * U, 5);
    const dx = new Float32Array(N * U);
    layer.backward(native, dy, dx, x, x, N);
    const { variance } = columnStats(x, N, U);
    expectClose(dx, Float64Array.from(dy, (v, k) => v / Math.max(Math.sqrt(variance[k % U] as number), 1e-7)), GRADIENTS, 'dx');
  });

  it('refuses adapt data of the wrong width, before and after build', () => {
    const declared = my.layers.normalization({ inputShape: [U] });
    expect(() => declared.adapt(my.tensor2d(randomArray(N * 3, 6), [N, 3]))).to.throw(ShapeError, /Expected samples of 7 features \(shape \[n, 7\]\) for data but received shape \[40, 3\]/);
    const model = my.sequential([my.layers.dense({ inputShape: [2], units: U }), my.layers.normalization()]);
    expect(() => (model.layers[1] as my.layers.Normalization).adapt([[1, 2]])).to.throw(ShapeError, /samples of 7 features/);
    // Adapted without a declared width, then placed where the width differs: caught at build.
    const loose = my.layers.normalization();
    loose.adapt([[1, 2], [3, 4]]);
    expect(() => my.sequential([my.layers.dense({ inputShape: [2], units: 3 }), loose])).to.throw(ShapeError, /Expected 3 values, one per input feature of '.*' for adapt data but received 2/);
    expect(() => declared.adapt([[1, 2, 3, 4, 5, 6, NaN]])).to.throw(ArgumentRangeError, /finite numbers for data/);
    expect(() => declared.adapt('x' as never)).to.throw(ArgumentTypeError, /for data/);
  });

  it('refuses bad config', () => {
    expect(() => my.layers.normalization({ mean: 0 })).to.throw(ArgumentTypeError, /Expected a value, since mean is given \(give both or neither\) for variance but received undefined/);
    expect(() => my.layers.normalization({ mean: [0, 1], variance: [1, -1] })).to.throw(ArgumentRangeError, /Expected a number >= 0 for variance\[1\] but received -1/);
    expect(() => my.layers.normalization({ mean: [NaN], variance: 1 })).to.throw(ArgumentRangeError, /mean\[0\]/);
    expect(() => my.layers.normalization({ mean: [], variance: 1 })).to.throw(ShapeError, /non-empty array/);
    expect(() => my.sequential([my.layers.normalization({ inputShape: [3], mean: [0, 1], variance: 1 })])).to.throw(ShapeError, /Expected 3 values, one per input feature of '.*' for mean but received 2/);
  });
});
