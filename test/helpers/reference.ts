/**
 * Plain float64 references for every kernel: the oracle the native float32 code is checked
 * against. Written for clarity, straight from the formulas in native/kernels/*.cc.
 */
export type Act = 'linear' | 'relu' | 'sigmoid' | 'tanh' | 'softmax';

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

export function activationRef(z: ArrayLike<number>, rows: number, cols: number, act: Act): Float64Array {
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
    row.forEach((v, j) => {
      if (act === 'relu') row[j] = Math.max(v, 0);
      else if (act === 'sigmoid') row[j] = 1 / (1 + Math.exp(-v));
      else if (act === 'tanh') row[j] = Math.tanh(v);
    });
  }
  return y;
}

/** dL/dz from dL/dy and y = act(z). */
export function activationBackwardRef(dy: ArrayLike<number>, y: ArrayLike<number>, rows: number, cols: number, act: Act): Float64Array {
  const dz = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) {
    let dot = 0;
    for (let j = 0; j < cols; j++) dot += (dy[r * cols + j] as number) * (y[r * cols + j] as number);
    for (let j = 0; j < cols; j++) {
      const i = r * cols + j;
      const yi = y[i] as number;
      const g = dy[i] as number;
      dz[i] = act === 'linear' ? g : act === 'relu' ? (yi > 0 ? g : 0) : act === 'sigmoid' ? g * yi * (1 - yi) : act === 'tanh' ? g * (1 - yi * yi) : yi * (g - dot);
    }
  }
  return dz;
}

export type LossKind = 'meanSquaredError' | 'binaryCrossentropy' | 'categoricalCrossentropy' | 'sparseCategoricalCrossentropy';

const EPS = 1e-7;
const clip = (p: number): number => Math.min(Math.max(p, EPS), 1 - EPS);

/** Batch-mean loss on outputs p (n,c), as Keras defines each; labels (n,c), or (n) indices when sparse. */
export function lossRef(kind: LossKind, p: ArrayLike<number>, t: ArrayLike<number>, n: number, c: number): number {
  let total = 0;
  if (kind === 'meanSquaredError') {
    for (let i = 0; i < n * c; i++) total += ((p[i] as number) - (t[i] as number)) ** 2;
    return total / (n * c);
  }
  if (kind === 'binaryCrossentropy') {
    for (let i = 0; i < n * c; i++) {
      const q = clip(p[i] as number);
      const ti = t[i] as number;
      total -= ti * Math.log(q) + (1 - ti) * Math.log(1 - q);
    }
    return total / (n * c);
  }
  for (let r = 0; r < n; r++) {
    let sum = 0;
    for (let j = 0; j < c; j++) sum += p[r * c + j] as number;
    for (let j = 0; j < c; j++) {
      const target = kind === 'sparseCategoricalCrossentropy' ? (t[r] === j ? 1 : 0) : (t[r * c + j] as number);
      total -= target * Math.log(clip((p[r * c + j] as number) / sum));
    }
  }
  return total / n;
}

/** A Dense layer's parameters and activation, in float64. */
export interface RefLayer {
  readonly w: Float64Array; // (k, m)
  readonly b: Float64Array; // (m)
  readonly k: number;
  readonly m: number;
  readonly act: Act;
}

export function denseRef(x: ArrayLike<number>, layer: RefLayer, n: number): Float64Array {
  const z = gemmRef([], x, layer.w, n, layer.m, layer.k, false, false, 1, 0);
  for (let r = 0; r < n; r++) for (let j = 0; j < layer.m; j++) z[r * layer.m + j] = (z[r * layer.m + j] as number) + (layer.b[j] as number);
  return activationRef(z, n, layer.m, layer.act);
}

/** The loss of a whole MLP on (x, t), all in float64. */
export function mlpLossRef(layers: readonly RefLayer[], x: ArrayLike<number>, t: ArrayLike<number>, n: number, kind: LossKind): number {
  let h: ArrayLike<number> = x;
  for (const layer of layers) h = denseRef(h, layer, n);
  return lossRef(kind, h, t, n, (layers[layers.length - 1] as RefLayer).m);
}
