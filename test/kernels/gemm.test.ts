import { expect } from 'chai';

import { native } from '../../lib/backend';
import { expectClose } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { gemmRef } from '../helpers/reference';

// [m, n, k]: 1, primes, 7, 33, 257, below and above every micro-tile (6x16 on AVX2) and cache
// block (MC, KC a few hundred; NC a few thousand), and empty dimensions. 37x70x1024: A is 1024
// wide, which the AVX-512 path packs (through its own packing) instead of reading in place.
const shapes: [number, number, number][] = [
  [1, 1, 1], [7, 7, 7], [33, 33, 33], [1, 257, 33], [257, 1, 7], [5, 15, 17], [6, 16, 1],
  [7, 17, 300], [13, 47, 257], [100, 33, 1], [129, 65, 97], [300, 20, 10], [9, 10, 600],
  [3, 4111, 5], [257, 257, 257], [37, 70, 1024], [0, 5, 3], [4, 0, 3], [4, 5, 0],
];
const scalars: [number, number][] = [[1, 0], [-0.5, 0.7], [2, 1]];
const { supportedIsas, isa: defaultIsa, threads: defaultThreads, maxThreads } = native.backendInfo();

function run(m: number, n: number, k: number, transA: boolean, transB: boolean, alpha: number, beta: number, seed: number) {
  const a = randomArray(m * k, seed);
  const b = randomArray(k * n, seed + 1);
  const c0 = randomArray(m * n, seed + 2);
  // With beta 0, C must not be read: fill it with NaN so a read shows.
  const c = beta === 0 ? new Float32Array(m * n).fill(NaN) : c0.slice();
  native.sgemm(c, a, b, m, n, k, transA, transB, alpha, beta);
  return { c, ref: gemmRef(c0, a, b, m, n, k, transA, transB, alpha, beta) };
}

for (const isa of supportedIsas) {
  describe(`sgemm (${isa} path)`, () => {
    before(() => native.setIsa(isa));
    after(() => native.setIsa(defaultIsa));

    for (const [m, n, k] of shapes) {
      for (const transA of [false, true]) {
        for (const transB of [false, true]) {
          it(`matches the float64 reference for ${m}x${n}x${k}${transA ? ' A^T' : ''}${transB ? ' B^T' : ''}`, () => {
            scalars.forEach(([alpha, beta], i) => {
              const { c, ref } = run(m, n, k, transA, transB, alpha, beta, 10 * i + m + n + k);
              expectClose(c, ref, { atol: 2e-6 * Math.max(k, 1), rtol: 1e-4 }, `alpha ${alpha} beta ${beta}`);
            });
          });
        }
      }
    }

    it('gives bit-identical results on 1 and 2 threads', () => {
      const results = [1, Math.min(2, maxThreads)].map((t) => {
        native.setNumThreads(t);
        return run(200, 300, 250, false, true, 1, 0.5, 7).c;
      });
      native.setNumThreads(defaultThreads);
      expect(Buffer.from((results[0] as Float32Array).buffer).equals(Buffer.from((results[1] as Float32Array).buffer))).to.equal(true);
    });
  });
}

describe('sgemm residual check (BLIS style)', () => {
  it('C t equals beta C0 t + alpha A (B t) for a random vector t on a large shape', () => {
    const [m, n, k] = [517, 389, 611];
    const { c } = run(m, n, k, true, false, 0.75, 0.25, 99);
    const a = randomArray(m * k, 99); // stored (k, m) because transA
    const b = randomArray(k * n, 100);
    const c0 = randomArray(m * n, 101);
    const t = randomArray(n, 5);
    const bt = new Float64Array(k);
    for (let p = 0; p < k; p++) for (let j = 0; j < n; j++) bt[p] = (bt[p] as number) + (b[p * n + j] as number) * (t[j] as number);
    const lhs = new Float64Array(m);
    const rhs = new Float64Array(m);
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        lhs[i] = (lhs[i] as number) + (c[i * n + j] as number) * (t[j] as number);
        rhs[i] = (rhs[i] as number) + 0.25 * (c0[i * n + j] as number) * (t[j] as number);
      }
      for (let p = 0; p < k; p++) rhs[i] = (rhs[i] as number) + 0.75 * (a[p * m + i] as number) * (bt[p] as number);
    }
    expectClose(lhs, rhs, { atol: 1e-5 * k * Math.sqrt(n), rtol: 1e-4 }, 'C t');
  });
});
