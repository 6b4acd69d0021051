/** Central finite differences in float64: the reference every backward is checked against. */

/** d f / d x_i for every i, with step h; x is perturbed in place and restored. */
export function finiteDifferences(f: () => number, x: Float64Array, h = 1e-6): Float64Array {
  const grad = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const saved = x[i] as number;
    x[i] = saved + h;
    const up = f();
    x[i] = saved - h;
    const down = f();
    x[i] = saved;
    grad[i] = (up - down) / (2 * h);
  }
  return grad;
}
