/**
 * Reading a data file that may be gzip-compressed, told by its magic bytes rather than its name.
 * Only a regular file is read (not a directory, a device or a FIFO), and neither the file nor
 * what it inflates to may pass the caller's limit: a 1 MB gzip bomb stops at the limit with an
 * error naming the file, instead of taking gigabytes and ending in a V8 error that names nothing.
 */
import * as zlib from 'node:zlib';

import { ArgumentTypeError, DataFormatError } from '../errors';
import { readRegularFileSync } from '../io/read-file';
import { formatBytes } from '../limits';
import { describe } from '../validate';

/** RFC 1952: every gzip member starts with 0x1f 0x8b. */
function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** The bytes of `path` (argument `argument`), gunzipped when the file is gzip; at most `maxBytes` either way. */
export function readData(path: unknown, maxBytes: number, argument = 'path'): Buffer {
  if (typeof path !== 'string' || path.length === 0) throw new ArgumentTypeError({ argument, expected: 'a file path (string)', received: describe(path) });
  const raw = readRegularFileSync(path, maxBytes, (problem) => new DataFormatError({ file: path }, problem));
  return inflated(raw, path, maxBytes);
}

/** `raw` gunzipped when it is gzip, else as it is; `file` names it in errors. */
export function inflated(raw: Buffer, file: string, maxBytes: number): Buffer {
  if (!isGzip(raw)) return raw;
  try {
    return zlib.gunzipSync(raw, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ERR_BUFFER_TOO_LARGE') throw new DataFormatError({ file }, `inflates to more than the limit of ${formatBytes(maxBytes)}`);
    throw new DataFormatError({ file }, `starts as a gzip file but does not decompress (${(error as Error).message})`);
  }
}
