import { expect } from 'chai';

import * as my from '../../lib/index';
import { native } from '../../lib/backend';
import { activationNames, type ActivationName } from '../../lib/activations';
import { ArgumentRangeError, ArgumentTypeError } from '../../lib/errors';
import { expectClose, GRADIENTS, VALUES } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { finiteDifferences } from '../helpers/gradients';
import { activationRef } from '../helpers/reference';

/**
 * Runs a layer's forward and backward on x (n rows) with the loss L = sum r * y for fixed
 * random r, so dL/dy = r; returns y and dL/dx.
 */
function forwardBackward(layer: my.layers.Layer, x: Float32Array, n: number, r: Float32Array, training = false): { y: Float32Array; dx: Float32Array } {
  const y = new Float32Array(x.length);
  layer.forward(native, x, y, n, training);
  const dx = new Float32Array(x.length);
  layer.backward(native, r.slice(), dx, x, y, n);
  return { y, dx };
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((s, v, i) => s + v * (b[i] as number), 0);

describe('layers.activation', () => {
  const [n, u] = [4, 9];
  const cases: [ActivationName, number | undefined][] = [
    ['selu', undefined], ['gelu', undefined], ['geluTanh', undefined], ['swish', undefined], ['softplus', undefined], ['elu', 0.5], ['leakyRelu', 0.1], ['softmax', undefined], ['tanh', undefined],
  ];
  for (const [act, alpha] of cases) {
    it(`${act}${alpha === undefined ? '' : ` (alpha ${alpha})`}: forward matches float64 and the input gradient matches central differences`, () => {
      const layer = my.layers.activation(alpha === undefined ? { activation: act } : { activation: act, alpha });
      layer.build(u);
      const x = randomArray(n * u, 3, 3);
      const r = randomArray(n * u, 4);
      const { y, dx } = forwardBackward(layer, x, n, r);
      const ref = (z: ArrayLike<number>): Float64Array => (alpha === undefined ? activationRef(z, n, u, act) : activationRef(z, n, u, act, alpha));
      expectClose(y, ref(x), VALUES, 'y');
      const x64 = Float64Array.from(x);
      expectClose(dx, finiteDifferences(() => dot(r, ref(x64)), x64), GRADIENTS, 'dx');
    });
  }

  it('accepts every activation name and silu for swish, keeps the width and has no weights', () => {
    for (const act of [...activationNames, 'silu'] as const) {
      const layer = my.layers.activation({ activation: act });
      expect(layer.build(5)).to.deep.equal([]);
      expect(layer.outputUnits).to.equal(5);
    }
    expect(my.layers.activation({ activation: 'silu' }).activation).to.equal('swish');
  });

  it('leakyReLU defaults to alpha 0.3 (the Keras layer), the activation name to 0.2 (tf.leakyRelu); elu to 1', () => {
    expect(my.layers.leakyReLU().alpha).to.equal(0.3);
    expect(my.layers.leakyReLU({ alpha: 0.05 }).alpha).to.equal(0.05);
    expect(my.layers.activation({ activation: 'leakyRelu' }).alpha).to.equal(0.2);
    expect(my.layers.elu().alpha).to.equal(1);
    expect(my.layers.softmax().activation).to.equal('softmax');
    const layer = my.layers.leakyReLU({ alpha: 0.5 });
    layer.build(2);
    const y = new Float32Array(2);
    layer.forward(native, Float32Array.from([-2, 3]), y, 1);
    expect(Array.from(y)).to.deep.equal([-1, 3]);
  });

  it('round-trips its config', () => {
    expect(my.layers.activation({ activation: 'elu', alpha: 0.7, inputShape: [3], name: 'a' }).getConfig()).to.deep.equal({ name: 'a', activation: 'elu', alpha: 0.7, inputShape: [3] });
    expect(my.layers.activation({ activation: 'gelu', name: 'g' }).getConfig()).to.deep.equal({ name: 'g', activation: 'gelu' });
    expect(my.layers.leakyReLU().name).to.match(/^leaky_re_lu_\d+$/);
  });

  it('trains inside a model, with the derivative that needs z (gelu) and a softmax layer at the end', () => {
    my.seed(3);
    const model = my.sequential([
      my.layers.dense({ inputShape: [4], units: 8 }),
      my.layers.activation({ activation: 'gelu' }),
      my.layers.dense({ units: 3 }),
      my.layers.softmax(),
    ]);
    model.compile({ optimizer: my.optimizers.adam({ learningRate: 0.05 }), loss: 'categoricalCrossentropy' });
    const x = my.tensor2d(randomArray(32 * 4, 5, 2), [32, 4]);
    const labels = new Float32Array(32 * 3);
    for (let i = 0; i < 32; i++) labels[i * 3 + ((x.data[i * 4] as number) > 0 ? 0 : 1)] = 1;
    const y = my.tensor2d(labels, [32, 3]);
    const first = model.trainOnBatch(x, y);
    let last = first;
    for (let i = 0; i < 30; i++) last = model.trainOnBatch(x, y);
    expect(last).to.be.below(first / 2);
    const p = model.predict(x).data;
    for (let i = 0; i < 32; i++) expect(p[i * 3]! + p[i * 3 + 1]! + p[i * 3 + 2]!).to.be.closeTo(1, 1e-5);
  });

  it('refuses an unknown name with a suggestion, a missing name, a bad alpha and unknown options', () => {
    expect(() => my.layers.activation({ activation: 'leaky_relu' as never })).to.throw(ArgumentRangeError, /for activation but received 'leaky_relu' \(string\)\. Did you mean 'leakyRelu'\?/);
    expect(() => my.layers.activation({ activation: 'GELU' as never })).to.throw(ArgumentRangeError, /Did you mean 'gelu'\?/);
    expect(() => my.layers.dense({ units: 2, activation: 'swishy' as never })).to.throw(ArgumentRangeError, /one of 'linear', 'relu'.*'swish', 'silu' for activation/);
    expect(() => my.layers.activation({} as never)).to.throw(ArgumentTypeError, /for activation but received undefined/);
    expect(() => my.layers.activation({ activation: 'elu', alpha: -1 })).to.throw(ArgumentRangeError, /Expected a number >= 0 for alpha but received -1/);
    expect(() => my.layers.leakyReLU({ alpha: NaN })).to.throw(ArgumentRangeError, /for alpha but received NaN/);
    expect(() => my.layers.leakyReLU({ alpha: '0.1' as never })).to.throw(ArgumentTypeError, /for alpha/);
    expect(() => my.layers.activation({ activation: 'relu', alpha: 0.1 })).to.throw(ArgumentRangeError, /only leakyRelu and elu take one/);
    expect(() => my.layers.softmax({ axis: -1 } as never)).to.throw(ArgumentRangeError, /softmax config.axis/);
  });
});
