/**
 * Every check of user input goes through here, so every message has one shape:
 * "Expected a positive integer for batchSize but received 2.5 (number)".
 */
import { native } from './backend';
import { ArgumentRangeError, ArgumentTypeError } from './errors';

/** A short description of any value, for the "received" half of a message. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (value === undefined) return 'undefined';
  if (typeof value === 'number') return `${value} (number)`;
  if (typeof value === 'string') return `'${value.length > 40 ? value.slice(0, 40) + '…' : value}' (string)`;
  if (typeof value === 'boolean') return `${value} (boolean)`;
  if (typeof value === 'function') return 'a function';
  if (ArrayBuffer.isView(value)) {
    const ctor = (value as { constructor: { name: string } }).constructor.name;
    return `${ctor} of length ${(value as unknown as ArrayLike<unknown>).length}`;
  }
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'object') {
    const ctor = (value as { constructor?: { name?: string } }).constructor?.name;
    return ctor !== undefined && ctor !== 'Object' ? `a ${ctor}` : 'an object';
  }
  return typeof value;
}

function integerAtLeast(value: unknown, argument: string, min: number, expected: string): number {
  if (typeof value !== 'number') throw new ArgumentTypeError({ argument, expected, received: describe(value) });
  if (!Number.isInteger(value) || value < min) throw new ArgumentRangeError({ argument, expected, received: describe(value) });
  return value;
}

export function positiveInteger(value: unknown, argument: string): number {
  return integerAtLeast(value, argument, 1, 'a positive integer');
}

export function nonNegativeInteger(value: unknown, argument: string): number {
  return integerAtLeast(value, argument, 0, 'a non-negative integer');
}

export interface Interval {
  readonly min: number;
  readonly max: number;
  /** Whether min itself is allowed (default true). */
  readonly minInclusive?: boolean;
  /** Whether max itself is allowed (default true). */
  readonly maxInclusive?: boolean;
}

function intervalText({ min, max, minInclusive = true, maxInclusive = true }: Interval): string {
  if (min === -Infinity && max === Infinity) return 'a finite number';
  if (max === Infinity) return minInclusive ? `a number >= ${min}` : `a number > ${min}`;
  return `a number in ${minInclusive ? '[' : '('}${min}, ${max}${maxInclusive ? ']' : ')'}`;
}

export function numberIn(value: unknown, argument: string, interval: Interval): number {
  const expected = intervalText(interval);
  if (typeof value !== 'number') {
    throw new ArgumentTypeError({ argument, expected, received: describe(value) });
  }
  const { min, max, minInclusive = true, maxInclusive = true } = interval;
  const aboveMin = minInclusive ? value >= min : value > min;
  const belowMax = maxInclusive ? value <= max : value < max;
  if (Number.isNaN(value) || !aboveMin || !belowMax) {
    throw new ArgumentRangeError({ argument, expected, received: describe(value) });
  }
  return value;
}

/** The largest float32, and the smallest positive one at full precision (normal). */
export const FLOAT32_MAX = 3.4028234663852886e38;
export const FLOAT32_MIN_NORMAL = 1.1754943508222875e-38;

/**
 * numberIn for an option the kernels use as a float32: the value must also survive the
 * conversion, so 1e300 (Infinity in float32), 1e-50 (0) and 0.9999999999 as a rate below 1 (1)
 * are refused here rather than silently changing the arithmetic.
 */
export function float32In(value: unknown, argument: string, interval: Interval): number {
  const checked = numberIn(value, argument, interval);
  const single = Math.fround(checked);
  const fail = (what: string): never => {
    throw new ArgumentRangeError({ argument, expected: `${intervalText(interval)} that float32 can hold (${what})`, received: `${describe(value)}, which is ${single} in float32` });
  };
  if (!Number.isFinite(single)) fail(`magnitude at most ${FLOAT32_MAX.toPrecision(5)}`);
  if (checked !== 0 && Math.abs(single) < FLOAT32_MIN_NORMAL) fail(`0, or a magnitude of at least ${FLOAT32_MIN_NORMAL.toPrecision(5)}`);
  try {
    numberIn(single, argument, interval);
  } catch {
    fail('after rounding to float32');
  }
  return checked;
}

/** Every finite number: for offsets, means and bounds that may take any sign. */
export const FINITE: Interval = { min: -Infinity, max: Infinity, minInclusive: false, maxInclusive: false };

export function finiteNumber(value: unknown, argument: string): number {
  return numberIn(value, argument, FINITE);
}

export function boolean(value: unknown, argument: string): boolean {
  if (typeof value !== 'boolean') {
    throw new ArgumentTypeError({ argument, expected: 'a boolean', received: describe(value) });
  }
  return value;
}

export function functionValue<F extends (...args: never[]) => unknown>(value: unknown, argument: string): F {
  if (typeof value !== 'function') {
    throw new ArgumentTypeError({ argument, expected: 'a function', received: describe(value) });
  }
  return value as F;
}

export function plainObject(value: unknown, argument: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) {
    throw new ArgumentTypeError({ argument, expected: 'an object', received: describe(value) });
  }
  return value as Record<string, unknown>;
}

/** Lower-cased with separators removed: 'categorical_crossentropy' and 'categoricalCrossentropy' meet. */
function loose(name: string): string {
  return name.toLowerCase().replace(/[_\-\s]/g, '');
}

/** A suggestion for a near miss, in better-sqlite3's manner: 'Did you mean "relu"?'. */
export function suggestion(value: string, known: readonly string[]): string | undefined {
  const match = known.find((k) => loose(k) === loose(value));
  return match === undefined ? undefined : `Did you mean '${match}'?`;
}

/** A string that must be one of `known`; a near miss gets a suggestion. */
export function oneOf<T extends string>(value: unknown, argument: string, known: readonly T[]): T {
  const expected = `one of ${known.map((k) => `'${k}'`).join(', ')}`;
  if (typeof value !== 'string') {
    throw new ArgumentTypeError({ argument, expected, received: describe(value) });
  }
  if (!(known as readonly string[]).includes(value)) {
    throw new ArgumentRangeError({ argument, expected, received: describe(value) }, suggestion(value, known));
  }
  return value as T;
}

/** Rejects options nobody reads, so a misspelled option does not silently do nothing. */
export function knownOptions(options: Record<string, unknown>, argument: string, known: readonly string[]): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new ArgumentRangeError(
        { argument: `${argument}.${key}`, expected: `one of the options ${known.join(', ')}`, received: `an unknown option '${key}'` },
        suggestion(key, known),
      );
    }
  }
}

/**
 * Throws at the first NaN or infinite element, naming its index. The common case (all finite)
 * is one native pass: a sum of squares in double is finite exactly when every float32 is.
 */
export function finiteValues(data: Float32Array, argument: string): void {
  if (Number.isFinite(native.sumOfSquares(data))) return;
  const index = data.findIndex((v) => !Number.isFinite(v));
  throw new ArgumentRangeError({ argument, expected: 'finite numbers', received: `${data[index]} at flat index ${index}` });
}
