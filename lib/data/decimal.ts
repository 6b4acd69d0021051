/**
 * Numbers as people write them in data files and on command lines: decimals only. JavaScript's
 * Number() also reads '0x10' as 16, '0b11' as 3, '' as 0 and 'Infinity', which no CSV writer
 * means; here those are not numbers.
 */

/** An optional sign, digits with an optional fraction (or a fraction alone), an optional exponent. */
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** The value of `text` (surrounding white space ignored) when it is a decimal number, else NaN. */
export function parseDecimal(text: string): number {
  const trimmed = text.trim();
  return DECIMAL.test(trimmed) ? Number(trimmed) : NaN;
}
