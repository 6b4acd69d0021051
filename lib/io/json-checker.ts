/**
 * Checks one JSON value after another, each at a path such as header.weights[2].shape: the
 * header's validation (header.ts, graph-header.ts) trusts nothing of a file and names the field
 * at fault in a ModelFormatError about the file.
 */
import { ModelFormatError } from '../errors';
import { describe } from '../validate';

export interface SerializedObject {
  readonly className: string;
  readonly config: Record<string, unknown>;
}

/** The largest dimension of a weight and the largest arena, in floats (a Float32Array's practical limit). */
export const MAX_FLOATS = 2 ** 31 - 1;

/** The most entries of a list the checks accept where no tighter limit applies. */
export const MAX_ENTRIES = 100_000;

export class Checker {
  constructor(private readonly file: string) {}

  fail(where: string, expected: string, value: unknown): never {
    throw new ModelFormatError(this.file, `${where} should be ${expected} but is ${describe(value)}`);
  }

  /** A fault that is not one field's type or range: `problem` says it whole. */
  refuse(problem: string): never {
    throw new ModelFormatError(this.file, problem);
  }

  /** An object with exactly `required` keys, plus any of `optional`. */
  object(value: unknown, where: string, required: readonly string[], optional: readonly string[] = []): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(where, 'an object', value);
    const obj = value as Record<string, unknown>;
    for (const key of required) if (!Object.hasOwn(obj, key)) this.fail(`${where}.${key}`, 'present', undefined);
    for (const key of Object.keys(obj)) {
      if (!required.includes(key) && !optional.includes(key)) throw new ModelFormatError(this.file, `${where} has an unknown field '${key}'`);
    }
    return obj;
  }

  /** Any JSON object (a layer's or an optimizer's config, checked later by its constructor, which stops at the first unknown key). */
  anyObject(value: unknown, where: string): Record<string, unknown> {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) this.fail(where, 'an object', value);
    return value as Record<string, unknown>;
  }

  array(value: unknown, where: string, maxLength = MAX_ENTRIES): unknown[] {
    if (!Array.isArray(value)) this.fail(where, 'an array', value);
    const values = value as unknown[];
    if (values.length > maxLength) this.fail(where, `an array of at most ${maxLength} entries`, value);
    return values;
  }

  string(value: unknown, where: string): string {
    if (typeof value !== 'string' || value.length === 0 || value.length > 1000) this.fail(where, 'a non-empty string of at most 1000 characters', value);
    return value as string;
  }

  boolean(value: unknown, where: string): boolean {
    if (typeof value !== 'boolean') this.fail(where, 'a boolean', value);
    return value as boolean;
  }

  integer(value: unknown, where: string, min: number, max: number): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) this.fail(where, `an integer in [${min}, ${max}]`, value);
    return value as number;
  }

  finite(value: unknown, where: string): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(where, 'a finite number', value);
    return value as number;
  }

  serialized(value: unknown, where: string): SerializedObject {
    const obj = this.object(value, where, ['className', 'config']);
    return { className: this.string(obj['className'], `${where}.className`), config: this.anyObject(obj['config'], `${where}.config`) };
  }
}
