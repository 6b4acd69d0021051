import { native } from '../../lib/backend';
import { expectClose } from '../helpers/compare';
import { randomArray } from '../helpers/data';

// Steps computed by hand in float64 from the formulas in native/kernels/optimizers.h, on an
// arena longer than one parallel chunk (2^15) so the threaded path is covered.
const LENGTH = 70001;
const TOL = { atol: 1e-6, rtol: 1e-5 };

describe('optimizer kernels', () => {
  it('sgd without momentum: p -= lr g', () => {
    const p = randomArray(LENGTH, 1);
    const g = randomArray(LENGTH, 2);
    const ref = Float64Array.from(p, (v, i) => v - 0.1 * (g[i] as number));
    native.sgdStep(p, null, g, 0.1, 0);
    expectClose(p, ref, TOL);
  });

  it('sgd with momentum over three steps: v = mu v - lr g; p += v', () => {
    const p = randomArray(LENGTH, 3);
    const v = new Float32Array(LENGTH);
    const pRef = Float64Array.from(p);
    const vRef = new Float64Array(LENGTH);
    for (let step = 0; step < 3; step++) {
      const g = randomArray(LENGTH, 10 + step);
      native.sgdStep(p, v, g, 0.05, 0.9);
      for (let i = 0; i < LENGTH; i++) {
        vRef[i] = 0.9 * (vRef[i] as number) - 0.05 * (g[i] as number);
        pRef[i] = (pRef[i] as number) + (vRef[i] as number);
      }
    }
    expectClose(v, vRef, TOL, 'velocity');
    expectClose(p, pRef, TOL, 'params');
  });

  it('adam over three steps, with bias correction in the step size and epsilon hat', () => {
    // The kernel takes float32 hyperparameters; 1 - fround(0.999) differs from 0.001 by 1e-5
    // relative, so the float64 reference starts from the same float32 values.
    const [lr, b1, b2, eps] = [0.01, 0.9, 0.999, 1e-7].map(Math.fround) as [number, number, number, number];
    const p = randomArray(LENGTH, 4);
    const m = new Float32Array(LENGTH);
    const v = new Float32Array(LENGTH);
    const pRef = Float64Array.from(p);
    const mRef = new Float64Array(LENGTH);
    const vRef = new Float64Array(LENGTH);
    for (let t = 1; t <= 3; t++) {
      const g = randomArray(LENGTH, 20 + t, t === 2 ? 1e-4 : 1);
      native.adamStep(p, m, v, g, lr, b1, b2, eps, t);
      const lrT = (lr * Math.sqrt(1 - b2 ** t)) / (1 - b1 ** t);
      for (let i = 0; i < LENGTH; i++) {
        const gi = g[i] as number;
        mRef[i] = b1 * (mRef[i] as number) + (1 - b1) * gi;
        vRef[i] = b2 * (vRef[i] as number) + (1 - b2) * gi * gi;
        pRef[i] = (pRef[i] as number) - (lrT * (mRef[i] as number)) / (Math.sqrt(vRef[i] as number) + eps);
      }
    }
    expectClose(m, mRef, TOL, 'm');
    expectClose(v, vRef, { atol: 1e-9, rtol: 1e-5 }, 'v');
    expectClose(p, pRef, TOL, 'params');
  });
});
