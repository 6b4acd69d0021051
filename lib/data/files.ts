/** Reading a data file that may be gzip-compressed, told by its magic bytes rather than its name. */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';

import { ArgumentTypeError, MyelinError } from '../errors';
import { describe } from '../validate';

/** RFC 1952: every gzip member starts with 0x1f 0x8b. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The bytes of `path` (argument `argument`), gunzipped when the file is gzip. */
export function readData(path: unknown, argument = 'path'): Buffer {
  if (typeof path !== 'string' || path.length === 0) throw new ArgumentTypeError({ argument, expected: 'a file path (string)', received: describe(path) });
  const raw = fs.readFileSync(path);
  if (!isGzip(raw)) return raw;
  try {
    return zlib.gunzipSync(raw);
  } catch (error) {
    throw new MyelinError(`${path}: starts as a gzip file but does not decompress (${(error as Error).message})`);
  }
}
