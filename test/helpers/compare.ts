/**
 * The one comparison for numbers: |got - ref| <= atol + rtol * |ref|, elementwise. On failure
 * the message lists the first mismatches with index, got and expected, and the largest
 * difference, so a failing kernel test says where and by how much.
 */
import { expect } from 'chai';

export interface Tolerance {
  readonly atol: number;
  readonly rtol: number;
}

/** Float32 kernels against a float64 reference. */
export const VALUES: Tolerance = { atol: 1e-5, rtol: 1e-4 };
/** Analytic float32 gradients against float64 finite differences. */
export const GRADIENTS: Tolerance = { atol: 1e-4, rtol: 2e-3 };

export function expectClose(got: ArrayLike<number>, ref: ArrayLike<number>, tol: Tolerance, what = 'values'): void {
  expect(got.length, `${what}: length`).to.equal(ref.length);
  const bad: string[] = [];
  let worst = 0;
  let worstAt = -1;
  let failures = 0;
  for (let i = 0; i < ref.length; i++) {
    const g = got[i] as number;
    const r = ref[i] as number;
    const diff = Math.abs(g - r);
    const ok = diff <= tol.atol + tol.rtol * Math.abs(r) || (Number.isNaN(g) && Number.isNaN(r));
    if (!(diff <= worst) && !Number.isNaN(diff)) {
      worst = diff;
      worstAt = i;
    }
    if (!ok) {
      failures++;
      if (bad.length < 5) bad.push(`[${i}] got ${g}, expected ${r}`);
    }
  }
  if (failures > 0) {
    expect.fail(`${what}: ${failures} of ${ref.length} outside atol ${tol.atol} + rtol ${tol.rtol}: ${bad.join('; ')}; largest difference ${worst} at [${worstAt}]`);
  }
}

export function expectScalarClose(got: number, ref: number, tol: Tolerance, what: string): void {
  expectClose([got], [ref], tol, what);
}
