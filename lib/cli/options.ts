/**
 * Parsers for option values, in commander's style: each returns the value or throws
 * InvalidArgumentError, which commander reports as "option '--epochs <n>' argument 'x' is
 * invalid. ..." with exit code 2.
 */
import { InvalidArgumentError } from 'commander';

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
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('Expected a number > 0.');
  return n;
}

/** A fraction in [0, 1), as validationSplit takes. */
export function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !(n >= 0 && n < 1)) throw new InvalidArgumentError('Expected a fraction from 0 up to (not including) 1.');
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
    return units;
  });
}
