// Synthetic inputs from a fixed-seed generator, so every implementation trains on the same
// bytes and two runs of the bench do the same work. Contents do not matter for speed; NaN
// or denormals would, so values are plain uniform floats.

/** mulberry32: a tiny, well-mixed 32-bit generator; returns floats in [0, 1). */
export function makeRng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `length` floats uniform in [lo, hi). */
export function uniform(length: number, seed: number, lo = 0, hi = 1): Float32Array {
  const rng = makeRng(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = lo + (hi - lo) * rng();
  return out;
}

/** A classification set: x is (samples, inputDim) in [0, 1), labels are class indices stored as floats. */
export interface Dataset {
  readonly x: Float32Array;
  readonly labels: Float32Array;
  readonly samples: number;
  readonly inputDim: number;
  readonly classes: number;
}

export function syntheticClassification(samples: number, inputDim: number, classes: number, seed: number): Dataset {
  const x = uniform(samples * inputDim, seed);
  const rng = makeRng(seed + 1);
  const labels = new Float32Array(samples);
  for (let i = 0; i < samples; i++) labels[i] = Math.floor(rng() * classes);
  return { x, labels, samples, inputDim, classes };
}
