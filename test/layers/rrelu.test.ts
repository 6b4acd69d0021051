import { expect } from 'chai';

import * as my from '../../lib/index';
import { native } from '../../lib/backend';
import { ArgumentRangeError, ArgumentTypeError } from '../../lib/errors';
import { fillUniform } from '../../lib/random';
import { expectClose, GRADIENTS, VALUES } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { finiteDifferences } from '../helpers/gradients';

/** y = x > 0 ? x : slope_i x, with a slope per element, in float64. */
const rreluRef = (x: ArrayLike<number>, slope: (i: number) => number): Float64Array => Float64Array.from(x, (v, i) => (v > 0 ? v : slope(i) * v));
const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((s, v, i) => s + v * (b[i] as number), 0);

describe('layers.rrelu', () => {
  const [n, u] = [5, 11];
  const x = randomArray(n * u, 1, 2);
  const r = randomArray(n * u, 2);

  function run(layer: my.layers.RReLU, training: boolean): { y: Float32Array; dx: Float32Array } {
    const y = new Float32Array(n * u);
    layer.forward(native, x, y, n, training);
    const dx = new Float32Array(n * u);
    layer.backward(native, r.slice(), dx, x, y, n);
    return { y, dx };
  }

  it('at inference is a leaky ReLU with the mean slope, with the gradient of central differences', () => {
    const layer = my.layers.rrelu({ lower: 0.1, upper: 0.3 });
    layer.build(u);
    const { y, dx } = run(layer, false);
    expectClose(y, rreluRef(x, () => 0.2), VALUES, 'y');
    const x64 = Float64Array.from(x);
    expectClose(dx, finiteDifferences(() => dot(r, rreluRef(x64, () => 0.2)), x64), GRADIENTS, 'dx');
  });

  it('while training draws a slope per element in [lower, upper) from the seeded stream and keeps it for the backward', () => {
    const layer = my.layers.rrelu();
    layer.build(u);
    my.seed(42);
    const { y, dx } = run(layer, true);
    my.seed(42);
    const slopes = new Float32Array(n * u);
    fillUniform(slopes, 1 / 8, 1 / 3);
    expect(slopes.every((s) => s >= 1 / 8 - 1e-7 && s < 1 / 3)).to.equal(true);
    expect(new Set(slopes).size).to.be.above(n * u - 3);
    const ref = (v: ArrayLike<number>): Float64Array => rreluRef(v, (i) => slopes[i] as number);
    expectClose(y, ref(x), VALUES, 'y');
    const x64 = Float64Array.from(x);
    expectClose(dx, finiteDifferences(() => dot(r, ref(x64)), x64), GRADIENTS, 'dx');
    // Another training forward draws other slopes.
    const again = new Float32Array(n * u);
    layer.forward(native, x, again, n, true);
    expect(Array.from(again)).to.not.deep.equal(Array.from(y));
  });

  it('trains inside a model and predicts with the mean slope', () => {
    my.seed(9);
    const model = my.sequential([my.layers.dense({ inputShape: [2], units: 8 }), my.layers.rrelu({ lower: 0.2, upper: 0.2 }), my.layers.dense({ units: 1 })]);
    model.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const xs = my.tensor2d(randomArray(40, 3), [20, 2]);
    const ys = my.tensor2d(Float32Array.from({ length: 20 }, (_, i) => (xs.data[2 * i] as number) ** 2), [20, 1]);
    for (let i = 0; i < 5; i++) expect(Number.isFinite(model.trainOnBatch(xs, ys))).to.equal(true);
    // With lower = upper the training and inference slopes agree: the loss from predict equals the training loss.
    const p = model.predict(xs).data;
    const mse = Array.from(p).reduce((s, v, i) => s + (v - (ys.data[i] as number)) ** 2, 0) / 20;
    expect(model.trainOnBatch(xs, ys)).to.be.closeTo(mse, 1e-5);
  });

  it('round-trips its config and refuses lower > upper, negative or non-number bounds', () => {
    expect(my.layers.rrelu({ name: 'r', inputShape: [3] }).getConfig()).to.deep.equal({ name: 'r', lower: 1 / 8, upper: 1 / 3, inputShape: [3] });
    expect(() => my.layers.rrelu({ lower: 0.5, upper: 0.25 })).to.throw(ArgumentRangeError, /Expected a number >= lower \(0.5\) for upper but received 0.25/);
    expect(() => my.layers.rrelu({ lower: -0.1 })).to.throw(ArgumentRangeError, /for lower but received -0.1/);
    expect(() => my.layers.rrelu({ upper: 'x' as never })).to.throw(ArgumentTypeError, /for upper/);
    expect(() => my.layers.rrelu({ alpha: 1 } as never)).to.throw(ArgumentRangeError, /rrelu config.alpha/);
  });
});
