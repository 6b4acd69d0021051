/**
 * The binary container of a model file (docs/format.md describes every byte): a 16-byte preamble
 * (magic, format version, header length), the UTF-8 JSON header, the float32 body, and a CRC-32
 * of everything before it. Writing and reading here know nothing of models: the header is any
 * JSON value and the body any float32 arrays, little-endian whatever the host.
 */
import { ArgumentRangeError, ModelFormatError } from '../errors';
import { crc32 } from './crc32';

/** "\x89MYELIN\n": the high byte catches 7-bit transfers, the newline catches text-mode ones (PNG's idea). */
export const MAGIC = Uint8Array.of(0x89, 0x4d, 0x59, 0x45, 0x4c, 0x49, 0x4e, 0x0a);
/** The version this myelin writes: 2 added graph models (docs/format.md). */
export const FORMAT_VERSION = 2;
/** The oldest version it reads: every file myelin ever wrote. */
export const OLDEST_FORMAT_VERSION = 1;
/** The largest header the reader accepts; a larger claim is refused before anything is allocated. */
export const MAX_HEADER_BYTES = 16 * 1024 * 1024;
export const PREAMBLE_BYTES = 16;
export const CHECKSUM_BYTES = 4;

const littleEndianHost = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/** The bytes of a float32 array in little-endian order: a view on little-endian hosts, a swapped copy elsewhere. */
function littleEndianBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  return littleEndianHost ? bytes : Buffer.from(bytes).swap32();
}

/** The file's chunks, in order: preamble, header, each array, checksum. */
export function encodeContainer(header: unknown, arrays: readonly Float32Array[]): Uint8Array[] {
  const json = Buffer.from(JSON.stringify(header), 'utf8');
  if (json.length > MAX_HEADER_BYTES) {
    throw new ArgumentRangeError({ argument: 'model', expected: `a model whose file header fits in ${MAX_HEADER_BYTES} bytes`, received: `a header of ${json.length} bytes` });
  }
  const preamble = Buffer.alloc(PREAMBLE_BYTES);
  preamble.set(MAGIC, 0);
  preamble.writeUInt32LE(FORMAT_VERSION, 8);
  preamble.writeUInt32LE(json.length, 12);
  const chunks: Uint8Array[] = [preamble, json, ...arrays.map(littleEndianBytes)];
  const checksum = Buffer.alloc(CHECKSUM_BYTES);
  checksum.writeUInt32LE(chunks.reduce((crc, chunk) => crc32(chunk, crc), 0), 0);
  chunks.push(checksum);
  return chunks;
}

export interface Container {
  /** The preamble's format version, one this myelin reads. */
  readonly version: number;
  /** The parsed JSON header, not yet validated. */
  readonly header: unknown;
  /** The bytes between the header and the checksum. */
  readonly body: Uint8Array;
}

/** Checks the preamble, the sizes and the checksum, then parses the header; throws ModelFormatError naming `file`. */
export function decodeContainer(bytes: Uint8Array, file: string): Container {
  const fail = (problem: string): never => {
    throw new ModelFormatError(file, problem);
  };
  const minimum = PREAMBLE_BYTES + CHECKSUM_BYTES;
  if (bytes.length === 0 || MAGIC.some((b, i) => i < bytes.length && bytes[i] !== b)) {
    fail('not a myelin model file (its first bytes are not the magic "\\x89MYELIN\\n")');
  }
  if (bytes.length < minimum) fail(`truncated: ${bytes.length} bytes, less than the ${minimum} of an empty model file`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(8, true);
  if (version < OLDEST_FORMAT_VERSION || version > FORMAT_VERSION) {
    fail(`format version ${version}, but this myelin reads versions ${OLDEST_FORMAT_VERSION} to ${FORMAT_VERSION}${version > FORMAT_VERSION ? ': upgrade myelin to load it' : ''}`);
  }
  const headerBytes = view.getUint32(12, true);
  if (headerBytes > MAX_HEADER_BYTES) fail(`the header claims ${headerBytes} bytes, more than the limit of ${MAX_HEADER_BYTES}`);
  if (minimum + headerBytes > bytes.length) fail(`truncated: the header claims ${headerBytes} bytes but the file has ${bytes.length} in all`);
  const end = bytes.length - CHECKSUM_BYTES;
  const stored = view.getUint32(end, true);
  const actual = crc32(bytes.subarray(0, end));
  if (stored !== actual) fail(`damaged: the checksum is ${hex(stored)} but the content gives ${hex(actual)} (a truncated, altered or incompletely written file)`);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(PREAMBLE_BYTES, PREAMBLE_BYTES + headerBytes));
  } catch {
    return fail('the header is not valid UTF-8');
  }
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (error) {
    return fail(`the header is not valid JSON (${(error as Error).message})`);
  }
  return { version, header, body: bytes.subarray(PREAMBLE_BYTES + headerBytes, end) };
}

function hex(value: number): string {
  return `0x${value.toString(16).padStart(8, '0')}`;
}

/** Fills `target` from the body's float32 values starting at float index `start`; the caller has checked the body's size. */
export function readFloatsInto(target: Float32Array, body: Uint8Array, start: number): void {
  new Uint8Array(target.buffer, target.byteOffset, target.byteLength).set(body.subarray(start * 4, start * 4 + target.byteLength));
  if (!littleEndianHost) Buffer.from(target.buffer, target.byteOffset, target.byteLength).swap32();
}
