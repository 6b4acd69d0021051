import { expect } from 'chai';

import * as my from '../../lib/index';
import { native } from '../../lib/backend';
import { ArgumentRangeError, ArgumentTypeError } from '../../lib/errors';
import { fillDropoutMask } from '../../lib/random';
import { expectClose, expectScalarClose, GRADIENTS, VALUES } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { finiteDifferences } from '../helpers/gradients';
import { denseRef, lossRef, type RefLayer } from '../helpers/reference';

describe('Dropout', () => {
  it('keeps about 1 - rate of the values while training, scaled by 1 / (1 - rate), and drops the rest', () => {
    const [n, u, rate] = [200, 257, 0.3];
    const layer = my.layers.dropout({ rate });
    layer.build(u);
    const x = randomArray(n * u, 1).map((v) => v + 2); // never 0, so a 0 output is a drop
    const y = new Float32Array(n * u);
    layer.forward(native, x, y, n, true);
    const scale = Math.fround(1 / (1 - rate));
    const kept = y.reduce((count, v) => count + (v === 0 ? 0 : 1), 0);
    expect(y.every((v, i) => v === 0 || v === Math.fround((x[i] as number) * scale))).to.equal(true);
    expect(Math.abs(kept / (n * u) - (1 - rate))).to.be.below(4 * Math.sqrt((rate * (1 - rate)) / (n * u)));
    // The backward passes dy through the same mask.
    const dy = randomArray(n * u, 2);
    const dx = new Float32Array(n * u);
    layer.backward(native, dy, dx, x, y, n);
    expect(dx.every((v, i) => v === ((y[i] as number) === 0 ? 0 : Math.fround((dy[i] as number) * scale)))).to.equal(true);
  });

  it('is the identity at inference and with rate 0', () => {
    const x = randomArray(7 * 33, 3);
    for (const [rate, training] of [[0.5, false], [0, true]] as const) {
      const layer = my.layers.dropout({ rate });
      layer.build(33);
      const y = new Float32Array(x.length);
      layer.forward(native, x, y, 7, training);
      expect(Array.from(y)).to.deep.equal(Array.from(x));
    }
    const identity = my.layers.dropout({ rate: 0 });
    identity.build(33);
    const dx = new Float32Array(x.length);
    identity.forward(native, x, new Float32Array(x.length), 7, true);
    identity.backward(native, x, dx, x, x, 7);
    expect(Array.from(dx)).to.deep.equal(Array.from(x));
    const model = my.sequential([my.layers.dropout({ inputShape: [33], rate: 0.9 })]);
    expect(Array.from(model.predict(my.tensor2d(x, [7, 33])).data)).to.deep.equal(Array.from(x));
  });

  it('gives gradients equal to float64 central differences under a fixed mask (seed before each evaluation)', () => {
    const [n, k, h, c, rate] = [5, 3, 6, 2, 0.4];
    my.seed(1);
    const model = my.sequential([
      my.layers.dense({ inputShape: [k], units: h, activation: 'tanh' }),
      my.layers.dropout({ rate }),
      my.layers.dense({ units: c }),
    ]);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const x = randomArray(n * k, 4, 2);
    const t = randomArray(n * c, 5);
    const theta = Float64Array.from(model.getWeights().flatMap((w) => Array.from(w.data))); // initializes first: no draws after the seed
    my.seed(77);
    const { loss, grads } = model.computeGradients(my.tensor2d(x, [n, k]), my.tensor2d(t, [n, c]));
    // The same seed draws the same mask: the dense layers draw nothing.
    my.seed(77);
    const mask = new Float32Array(n * h);
    fillDropoutMask(mask, rate);
    expect(mask.some((v) => v === 0) && mask.some((v) => v !== 0)).to.equal(true);

    const first: RefLayer = { w: theta.subarray(0, k * h), b: theta.subarray(k * h, k * h + h), k, m: h, act: 'tanh' };
    const o = k * h + h;
    const last: RefLayer = { w: theta.subarray(o, o + h * c), b: theta.subarray(o + h * c), k: h, m: c, act: 'linear' };
    const f = (): number => lossRef('meanSquaredError', denseRef(denseRef(x, first, n).map((v, i) => v * (mask[i] as number)), last, n), t, n, c);
    expectScalarClose(loss, f(), VALUES, 'loss');
    expectClose(grads, finiteDifferences(f, theta), GRADIENTS, 'gradients');
  });

  it('refuses a rate outside [0, 1) and unknown options', () => {
    expect(() => my.layers.dropout({ rate: 1.5 })).to.throw(ArgumentRangeError, /Expected a number in \[0, 1\) for rate but received 1.5/);
    expect(() => my.layers.dropout({ rate: 1 })).to.throw(ArgumentRangeError, /for rate but received 1 \(number\)/);
    expect(() => my.layers.dropout({ rate: -0.1 })).to.throw(ArgumentRangeError, /rate/);
    expect(() => my.layers.dropout({} as never)).to.throw(ArgumentTypeError, /for rate but received undefined/);
    expect(() => my.layers.dropout({ rate: 0.5, noiseShape: [1] } as never)).to.throw(ArgumentRangeError, /dropout config.noiseShape/);
  });

  it('round-trips its config', () => {
    const layer = my.layers.dropout({ rate: 0.25, inputShape: [3] });
    expect(layer.getConfig()).to.deep.include({ rate: 0.25, inputShape: [3] });
    expect(layer.paramCount()).to.equal(0);
  });
});
