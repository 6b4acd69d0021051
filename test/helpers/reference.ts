/**
 * Plain float64 references for every kernel: the oracle the native float32 code is checked
 * against. Written for clarity, straight from the formulas in native/kernels/*.cc.
 */
import { defaultAlpha, type ActivationName } from '../../lib/activations';

export type Act = ActivationName;

/** C = alpha * op(A) op(B) + beta * C0, with A stored (m,k) or (k,m) when transA, B (k,n) or (n,k). */
export function gemmRef(c0: ArrayLike<number>, a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number, transA: boolean, transB: boolean, alpha: number, beta: number): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let sum = 0;
      for (let p = 0; p < k; p++) {
        const av = transA ? (a[p * m + i] as number) : (a[i * k + p] as number);
        const bv = transB ? (b[j * k + p] as number) : (b[p * n + j] as number);
        sum += av * bv;
      }
      out[i * n + j] = alpha * sum + (beta === 0 ? 0 : beta * (c0[i * n + j] as number));
    }
  }
  return out;
}

/**
 * erf in float64 from the series 2/sqrt(pi) e^(-x^2) sum_n 2^n x^(2n+1) / (1 * 3 * ... * (2n+1)),
 * whose terms are all positive (no cancellation); 1 - erf(6) = 2e-17, so +-1 past |x| = 6.
 */
export function erf(x: number): number {
  const a = Math.abs(x);
  if (Number.isNaN(x) || a >= 6) return Math.sign(x);
  let term = a;
  let sum = a;
  for (let n = 1; term > 1e-17 * sum; n++) {
    term *= (2 * a * a) / (2 * n + 1);
    sum += term;
  }
  return Math.sign(x) * (2 / Math.sqrt(Math.PI)) * Math.exp(-a * a) * sum;
}

const SELU_ALPHA = 1.6732632423543772;
const SELU_SCALE = 1.0507009873554805;
const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
const geluTanhInner = (v: number): number => Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3);

/** act(z) for one element (every activation but softmax), as Keras and TensorFlow.js define it. */
function activationOne(v: number, act: Act, alpha: number): number {
  switch (act) {
    case 'linear': case 'softmax': return v;
    case 'relu': return v > 0 ? v : 0;
    case 'relu6': return Math.min(Math.max(v, 0), 6);
    case 'sigmoid': return sigmoid(v);
    case 'hardSigmoid': return Math.min(Math.max(0.2 * v + 0.5, 0), 1);
    case 'tanh': return Math.tanh(v);
    case 'hardTanh': return Math.min(Math.max(v, -1), 1);
    case 'sign': return v > 0 ? 1 : v < 0 ? -1 : 0;
    case 'leakyRelu': return v > 0 ? v : alpha * v;
    case 'elu': return v > 0 ? v : alpha * Math.expm1(v);
    case 'selu': return SELU_SCALE * (v > 0 ? v : SELU_ALPHA * Math.expm1(v));
    case 'gelu': return 0.5 * v * (1 + erf(v / Math.SQRT2));
    case 'geluTanh': return 0.5 * v * (1 + Math.tanh(geluTanhInner(v)));
    case 'softplus': return Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
    case 'softsign': return v / (1 + Math.abs(v));
    case 'swish': return v * sigmoid(v);
  }
}

/**
 * d act / dz at one element, from z. At a kink, the side z <= 0 (relu'(0) = 0), as TensorFlow; sign
 * has the straight-through derivative 1.
 */
function derivativeOne(v: number, act: Act, alpha: number): number {
  switch (act) {
    case 'linear': case 'sign': case 'softmax': return 1;
    case 'relu': return v > 0 ? 1 : 0;
    case 'relu6': return v > 0 && v < 6 ? 1 : 0;
    case 'sigmoid': return sigmoid(v) * (1 - sigmoid(v));
    case 'hardSigmoid': return v > -2.5 && v < 2.5 ? 0.2 : 0;
    case 'tanh': return 1 - Math.tanh(v) ** 2;
    case 'hardTanh': return v > -1 && v < 1 ? 1 : 0;
    case 'leakyRelu': return v > 0 ? 1 : alpha;
    case 'elu': return v > 0 ? 1 : alpha * Math.exp(v);
    case 'selu': return v > 0 ? SELU_SCALE : SELU_SCALE * SELU_ALPHA * Math.exp(v);
    case 'gelu': return 0.5 * (1 + erf(v / Math.SQRT2)) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI);
    case 'geluTanh': {
      const t = Math.tanh(geluTanhInner(v));
      return 0.5 * (1 + t) + 0.5 * v * (1 - t * t) * Math.sqrt(2 / Math.PI) * (1 + 3 * 0.044715 * v * v);
    }
    case 'softplus': return sigmoid(v);
    case 'softsign': return 1 / (1 + Math.abs(v)) ** 2;
    case 'swish': return sigmoid(v) * (1 + v * (1 - sigmoid(v)));
  }
}

/** y = act(z) over rows of cols; softmax over each row. alpha as the kernels take it. */
export function activationRef(z: ArrayLike<number>, rows: number, cols: number, act: Act, alpha = defaultAlpha(act)): Float64Array {
  const y = Float64Array.from(z);
  for (let r = 0; r < rows; r++) {
    const row = y.subarray(r * cols, (r + 1) * cols);
    if (act === 'softmax') {
      const max = Math.max(...row);
      let sum = 0;
      row.forEach((v, j) => {
        row[j] = Math.exp(v - max);
        sum += row[j] as number;
      });
      row.forEach((v, j) => (row[j] = v / sum));
      continue;
    }
    row.forEach((v, j) => (row[j] = activationOne(v, act, alpha)));
  }
  return y;
}

/** dL/dz from dL/dy and the pre-activation z (the exact derivative, not one read from a float32 y). */
export function activationBackwardRef(dy: ArrayLike<number>, z: ArrayLike<number>, rows: number, cols: number, act: Act, alpha = defaultAlpha(act)): Float64Array {
  const dz = new Float64Array(rows * cols);
  if (act === 'softmax') {
    const y = activationRef(z, rows, cols, act);
    for (let r = 0; r < rows; r++) {
      let dot = 0;
      for (let j = 0; j < cols; j++) dot += (dy[r * cols + j] as number) * (y[r * cols + j] as number);
      for (let j = 0; j < cols; j++) dz[r * cols + j] = (y[r * cols + j] as number) * ((dy[r * cols + j] as number) - dot);
    }
    return dz;
  }
  for (let i = 0; i < rows * cols; i++) dz[i] = (dy[i] as number) * derivativeOne(z[i] as number, act, alpha);
  return dz;
}

export type LossKind =
  | 'meanSquaredError'
  | 'meanAbsoluteError'
  | 'huber'
  | 'logCosh'
  | 'binaryCrossentropy'
  | 'categoricalCrossentropy'
  | 'sparseCategoricalCrossentropy'
  | 'hinge'
  | 'squaredHinge'
  | 'kullbackLeiblerDivergence';

export interface LossOptions {
  /** One weight per sample; all 1 when absent. */
  readonly weights?: ArrayLike<number> | null;
  /** For the cross-entropies. */
  readonly labelSmoothing?: number;
  /** For huber (default 1). */
  readonly delta?: number;
}

/** Keras clips probabilities in float32: to [fround(1e-7), fround(1 - 1e-7)]. */
const EPS = Math.fround(1e-7);
const HIGH = Math.fround(1 - 1e-7);
const clip = (p: number, high = HIGH): number => Math.min(Math.max(p, EPS), high);
const softplus = (x: number): number => Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));

/** The target of output j of sample r after label smoothing: categorical (1-s) t + s/c, binary (1-s) t + s/2. */
function target(kind: LossKind, t: ArrayLike<number>, r: number, j: number, c: number, s: number): number {
  if (kind === 'sparseCategoricalCrossentropy') return (1 - s) * (t[r] === j ? 1 : 0) + s / c;
  const raw = t[r * c + j] as number;
  if (kind === 'categoricalCrossentropy') return (1 - s) * raw + s / c;
  if (kind === 'binaryCrossentropy') return (1 - s) * raw + s / 2;
  return raw;
}

/** sum_r w_r L_r / n, Keras's default reduction, from per-sample losses. */
function reduce(n: number, options: LossOptions, sampleLoss: (r: number) => number): number {
  let total = 0;
  for (let r = 0; r < n; r++) total += (options.weights?.[r] ?? 1) * sampleLoss(r);
  return n > 0 ? total / n : 0;
}

/**
 * The loss on outputs p (n,c), as Keras defines each: per sample the mean over outputs
 * (elementwise losses) or the sum over classes (categorical cross-entropies, KL divergence),
 * then weighted and divided by n. labels are (n,c), or (n) indices when sparse.
 */
export function lossRef(kind: LossKind, p: ArrayLike<number>, t: ArrayLike<number>, n: number, c: number, options: LossOptions = {}): number {
  const s = options.labelSmoothing ?? 0;
  const delta = options.delta ?? 1;
  let zeroOne = true; // hinge losses map targets given all in {0, 1} to {-1, 1}
  for (let i = 0; i < n * c; i++) zeroOne &&= t[i] === 0 || t[i] === 1;
  const elementwise = (f: (x: number, y: number) => number) => (r: number) => {
    let sum = 0;
    for (let j = 0; j < c; j++) sum += f(p[r * c + j] as number, target(kind, t, r, j, c, s));
    return sum / c;
  };
  switch (kind) {
    case 'meanSquaredError':
      return reduce(n, options, elementwise((x, y) => (x - y) ** 2));
    case 'meanAbsoluteError':
      return reduce(n, options, elementwise((x, y) => Math.abs(x - y)));
    case 'huber':
      return reduce(n, options, elementwise((x, y) => (Math.abs(x - y) <= delta ? 0.5 * (x - y) ** 2 : delta * Math.abs(x - y) - 0.5 * delta * delta)));
    case 'logCosh':
      return reduce(n, options, elementwise((x, y) => Math.log(Math.cosh(x - y))));
    case 'hinge':
      return reduce(n, options, elementwise((x, y) => Math.max(1 - (zeroOne ? 2 * y - 1 : y) * x, 0)));
    case 'squaredHinge':
      return reduce(n, options, elementwise((x, y) => Math.max(1 - (zeroOne ? 2 * y - 1 : y) * x, 0) ** 2));
    case 'binaryCrossentropy':
      return reduce(n, options, elementwise((x, y) => -(y * Math.log(clip(x)) + (1 - y) * Math.log(1 - clip(x)))));
    case 'kullbackLeiblerDivergence':
      return reduce(n, options, (r) => {
        let sum = 0;
        for (let j = 0; j < c; j++) {
          const y = clip(t[r * c + j] as number, 1);
          sum += y * Math.log(y / clip(p[r * c + j] as number, 1));
        }
        return sum;
      });
    case 'categoricalCrossentropy':
    case 'sparseCategoricalCrossentropy':
      return reduce(n, options, (r) => {
        let total = 0;
        for (let j = 0; j < c; j++) total += p[r * c + j] as number;
        let sum = 0;
        // A row of zeros renormalizes to zeros (then clipped), not to 0/0: the kernel never makes NaN from probabilities.
        for (let j = 0; j < c; j++) sum -= target(kind, t, r, j, c, s) * Math.log(clip(total > 0 ? (p[r * c + j] as number) / total : 0));
        return sum;
      });
  }
}

/**
 * A cross-entropy from logits z (n,c), computed stably in float64 (log-softmax; softplus for the
 * sigmoid): the reference of the fused kernels, for any logits.
 */
export function logitsLossRef(kind: 'binaryCrossentropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy', z: ArrayLike<number>, t: ArrayLike<number>, n: number, c: number, options: LossOptions = {}): number {
  const s = options.labelSmoothing ?? 0;
  return reduce(n, options, (r) => {
    const row = Array.from({ length: c }, (_, j) => z[r * c + j] as number);
    let sum = 0;
    if (kind === 'binaryCrossentropy') {
      row.forEach((v, j) => {
        const y = target(kind, t, r, j, c, s);
        sum += y * softplus(-v) + (1 - y) * softplus(v);
      });
      return sum / c;
    }
    const max = Math.max(...row);
    const logSum = max + Math.log(row.reduce((acc, v) => acc + Math.exp(v - max), 0));
    row.forEach((v, j) => (sum += target(kind, t, r, j, c, s) * (logSum - v)));
    return sum;
  });
}

/** A Dense layer's parameters and activation, in float64. */
export interface RefLayer {
  readonly w: Float64Array; // (k, m)
  readonly b: Float64Array; // (m)
  readonly k: number;
  readonly m: number;
  readonly act: Act;
}

/** z = x W + b, the pre-activation. */
export function denseLinearRef(x: ArrayLike<number>, layer: RefLayer, n: number): Float64Array {
  const z = gemmRef([], x, layer.w, n, layer.m, layer.k, false, false, 1, 0);
  for (let r = 0; r < n; r++) for (let j = 0; j < layer.m; j++) z[r * layer.m + j] = (z[r * layer.m + j] as number) + (layer.b[j] as number);
  return z;
}

export function denseRef(x: ArrayLike<number>, layer: RefLayer, n: number): Float64Array {
  return activationRef(denseLinearRef(x, layer, n), n, layer.m, layer.act);
}

/** The loss of a whole MLP on (x, t), all in float64. */
export function mlpLossRef(layers: readonly RefLayer[], x: ArrayLike<number>, t: ArrayLike<number>, n: number, kind: LossKind): number {
  let h: ArrayLike<number> = x;
  for (const layer of layers) h = denseRef(h, layer, n);
  return lossRef(kind, h, t, n, (layers[layers.length - 1] as RefLayer).m);
}
