import { expect } from 'chai';

import { native } from '../../lib/backend';
import { batchNormInferRef, batchNormTrainRef } from '../helpers/batch-norm-reference';
import { expectClose, GRADIENTS, VALUES } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { finiteDifferences } from '../helpers/gradients';

const EPS = 1e-3;
/** n x units, the last past one chunk of 32768 floats so the column blocks run on the pool. */
const shapes: [number, number][] = [];
for (const n of [1, 2, 7, 33]) for (const u of [1, 7, 257]) shapes.push([n, u]);
shapes.push([130, 257]);

/** Runs the native training forward; returns its outputs and the updated moving statistics. */
function trainForward(x: Float32Array, gamma: Float32Array | null, beta: Float32Array | null, movingMean: Float32Array, movingVar: Float32Array, momentum: number, n: number, u: number) {
  const y = new Float32Array(n * u);
  const xhat = new Float32Array(n * u);
  const invStd = new Float32Array(u);
  native.batchNormForwardTrain(y, xhat, invStd, movingMean, movingVar, x, gamma, beta, momentum, EPS, n, u);
  return { y, xhat, invStd };
}

describe('batch normalization kernels', () => {
  for (const [n, u] of shapes) {
    for (const affine of [true, false]) {
      it(`training forward matches float64 (n ${n}, units ${u}, ${affine ? 'gamma and beta' : 'no gamma, no beta'})`, () => {
        const x = randomArray(n * u, n * 1000 + u, 3).map((v, i) => v + (i % u)); // offset means per column
        const gamma = affine ? randomArray(u, 2, 2) : null;
        const beta = affine ? randomArray(u, 3) : null;
        const movingMean = randomArray(u, 4);
        const movingVar = randomArray(u, 5).map((v) => 1 + v * v);
        const [mm0, mv0] = [Float64Array.from(movingMean), Float64Array.from(movingVar)];
        const got = trainForward(x, gamma, beta, movingMean, movingVar, 0.9, n, u);
        const ref = batchNormTrainRef(x, gamma, beta, EPS, n, u);
        expectClose(got.y, ref.y, VALUES, 'y');
        expectClose(got.xhat, ref.xhat, VALUES, 'xhat');
        expectClose(got.invStd, ref.invStd, VALUES, 'invStd');
        expectClose(movingMean, mm0.map((m, j) => 0.9 * m + 0.1 * (ref.mean[j] as number)), VALUES, 'movingMean');
        expectClose(movingVar, mv0.map((v, j) => 0.9 * v + 0.1 * (ref.variance[j] as number)), VALUES, 'movingVariance');
      });

      it(`inference forward matches float64 (n ${n}, units ${u}, ${affine ? 'gamma and beta' : 'no gamma, no beta'})`, () => {
        const x = randomArray(n * u, n + u, 3);
        const gamma = affine ? randomArray(u, 6, 2) : null;
        const beta = affine ? randomArray(u, 7) : null;
        const movingMean = randomArray(u, 8);
        const movingVar = randomArray(u, 9).map((v) => v * v);
        const y = new Float32Array(n * u);
        native.batchNormForwardInfer(y, x, gamma, beta, movingMean, movingVar, EPS, n, u);
        expectClose(y, batchNormInferRef(x, gamma, beta, movingMean, movingVar, EPS, n, u), VALUES, 'y');
      });
    }

    it(`backward matches the float64 formula (n ${n}, units ${u})`, () => {
      const x = randomArray(n * u, 10 + n, 2);
      const gamma = randomArray(u, 11, 2);
      const dy = randomArray(n * u, 12);
      const { xhat, invStd } = trainForward(x, gamma, randomArray(u, 13), new Float32Array(u), new Float32Array(u), 0.99, n, u);
      const [dx, dgamma, dbeta] = [new Float32Array(n * u), new Float32Array(u).fill(NaN), new Float32Array(u).fill(NaN)];
      native.batchNormBackward(dx, dgamma, dbeta, dy, xhat, invStd, gamma, n, u);
      const ref = batchNormTrainRef(x, gamma, null, EPS, n, u);
      const [rdx, rdgamma, rdbeta] = [new Float64Array(n * u), new Float64Array(u), new Float64Array(u)];
      for (let j = 0; j < u; j++) {
        for (let i = 0; i < n; i++) {
          rdbeta[j] = (rdbeta[j] as number) + (dy[i * u + j] as number);
          rdgamma[j] = (rdgamma[j] as number) + (dy[i * u + j] as number) * (ref.xhat[i * u + j] as number);
        }
        for (let i = 0; i < n; i++) {
          const k = i * u + j;
          rdx[k] = ((gamma[j] as number) * (ref.invStd[j] as number) / n) * (n * (dy[k] as number) - (rdbeta[j] as number) - (ref.xhat[k] as number) * (rdgamma[j] as number));
        }
      }
      expectClose(dx, rdx, GRADIENTS, 'dx');
      expectClose(dgamma, rdgamma, GRADIENTS, 'dgamma');
      expectClose(dbeta, rdbeta, GRADIENTS, 'dbeta');
    });
  }

  it('backward equals central finite differences of the float64 forward, through the batch statistics', () => {
    const [n, u] = [7, 5];
    const x = Float64Array.from(randomArray(n * u, 20, 2));
    const gamma = Float64Array.from(randomArray(u, 21, 2));
    const beta = Float64Array.from(randomArray(u, 22));
    const r = randomArray(n * u, 23); // L = sum(r * y)
    const loss = (): number => batchNormTrainRef(x, gamma, beta, EPS, n, u).y.reduce((s, v, i) => s + v * (r[i] as number), 0);
    const x32 = Float32Array.from(x);
    const gamma32 = Float32Array.from(gamma);
    const { xhat, invStd } = trainForward(x32, gamma32, Float32Array.from(beta), new Float32Array(u), new Float32Array(u), 0.99, n, u);
    const [dx, dgamma, dbeta] = [new Float32Array(n * u), new Float32Array(u), new Float32Array(u)];
    native.batchNormBackward(dx, dgamma, dbeta, r, xhat, invStd, gamma32, n, u);
    expectClose(dx, finiteDifferences(loss, x), GRADIENTS, 'dx');
    expectClose(dgamma, finiteDifferences(loss, gamma), GRADIENTS, 'dgamma');
    expectClose(dbeta, finiteDifferences(loss, beta), GRADIENTS, 'dbeta');
  });

  it('stays finite with one sample: variance 0 gives y = beta and dx = 0', () => {
    const u = 7;
    const beta = randomArray(u, 30);
    const gamma = randomArray(u, 31);
    const { y, xhat, invStd } = trainForward(randomArray(u, 32, 5), gamma, beta, new Float32Array(u), new Float32Array(u), 0.99, 1, u);
    expect(Array.from(y)).to.deep.equal(Array.from(beta));
    expect(invStd.every((v) => Math.abs(v - 1 / Math.sqrt(EPS)) < 1e-3)).to.equal(true);
    const dx = new Float32Array(u).fill(NaN);
    native.batchNormBackward(dx, null, null, randomArray(u, 33), xhat, invStd, gamma, 1, u);
    expect(dx.every((v) => v === 0)).to.equal(true);
  });

  it('moves the moving statistics toward the batch statistics step after step, as float64 does', () => {
    const [n, u, momentum] = [9, 7, 0.8];
    const movingMean = new Float32Array(u);
    const movingVar = new Float32Array(u).fill(1);
    const [mm, mv] = [new Float64Array(u), new Float64Array(u).fill(1)];
    for (let step = 0; step < 5; step++) {
      const x = randomArray(n * u, 40 + step, 2).map((v) => v * 3 + step);
      trainForward(x, null, null, movingMean, movingVar, momentum, n, u);
      const ref = batchNormTrainRef(x, null, null, EPS, n, u);
      for (let j = 0; j < u; j++) {
        mm[j] = momentum * (mm[j] as number) + (1 - momentum) * (ref.mean[j] as number);
        mv[j] = momentum * (mv[j] as number) + (1 - momentum) * (ref.variance[j] as number);
      }
    }
    expectClose(movingMean, mm, VALUES, 'movingMean');
    expectClose(movingVar, mv, VALUES, 'movingVariance');
  });

  it('lets NaN through to the output', () => {
    const x = Float32Array.from([1, 2, NaN, 4]);
    const y = new Float32Array(4);
    native.batchNormForwardTrain(y, new Float32Array(4), new Float32Array(2), new Float32Array(2), new Float32Array(2), x, null, null, 0.9, EPS, 2, 2);
    expect(Number.isNaN(y[0])).to.equal(true);
    expect(Number.isNaN(y[2])).to.equal(true);
    expect(Number.isNaN(y[1])).to.equal(false);
  });

  it('refuses wrong lengths, momentum outside [0, 1], epsilon <= 0 and an empty training batch', () => {
    const f = (k: number): Float32Array => new Float32Array(k);
    expect(() => native.batchNormForwardTrain(f(6), f(6), f(3), f(3), f(3), f(6), null, null, -0.1, EPS, 2, 3)).to.throw(RangeError, /momentum in \[0, 1\]/);
    expect(() => native.batchNormForwardTrain(f(6), f(6), f(3), f(3), f(3), f(6), null, null, 0.9, 0, 2, 3)).to.throw(RangeError, /epsilon > 0/);
    expect(() => native.batchNormForwardTrain(f(0), f(0), f(3), f(3), f(3), f(0), null, null, 0.9, EPS, 0, 3)).to.throw(RangeError, /n >= 1/);
    expect(() => native.batchNormForwardTrain(f(6), f(6), f(3), f(3), f(3), f(5), null, null, 0.9, EPS, 2, 3)).to.throw(RangeError, /x \(n x units\) to hold 2x3 = 6 floats but its length is 5/);
    expect(() => native.batchNormForwardTrain(f(6), f(6), f(3), f(3), f(3), f(6), f(2), null, 0.9, EPS, 2, 3)).to.throw(RangeError, /gamma \(units\)/);
    expect(() => native.batchNormForwardInfer(f(6), f(6), null, null, f(3), f(4), EPS, 2, 3)).to.throw(RangeError, /movingVar \(units\)/);
    expect(() => native.batchNormBackward(f(5), null, null, f(6), f(6), f(3), null, 2, 3)).to.throw(RangeError, /dx \(n x units\)/);
    expect(() => native.batchNormBackward(null, null, f(2), f(6), f(6), f(3), null, 2, 3)).to.throw(RangeError, /dbeta \(units\)/);
    expect(() => native.batchNormBackward(null, null, null, new Float64Array(6) as unknown as Float32Array, f(6), f(3), null, 2, 3)).to.throw(TypeError, /Float32Array for dy/);
  });
});

describe('standardization kernels', () => {
  for (const [n, u] of [[1, 1], [7, 7], [33, 257], [130, 257]] as const) {
    it(`forward and backward match float64, a zero variance floored at 1e-7 (n ${n}, units ${u})`, () => {
      const x = randomArray(n * u, 50 + n, 4);
      const mean = randomArray(u, 51);
      const variance = randomArray(u, 52).map((v, j) => (j % 5 === 0 ? 0 : v * v * 9));
      const y = new Float32Array(n * u);
      native.standardizeForward(y, x, mean, variance, 1e-7, n, u);
      const deviation = (j: number): number => Math.max(Math.sqrt(variance[j] as number), 1e-7);
      expectClose(y, Float64Array.from(x, (v, k) => (v - (mean[k % u] as number)) / deviation(k % u)), VALUES, 'y');
      const dy = randomArray(n * u, 53);
      const dx = new Float32Array(n * u);
      native.standardizeBackward(dx, dy, variance, 1e-7, n, u);
      expectClose(dx, Float64Array.from(dy, (v, k) => v / deviation(k % u)), GRADIENTS, 'dx');
    });
  }

  it('refuses wrong lengths and epsilon <= 0', () => {
    const f = (k: number): Float32Array => new Float32Array(k);
    expect(() => native.standardizeForward(f(6), f(6), f(3), f(2), 1e-7, 2, 3)).to.throw(RangeError, /variance \(units\)/);
    expect(() => native.standardizeForward(f(6), f(6), f(3), f(3), 0, 2, 3)).to.throw(RangeError, /epsilon > 0/);
    expect(() => native.standardizeBackward(f(6), f(5), f(3), 1e-7, 2, 3)).to.throw(RangeError, /dy \(n x units\)/);
  });
});

describe('elementwise kernels of dropout and noise', () => {
  it('multiply and add elementwise over long arrays, in place too', () => {
    const count = 70001; // three chunks, the last partial
    const a = randomArray(count, 60);
    const b = randomArray(count, 61);
    const out = new Float32Array(count);
    native.multiplyElementwise(out, a, b);
    expect(out.every((v, i) => v === Math.fround((a[i] as number) * (b[i] as number)))).to.equal(true);
    native.addElementwise(out, out, a);
    expect(out.every((v, i) => v === Math.fround(Math.fround((a[i] as number) * (b[i] as number)) + (a[i] as number)))).to.equal(true);
  });

  it('refuses arrays of different lengths', () => {
    expect(() => native.multiplyElementwise(new Float32Array(3), new Float32Array(3), new Float32Array(2))).to.throw(RangeError, /one length but their lengths are 3, 3 and 2/);
    expect(() => native.addElementwise(new Float32Array(3), new Float32Array(3), [1, 2, 3] as unknown as Float32Array)).to.throw(TypeError, /Float32Array for b/);
  });
});
