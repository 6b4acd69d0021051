/**
 * The one seedable source of randomness: initializers, shuffling and the random layers (dropout,
 * noise) draw from it, so `seed(n)` makes a whole training run reproducible. xoshiro128**
 * (Blackman & Vigna, 2018) seeded through splitmix32: fast, 2^128 - 1 period, and good enough
 * statistics for initialization, shuffling and masks (this is not a cryptographic generator).
 * The generator's four words live in a Uint32Array that the native fills (native/kernels/random.h)
 * advance in place, so JS draws and native draws are one stream.
 */
import { native } from './backend';
import { now, type Kernels } from './core/kernels';
import { ArgumentRangeError, ArgumentTypeError } from './errors';
import { describe, FINITE, knownOptions, nonNegativeInteger, numberIn, plainObject } from './validate';

/** The largest finite float32: the native fills take float parameters. */
const FLOAT_MAX = 3.4028234663852886e38;

/** A generator's state as plain JSON: getState() gives it, setState() takes it. */
export interface RandomState {
  /** xoshiro128** s0..s3, unsigned 32-bit integers, not all 0. */
  readonly words: readonly number[];
  /** The second value of a Box-Muller pair not yet drawn, or null. */
  readonly spareNormal: number | null;
}

export class Random {
  /** xoshiro128** state s0..s3, shared with the native fills. */
  readonly state = new Uint32Array(4);
  /** The second value of the last Box-Muller pair, or NaN when none is waiting. */
  private spareNormal = NaN;

  constructor(seed: number) {
    this.reseed(seed);
  }

  reseed(seed: number): void {
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9e3779b9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    for (let i = 0; i < 4; i++) this.state[i] = next();
    this.spareNormal = NaN;
  }

  /**
   * Everything the next draws depend on: the four words and the waiting Box-Muller value (null
   * when none waits). setState(getState()) later replays the same stream: a resumed run uses it.
   */
  getState(): RandomState {
    return { words: Array.from(this.state), spareNormal: Number.isNaN(this.spareNormal) ? null : this.spareNormal };
  }

  setState(value: RandomState): void {
    const options = plainObject(value, 'random state');
    knownOptions(options, 'random state', ['words', 'spareNormal']);
    const words = options['words'];
    if (!Array.isArray(words) || words.length !== 4) {
      throw new ArgumentTypeError({ argument: 'random state words', expected: 'an array of 4 unsigned 32-bit integers', received: describe(words) });
    }
    const checked = words.map((w: unknown, i) => integerIn(w, `random state words[${i}]`, 0, 4294967295));
    // xoshiro's all-zero state is a fixed point: the generator would draw 0 forever.
    if (checked.every((w) => w === 0)) {
      throw new ArgumentRangeError({ argument: 'random state words', expected: 'words not all 0', received: '[0, 0, 0, 0]' });
    }
    const spare = options['spareNormal'] ?? null;
    const spareNormal = spare === null ? NaN : numberIn(spare, 'random state spareNormal', FINITE);
    this.state.set(checked);
    this.spareNormal = spareNormal;
  }

  /** A uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const s = this.state;
    const s0 = s[0] as number;
    const s1 = s[1] as number;
    const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
    const s2 = (s[2] as number) ^ s0;
    const s3 = (s[3] as number) ^ s1;
    s[0] = s0 ^ s3;
    s[1] = s1 ^ s2;
    s[2] = s2 ^ (s1 << 9);
    s[3] = rotl(s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Standard normal, by the Box-Muller transform. */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const spare = this.spareNormal;
      this.spareNormal = NaN;
      return spare;
    }
    const u1 = 1 - this.uniform(); // in (0, 1]: log(0) never happens
    const u2 = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u1));
    this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    return r * Math.cos(2 * Math.PI * u2);
  }

  /** A uniform integer in [0, n), without modulo bias. */
  integer(n: number): number {
    const limit = 4294967296 - (4294967296 % n);
    let x = this.nextUint32();
    while (x >= limit) x = this.nextUint32();
    return x % n;
  }

  /** Fisher-Yates shuffle in place, j uniform by integer()'s rejection (native/kernels/random.h). */
  shuffle(values: Uint32Array): void {
    native.randomShuffle(this.state, values);
  }

  // Each fill is a kernel call over the generator's state, which the kernel advances: `k` runs it
  // now, or adds it to a plan (lib/core/kernels.ts), whose every run then draws afresh.

  /** dst uniform in [low, high), from 24-bit draws (native/kernels/random.h fill_uniform). */
  fillUniform<S extends number>(dst: Float32Array, low: number, high: number, k: Kernels<S> = now.k as Kernels<S>): void {
    floatArray(dst, 'dst');
    const lo = numberIn(low, 'low', { min: -FLOAT_MAX, max: FLOAT_MAX });
    k.randomFillUniform(this.state, dst, lo, numberIn(high, 'high', { min: lo, max: FLOAT_MAX }));
  }

  /** dst ~ N(mean, stddev^2), by Box-Muller in native code. */
  fillNormal<S extends number>(dst: Float32Array, mean: number, stddev: number, k: Kernels<S> = now.k as Kernels<S>): void {
    floatArray(dst, 'dst');
    const mu = numberIn(mean, 'mean', { min: -FLOAT_MAX, max: FLOAT_MAX });
    k.randomFillNormal(this.state, dst, mu, numberIn(stddev, 'stddev', { min: 0, max: FLOAT_MAX }));
  }

  /** Inverted dropout: each dst[i] is 1 / (1 - rate) with probability 1 - rate, else 0. */
  fillDropoutMask<S extends number>(dst: Float32Array, rate: number, k: Kernels<S> = now.k as Kernels<S>): void {
    floatArray(dst, 'dst');
    k.randomFillDropoutMask(this.state, dst, numberIn(rate, 'rate', { min: 0, max: 1, maxInclusive: false }));
  }
}

function floatArray(value: unknown, argument: string): void {
  if (!(value instanceof Float32Array)) {
    throw new ArgumentTypeError({ argument, expected: 'a Float32Array', received: describe(value) });
  }
}

function integerIn(value: unknown, argument: string, min: number, max: number): number {
  const expected = `an integer in [${min}, ${max}]`;
  if (typeof value !== 'number') throw new ArgumentTypeError({ argument, expected, received: describe(value) });
  if (!Number.isInteger(value) || value < min || value > max) throw new ArgumentRangeError({ argument, expected, received: describe(value) });
  return value;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

/** The generator every part of myelin draws from. Unseeded runs start from a random seed. */
export const globalRandom = new Random((Math.random() * 4294967296) >>> 0);

/** Makes initialization, shuffling, dropout masks and noise reproducible from here on. */
export function seed(n: number): void {
  globalRandom.reseed(nonNegativeInteger(n, 'seed'));
}

/** Fills dst from the global stream, uniform in [low, high); through `k` (now by default). */
export function fillUniform<S extends number>(dst: Float32Array, low: number, high: number, k?: Kernels<S>): void {
  globalRandom.fillUniform(dst, low, high, k);
}

/** Fills dst from the global stream with N(mean, stddev^2) samples; through `k` (now by default). */
export function fillNormal<S extends number>(dst: Float32Array, mean: number, stddev: number, k?: Kernels<S>): void {
  globalRandom.fillNormal(dst, mean, stddev, k);
}

/** Fills dst from the global stream with an inverted-dropout mask: 1 / (1 - rate) or 0; through `k` (now by default). */
export function fillDropoutMask<S extends number>(dst: Float32Array, rate: number, k?: Kernels<S>): void {
  globalRandom.fillDropoutMask(dst, rate, k);
}
