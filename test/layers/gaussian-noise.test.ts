import { expect } from 'chai';

import * as my from '../../lib/index';
import { native } from '../../lib/backend';
import { ArgumentRangeError, ArgumentTypeError } from '../../lib/errors';
import { randomArray } from '../helpers/data';

describe('GaussianNoise', () => {
  it('adds N(0, stddev^2) noise while training (mean and variance within 4 standard errors)', () => {
    const [n, u, stddev] = [100, 257, 0.5];
    const layer = my.layers.gaussianNoise({ stddev });
    layer.build(u);
    const x = randomArray(n * u, 1, 3);
    const y = new Float32Array(n * u);
    layer.forward(native, x, y, n, true);
    const noise = Float64Array.from(y, (v, i) => v - (x[i] as number));
    const mean = noise.reduce((s, v) => s + v, 0) / noise.length;
    const variance = noise.reduce((s, v) => s + (v - mean) ** 2, 0) / noise.length;
    expect(Math.abs(mean)).to.be.below(4 * stddev / Math.sqrt(noise.length));
    expect(Math.abs(variance - stddev ** 2)).to.be.below(4 * stddev ** 2 * Math.sqrt(2 / noise.length));
    // Fresh noise on each call.
    const again = new Float32Array(n * u);
    layer.forward(native, x, again, n, true);
    expect(Array.from(again)).to.not.deep.equal(Array.from(y));
  });

  it('is the identity at inference, and its backward passes dy through', () => {
    const x = randomArray(7 * 5, 2);
    const model = my.sequential([my.layers.gaussianNoise({ inputShape: [5], stddev: 2 })]);
    expect(Array.from(model.predict(my.tensor2d(x, [7, 5])).data)).to.deep.equal(Array.from(x));
    const layer = model.layers[0] as my.layers.Layer;
    const dx = new Float32Array(x.length);
    layer.backward(native, x, dx, x, x, 7);
    expect(Array.from(dx)).to.deep.equal(Array.from(x));
  });

  it('repeats its noise after seed(n)', () => {
    const layer = my.layers.gaussianNoise({ stddev: 1 });
    layer.build(3);
    const [a, b] = [new Float32Array(6), new Float32Array(6)];
    my.seed(9);
    layer.forward(native, new Float32Array(6), a, 2, true);
    my.seed(9);
    layer.forward(native, new Float32Array(6), b, 2, true);
    expect(Array.from(a)).to.deep.equal(Array.from(b));
  });

  it('refuses a negative or missing stddev', () => {
    expect(() => my.layers.gaussianNoise({ stddev: -1 })).to.throw(ArgumentRangeError, /Expected a number >= 0 for stddev but received -1/);
    expect(() => my.layers.gaussianNoise({ stddev: Infinity })).to.throw(ArgumentRangeError, /stddev/);
    expect(() => my.layers.gaussianNoise({} as never)).to.throw(ArgumentTypeError, /stddev but received undefined/);
  });
});
