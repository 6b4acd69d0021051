/**
 * The largest things myelin accepts, in one place, so that the constructors, the loaders and the
 * README's "Limits" paragraph agree, and the checks against them. A size past one of these is
 * refused with an ArgumentRangeError (or a ModelFormatError for a file) that names the argument
 * and the memory it would take, before anything is allocated: not V8's "Array buffer allocation
 * failed" at the first predict, nor a crash in the kernels.
 */
import * as os from 'node:os';

import { ArgumentRangeError } from './errors';
import { describe, positiveInteger } from './validate';

/**
 * The most floats in one buffer: the kernels index rows and columns with 32-bit ints, so one
 * weight matrix, one arena and one batch's activations each stay below 2^31 floats (8 GiB).
 */
export const MAX_BUFFER_FLOATS = 2 ** 31 - 1;

/** The most bytes a model's or a call's buffers may take together: the machine's memory. */
export const MEMORY_BUDGET_BYTES = os.totalmem();

/** The most layers in one model: a loader's work grows with them, and no network needs more. */
export const MAX_LAYERS = 10_000;

/** The largest model file the loaders read (checked with fstat before reading). */
export const MAX_MODEL_FILE_BYTES = 4 * 2 ** 30;

/** The longest CSV text, after gunzip: V8's longest string (buffer.constants.MAX_STRING_LENGTH). */
export const MAX_CSV_BYTES = 0x1fffffe8;

/** The largest IDX file, after gunzip. */
export const MAX_IDX_BYTES = 2 * 2 ** 30;

/** The most requests one batch of serving.batcher gathers. */
export const MAX_BATCHER_BATCH = 65_536;

/** Bytes as a person reads them: '512 B', '3.8 MiB', '4.0 GiB'. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}

/** One buffer a model or a call would allocate: what it is and its floats. */
export interface Claim {
  readonly what: string;
  readonly floats: number;
}

const expectedText = `sizes whose buffers can be allocated (one buffer at most ${MAX_BUFFER_FLOATS} floats, ${formatBytes(MAX_BUFFER_FLOATS * 4)}; all together at most this machine's memory, ${formatBytes(MEMORY_BUDGET_BYTES)})`;

/** A size option (units, features): a positive integer that one buffer row can hold. */
export function sizeOption(value: unknown, argument: string): number {
  const size = positiveInteger(value, argument);
  if (size > MAX_BUFFER_FLOATS) throw new ArgumentRangeError({ argument, expected: `a positive integer of at most ${MAX_BUFFER_FLOATS}`, received: describe(value) });
  return size;
}

/**
 * Whether buffers of `totalFloats` floats, the largest `largestFloats`, fit beside `heldBytes`:
 * what checkClaims checks, for a caller that checks often and names the claims only on failure.
 */
export function claimsFit(largestFloats: number, totalFloats: number, heldBytes = 0): boolean {
  return largestFloats <= MAX_BUFFER_FLOATS && heldBytes + totalFloats * 4 <= MEMORY_BUDGET_BYTES;
}

/**
 * Throws unless every buffer claimed fits in one buffer and, with `heldBytes` already allocated
 * for the same purpose, all of them fit in memory. `received` says what the argument was.
 */
export function checkClaims(argument: string, received: string, claims: readonly Claim[], heldBytes = 0): void {
  const largest = claims.reduce<Claim | null>((top, c) => (top === null || c.floats > top.floats ? c : top), null);
  if (largest !== null && largest.floats > MAX_BUFFER_FLOATS) {
    throw new ArgumentRangeError({ argument, expected: expectedText, received: `${received}: ${largest.what} alone would take ${formatBytes(largest.floats * 4)}` });
  }
  const bytes = heldBytes + claims.reduce((sum, c) => sum + c.floats * 4, 0);
  if (bytes > MEMORY_BUDGET_BYTES) {
    throw new ArgumentRangeError({ argument, expected: expectedText, received: `${received}: ${claims.map((c) => c.what).join(', ')} would take ${formatBytes(bytes)}` });
  }
}

/**
 * Runs `allocate`; if V8 cannot allocate a buffer within the limits above (the memory is in use
 * elsewhere), the failure is the same ArgumentRangeError rather than a plain RangeError.
 */
export function allocating<T>(argument: string, received: string, what: string, allocate: () => T): T {
  try {
    return allocate();
  } catch (error) {
    if (error instanceof RangeError && /allocation failed|Invalid typed array length|Array buffer allocation/i.test(error.message)) {
      throw new ArgumentRangeError({ argument, expected: 'sizes whose buffers can be allocated now', received: `${received}: allocating ${what} failed (${error.message})` });
    }
    throw error;
  }
}
