/** Deterministic test data: the library's generator with a fixed seed per call site. */
import { Random } from '../../lib/random';

export function randomArray(length: number, seed: number, scale = 1): Float32Array {
  const rng = new Random(seed);
  const out = new Float32Array(length);
  for (let i = 0; i < length; i++) out[i] = (2 * rng.uniform() - 1) * scale;
  return out;
}

export function randomClasses(length: number, classes: number, seed: number): Float32Array {
  const rng = new Random(seed);
  return Float32Array.from({ length }, () => rng.integer(classes));
}

export function oneHot(classes: Float32Array, width: number): Float32Array {
  const out = new Float32Array(classes.length * width);
  classes.forEach((c, i) => (out[i * width + c] = 1));
  return out;
}
