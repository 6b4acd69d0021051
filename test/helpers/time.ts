/**
 * Time limits of tests that start child processes or wait on real work, scaled for slower
 * machines: MYELIN_TEST_TIME_SCALE (a positive number, 1 by default) multiplies them.
 * scripts/test-arm64.sh sets it for the suite under qemu-user, which runs 10-20x slower than
 * native code.
 */
const requested = Number(process.env['MYELIN_TEST_TIME_SCALE']);
const scale = Number.isFinite(requested) && requested > 0 ? requested : 1;

/** ms, times MYELIN_TEST_TIME_SCALE. */
export function timeLimit(ms: number): number {
  return ms * scale;
}
