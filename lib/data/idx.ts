/**
 * IDX files, the format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): two zero
 * bytes, a type code, the number of dimensions d, then d big-endian uint32 sizes and the values,
 * big-endian, row-major. Gzip-compressed files are read too.
 */
import { DataFormatError } from '../errors';
import { MAX_IDX_BYTES } from '../limits';
import { Tensor } from '../tensor';
import { readData } from './files';

interface IdxType {
  readonly name: string;
  readonly bytes: number;
  readonly read: (view: DataView, offset: number) => number;
}

/** The type codes of the format. */
const idxTypes = new Map<number, IdxType>([
  [0x08, { name: 'uint8', bytes: 1, read: (v, o) => v.getUint8(o) }],
  [0x09, { name: 'int8', bytes: 1, read: (v, o) => v.getInt8(o) }],
  [0x0b, { name: 'int16', bytes: 2, read: (v, o) => v.getInt16(o) }],
  [0x0c, { name: 'int32', bytes: 4, read: (v, o) => v.getInt32(o) }],
  [0x0d, { name: 'float32', bytes: 4, read: (v, o) => v.getFloat32(o) }],
  [0x0e, { name: 'float64', bytes: 8, read: (v, o) => v.getFloat64(o) }],
]);

const hex = (b: number): string => `0x${b.toString(16).padStart(2, '0')}`;

/**
 * The values of an IDX file as float32: [n, product of the other sizes] (images [n, rows, cols]
 * become [n, rows * cols]), or [n, 1] for a one-dimensional file (labels). The file, or what it
 * inflates to when gzip-compressed, may hold at most MAX_IDX_BYTES.
 * @param maxBytes a lower limit, for tests (internal).
 */
export function loadIdx(path: string, maxBytes = MAX_IDX_BYTES): Tensor {
  const bytes = readData(path, maxBytes);
  const fail = (what: string): never => {
    throw new DataFormatError({ file: path }, what);
  };
  if (bytes.length < 4) fail(`not an IDX file: ${bytes.length} bytes, shorter than the 4-byte magic number`);
  const [zero0, zero1, code, rank] = [bytes[0], bytes[1], bytes[2], bytes[3]] as [number, number, number, number];
  if (zero0 !== 0 || zero1 !== 0) fail(`not an IDX file: its magic number starts with ${hex(zero0)} ${hex(zero1)} instead of 0x00 0x00`);
  const type = idxTypes.get(code) ?? fail(`unknown IDX type code ${hex(code)} (expected one of ${[...idxTypes.keys()].map(hex).join(', ')})`);
  if (rank === 0) fail('the IDX header declares 0 dimensions');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) fail(`the file ends inside its header (${bytes.length} of ${headerBytes} bytes)`);
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  if (dims.includes(0)) fail(`the IDX header declares an empty dimension: [${dims.join(', ')}]`);
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.bytes;
  if (bytes.length !== expected) {
    fail(`the header declares ${type.name} values of shape [${dims.join(', ')}], ${expected} bytes in all, but the file has ${bytes.length}`);
  }
  // uint8 (all of MNIST's images and labels) converts in one typed-array copy.
  const data = code === 0x08
    ? Float32Array.from(bytes.subarray(headerBytes))
    : Float32Array.from({ length: count }, (_, i) => type.read(view, headerBytes + i * type.bytes));
  const samples = dims[0] as number;
  return new Tensor(data, [samples, count / samples]);
}
