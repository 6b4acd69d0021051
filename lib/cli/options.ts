/**
 * Parsers for option values, in commander's style: each returns the value or throws
 * InvalidArgumentError, which commander reports as "option '--epochs <n>' argument 'x' is
 * invalid. ..." with exit code 2. Numbers are decimals (data/decimal.ts), as in the CSV files:
 * Number() would take '0x10' for 16 and ' ' for 0.
 */
import { InvalidArgumentError } from 'commander';

import { parseDecimal } from '../data/decimal';

/**
 * The most units --layers gives one layer: 2^24 (16,777,216), far past any MLP a command line
 * trains. The parser says so in one line; a larger width would fail later, inside the library.
 */
const MAX_LAYER_UNITS = 2 ** 24;

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('Expected a positive integer.');
  return n;
}

export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('Expected an integer >= 0.');
  return n;
}

export function positiveNumber(value: string): number {
  const n = parseDecimal(value);
  if (!Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('Expected a decimal number > 0.');
  return n;
}

/** A fraction in [0, 1), as validationSplit takes. */
export function fraction(value: string): number {
  const n = parseDecimal(value);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError('Expected a decimal fraction from 0 up to (not including) 1.');
  return n;
}

/** Hidden layer widths: '256,128'; '' or 'none' for none. */
export function layerList(value: string): number[] {
  const text = value.trim();
  if (text === '' || text === 'none') return [];
  return text.split(',').map((part) => {
    const units = Number(part.trim());
    if (!/^\d+$/.test(part.trim()) || !Number.isSafeInteger(units) || units < 1) {
      throw new InvalidArgumentError(`Expected comma-separated positive integers such as 256,128 (or 'none'), but '${part.trim()}' is not one.`);
    }
    if (units > MAX_LAYER_UNITS) throw new InvalidArgumentError(`Expected at most ${MAX_LAYER_UNITS} units in a layer, but '${part.trim()}' is more.`);
    return units;
  });
}

/** Names, comma-separated: 'accuracy,auc'; '' or 'none' for none. */
export function nameList(value: string): string[] {
  const text = value.trim();
  if (text === '' || text === 'none') return [];
  return text.split(',').map((part) => {
    if (part.trim() === '') throw new InvalidArgumentError(`Expected comma-separated names such as accuracy,auc (or 'none'), but '${value}' has an empty one.`);
    return part.trim();
  });
}
