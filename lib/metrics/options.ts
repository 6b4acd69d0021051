/** The options every metric factory shares: its own, plus `name` (the key in logs). */
import { ArgumentRangeError } from '../errors';
import { describe, knownOptions, plainObject } from '../validate';

export interface MetricOptions {
  /** The key in logs and History (default: the factory's name, e.g. 'precision'). */
  name?: string;
}

/** Checks a factory's config; returns its options and the metric's name. */
export function metricOptions(config: unknown, factory: string, known: readonly string[]): { options: Record<string, unknown>; name: string } {
  const argument = `${factory} config`;
  const options = plainObject(config, argument);
  knownOptions(options, argument, [...known, 'name']);
  const name = options['name'] ?? factory;
  if (typeof name !== 'string' || name.length === 0) {
    throw new ArgumentRangeError({ argument: `${argument}.name`, expected: 'a non-empty string', received: describe(name) });
  }
  return { options, name };
}
