import { expect } from 'chai';

import * as my from '../../lib/index';
import { native } from '../../lib/backend';
import { ArgumentRangeError } from '../../lib/errors';
import { expectClose, GRADIENTS, VALUES } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { finiteDifferences } from '../helpers/gradients';

/** y = x > 0 ? x : alpha_j x, over rows of m, in float64. */
function preluRef(x: ArrayLike<number>, alpha: ArrayLike<number>, n: number, m: number): Float64Array {
  const y = new Float64Array(n * m);
  for (let i = 0; i < n * m; i++) {
    const v = x[i] as number;
    y[i] = v > 0 ? v : (alpha[i % m] as number) * v;
  }
  return y;
}

const dot = (a: ArrayLike<number>, b: ArrayLike<number>): number => Array.from(a).reduce((s, v, i) => s + v * (b[i] as number), 0);
const { threads: defaultThreads, maxThreads } = native.backendInfo();

describe('prelu kernels', () => {
  // [n, m]: one value, below and past a vector, and past the 32768-float chunk (two row blocks for the slope gradient).
  for (const [n, m] of [[1, 1], [3, 7], [5, 33], [300, 131]] as const) {
    it(`forward, dz and dalpha match float64 on ${n}x${m}`, () => {
      const z = randomArray(n * m, n + m, 3);
      const alpha = randomArray(m, m, 0.5);
      const y = new Float32Array(n * m);
      native.preluForward(y, z, alpha, n, m);
      expectClose(y, preluRef(z, alpha, n, m), VALUES, 'y');
      const dy = randomArray(n * m, 7);
      const dz = new Float32Array(n * m);
      const dalpha = new Float32Array(m).fill(NaN);
      native.preluBackward(dz, dalpha, dy, z, alpha, n, m);
      const dzRef = Float64Array.from(dy, (g, i) => ((z[i] as number) > 0 ? g : g * (alpha[i % m] as number)));
      const dalphaRef = new Float64Array(m);
      for (let i = 0; i < n * m; i++) if ((z[i] as number) < 0) dalphaRef[i % m] = (dalphaRef[i % m] as number) + (dy[i] as number) * (z[i] as number);
      expectClose(dz, dzRef, VALUES, 'dz');
      expectClose(dalpha, dalphaRef, { atol: 1e-5 * n, rtol: 1e-5 }, 'dalpha');
      // In place, and each output optional.
      const inPlace = dy.slice();
      native.preluBackward(inPlace, null, inPlace, z, alpha, n, m);
      expect(Array.from(inPlace)).to.deep.equal(Array.from(dz));
      const alone = new Float32Array(m);
      native.preluBackward(null, alone, dy, z, alpha, n, m);
      expect(Array.from(alone)).to.deep.equal(Array.from(dalpha));
    });
  }

  it('gives bit-identical slope gradients on 1 and 2 threads', () => {
    const [n, m] = [1000, 77];
    const z = randomArray(n * m, 1, 2);
    const dy = randomArray(n * m, 2);
    const alpha = randomArray(m, 3);
    const results = [1, Math.min(2, maxThreads)].map((t) => {
      native.setNumThreads(t);
      const dalpha = new Float32Array(m);
      native.preluBackward(null, dalpha, dy, z, alpha, n, m);
      return Array.from(dalpha);
    });
    native.setNumThreads(defaultThreads);
    expect(results[0]).to.deep.equal(results[1]);
  });

  it('checks every length', () => {
    const f = (k: number): Float32Array => new Float32Array(k);
    expect(() => native.preluForward(f(6), f(6), f(2), 2, 3)).to.throw(RangeError, /Expected alpha \(m\) to hold 1x3 = 3 floats but its length is 2/);
    expect(() => native.preluBackward(null, f(2), f(6), f(6), f(3), 2, 3)).to.throw(RangeError, /dalpha \(m\)/);
    expect(() => native.preluBackward(f(5), null, f(6), f(6), f(3), 2, 3)).to.throw(RangeError, /dz \(n x m\)/);
  });
});

describe('layers.prelu', () => {
  it('starts as a relu (alpha zeros, as tfjs) with one slope per unit', () => {
    const model = my.sequential([my.layers.prelu({ inputShape: [5] })]);
    const [alpha] = model.getWeights();
    expect(alpha?.shape).to.deep.equal([5]);
    expect(Array.from(alpha?.data ?? [])).to.deep.equal([0, 0, 0, 0, 0]);
    expect(Array.from(model.predict(my.tensor2d([-1, 2, -3, 4, 0], [1, 5])).data)).to.deep.equal([-0, 2, -0, 4, 0]);
  });

  it('gives input and slope gradients equal to float64 central differences', () => {
    const [n, u] = [6, 7];
    const layer = my.layers.prelu({ alphaInitializer: my.initializers.randomUniform({ minval: -0.5, maxval: 0.5 }) });
    const [spec] = layer.build(u);
    const alpha = new Float32Array(u);
    spec?.initializer.fill(alpha, u, u);
    const alphaGrad = new Float32Array(u).fill(NaN);
    layer.bindParams([alpha], [alphaGrad]);
    const x = randomArray(n * u, 8, 2);
    const r = randomArray(n * u, 9);
    const y = new Float32Array(n * u);
    layer.forward(native, x, y, n);
    expectClose(y, preluRef(x, alpha, n, u), VALUES, 'y');
    const dx = new Float32Array(n * u);
    layer.backward(native, r.slice(), dx, x, y, n);
    const x64 = Float64Array.from(x);
    const a64 = Float64Array.from(alpha);
    const f = (): number => dot(r, preluRef(x64, a64, n, u));
    expectClose(dx, finiteDifferences(f, x64), GRADIENTS, 'dx');
    expectClose(alphaGrad, finiteDifferences(f, a64), GRADIENTS, 'dalpha');
  });

  it('learns its slopes inside a model', () => {
    my.seed(5);
    const model = my.sequential([my.layers.dense({ inputShape: [3], units: 6 }), my.layers.prelu(), my.layers.dense({ units: 1 })]);
    model.compile({ optimizer: my.optimizers.adam({ learningRate: 0.05 }), loss: 'meanSquaredError' });
    const x = my.tensor2d(randomArray(64 * 3, 6, 2), [64, 3]);
    const y = my.tensor2d(Float32Array.from({ length: 64 }, (_, i) => Math.abs(x.data[i * 3] as number)), [64, 1]);
    const first = model.trainOnBatch(x, y);
    let last = first;
    for (let i = 0; i < 40; i++) last = model.trainOnBatch(x, y);
    expect(last).to.be.below(first / 2);
    expect(model.getWeights()[2]?.data.some((a) => a !== 0)).to.equal(true);
  });

  it('round-trips its config and refuses unknown options', () => {
    expect(my.layers.prelu({ inputShape: [4], name: 'p' }).getConfig()).to.deep.equal({ name: 'p', alphaInitializer: 'zeros', inputShape: [4] });
    expect(() => my.layers.prelu({ sharedAxes: [1] } as never)).to.throw(ArgumentRangeError, /prelu config.sharedAxes/);
    expect(() => my.layers.prelu({ alphaInitializer: 'zero' as never })).to.throw(ArgumentRangeError, /alphaInitializer/);
  });
});
