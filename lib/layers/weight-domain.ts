/**
 * The values a weight may hold beyond being finite, declared by the layer that owns it on its
 * ParamSpec (a variance is 'nonNegative': a negative one makes predict() return NaN). The rule is
 * checked wherever values come from outside the layer's own arithmetic: a model file's body (the
 * reader) and model.setWeights().
 */
import { ArgumentRangeError } from '../errors';

export type WeightDomain = 'nonNegative';

const rules: Record<WeightDomain, { readonly expected: string; readonly holds: (value: number) => boolean }> = {
  nonNegative: { expected: 'numbers >= 0', holds: (value) => value >= 0 },
};

export interface OutsideValue {
  readonly index: number;
  readonly value: number;
  /** What the domain asks for, e.g. 'numbers >= 0'. */
  readonly expected: string;
}

/** The first of `values` outside `domain` (none is, when there is no domain), or null. */
export function firstOutside(values: Float32Array, domain: WeightDomain | undefined): OutsideValue | null {
  if (domain === undefined) return null;
  const { expected, holds } = rules[domain];
  const index = values.findIndex((v) => !holds(v));
  return index < 0 ? null : { index, value: values[index] as number, expected };
}

/** Throws ArgumentRangeError naming `argument` at the first of `values` outside `domain`. */
export function checkDomain(values: Float32Array, domain: WeightDomain | undefined, argument: string): void {
  const outside = firstOutside(values, domain);
  if (outside !== null) throw new ArgumentRangeError({ argument, expected: outside.expected, received: `${outside.value} at flat index ${outside.index}` });
}
