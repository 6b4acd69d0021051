/**
 * Float64 references for per-feature normalization (native/kernels/batch_norm.cc), shared by
 * the kernel tests and the whole-model gradient checks. x is (n, u) row-major.
 */

export interface BatchNormTrainRef {
  y: Float64Array;
  xhat: Float64Array;
  invStd: Float64Array;
  mean: Float64Array;
  /** Biased batch variance. */
  variance: Float64Array;
}

/** Training mode: batch mean and biased variance, y = gamma (x - mean) / sqrt(var + eps) + beta. */
export function batchNormTrainRef(x: ArrayLike<number>, gamma: ArrayLike<number> | null, beta: ArrayLike<number> | null, epsilon: number, n: number, u: number): BatchNormTrainRef {
  const out = { y: new Float64Array(n * u), xhat: new Float64Array(n * u), invStd: new Float64Array(u), mean: new Float64Array(u), variance: new Float64Array(u) };
  for (let j = 0; j < u; j++) {
    let sum = 0;
    for (let i = 0; i < n; i++) sum += x[i * u + j] as number;
    const mean = sum / n;
    let squares = 0;
    for (let i = 0; i < n; i++) squares += ((x[i * u + j] as number) - mean) ** 2;
    const variance = squares / n;
    const inv = 1 / Math.sqrt(variance + epsilon);
    out.mean[j] = mean;
    out.variance[j] = variance;
    out.invStd[j] = inv;
    for (let i = 0; i < n; i++) {
      const h = ((x[i * u + j] as number) - mean) * inv;
      out.xhat[i * u + j] = h;
      out.y[i * u + j] = (gamma === null ? 1 : (gamma[j] as number)) * h + (beta === null ? 0 : (beta[j] as number));
    }
  }
  return out;
}

/** Inference mode: y = gamma (x - movingMean) / sqrt(movingVar + eps) + beta. */
export function batchNormInferRef(x: ArrayLike<number>, gamma: ArrayLike<number> | null, beta: ArrayLike<number> | null, movingMean: ArrayLike<number>, movingVar: ArrayLike<number>, epsilon: number, n: number, u: number): Float64Array {
  const y = new Float64Array(n * u);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < u; j++) {
      const h = ((x[i * u + j] as number) - (movingMean[j] as number)) / Math.sqrt((movingVar[j] as number) + epsilon);
      y[i * u + j] = (gamma === null ? 1 : (gamma[j] as number)) * h + (beta === null ? 0 : (beta[j] as number));
    }
  }
  return y;
}
