import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

import { loadIdx } from '../../lib/data';
import { ArgumentTypeError, DataFormatError } from '../../lib/errors';

type Writer = (view: DataView, offset: number, value: number) => void;
const types: Record<number, { bytes: number; write: Writer }> = {
  0x08: { bytes: 1, write: (v, o, x) => v.setUint8(o, x) },
  0x09: { bytes: 1, write: (v, o, x) => v.setInt8(o, x) },
  0x0b: { bytes: 2, write: (v, o, x) => v.setInt16(o, x) },
  0x0c: { bytes: 4, write: (v, o, x) => v.setInt32(o, x) },
  0x0d: { bytes: 4, write: (v, o, x) => v.setFloat32(o, x) },
  0x0e: { bytes: 8, write: (v, o, x) => v.setFloat64(o, x) },
};

/** An IDX file as the format describes it: 0, 0, type, rank, big-endian sizes, big-endian values. */
function idx(code: number, dims: number[], values: number[]): Buffer {
  const type = types[code] as { bytes: number; write: Writer };
  const header = 4 + 4 * dims.length;
  const buffer = Buffer.alloc(header + values.length * type.bytes);
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  buffer[2] = code;
  buffer[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d));
  values.forEach((v, i) => type.write(view, header + i * type.bytes, v));
  return buffer;
}

describe('data.loadIdx()', () => {
  let dir: string;
  const write = (name: string, bytes: Buffer): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, bytes);
    return file;
  };

  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-idx-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  // Three 2x3 images with distinct pixels, and their labels.
  const pixels = Array.from({ length: 18 }, (_, i) => (i * 37) % 256);
  const images = idx(0x08, [3, 2, 3], pixels);
  const labels = idx(0x08, [3], [7, 0, 9]);

  it('reads raw uint8 images as [n, rows * cols] and labels as [n, 1]', () => {
    const x = loadIdx(write('images-raw', images));
    expect(x.shape).to.deep.equal([3, 6]);
    expect([...x.data]).to.deep.equal(pixels);
    const y = loadIdx(write('labels-raw', labels));
    expect(y.shape).to.deep.equal([3, 1]);
    expect([...y.data]).to.deep.equal([7, 0, 9]);
  });

  it('reads the same files gzip-compressed', () => {
    const x = loadIdx(write('images.gz', zlib.gzipSync(images)));
    expect(x.shape).to.deep.equal([3, 6]);
    expect([...x.data]).to.deep.equal(pixels);
    expect([...loadIdx(write('labels.gz', zlib.gzipSync(labels))).data]).to.deep.equal([7, 0, 9]);
  });

  it('reads every IDX value type, big-endian', () => {
    const cases: [number, number[]][] = [
      [0x09, [-128, 127, -1, 0]],
      [0x0b, [-30000, 300, -1, 2]],
      [0x0c, [-2_000_000, 70_000, 1, -5]],
      [0x0d, [1.5, -0.25, 3e10, -7]],
      [0x0e, [0.1, -1e-3, 12345.678, -2]],
    ];
    for (const [code, values] of cases) {
      const t = loadIdx(write(`type-${code}`, idx(code, [2, 2], values)));
      expect(t.shape).to.deep.equal([2, 2]);
      expect([...t.data], `type 0x${code.toString(16)}`).to.deep.equal(values.map(Math.fround));
    }
  });

  it('validates the magic number, the type code and the length', () => {
    const badMagic = Buffer.from(images);
    badMagic[1] = 8;
    expect(() => loadIdx(write('bad-magic', badMagic))).to.throw(DataFormatError, /bad-magic: not an IDX file: its magic number starts with 0x00 0x08/);
    const badType = Buffer.from(images);
    badType[2] = 0x07;
    expect(() => loadIdx(write('bad-type', badType))).to.throw(DataFormatError, /bad-type: unknown IDX type code 0x07/);
    expect(() => loadIdx(write('short', images.subarray(0, images.length - 1)))).to.throw(DataFormatError, /short: the header declares uint8 values of shape \[3, 2, 3\], 34 bytes in all, but the file has 33/);
    expect(() => loadIdx(write('long', Buffer.concat([images, Buffer.from([0])])))).to.throw(DataFormatError, /but the file has 35/);
    expect(() => loadIdx(write('tiny', Buffer.from([0, 0])))).to.throw(DataFormatError, /shorter than the 4-byte magic number/);
    expect(() => loadIdx(write('header-cut', images.subarray(0, 10)))).to.throw(DataFormatError, /ends inside its header \(10 of 16 bytes\)/);
    expect(() => loadIdx(write('rank0', Buffer.from([0, 0, 8, 0])))).to.throw(DataFormatError, /0 dimensions/);
    expect(() => loadIdx(write('empty-dim', idx(0x08, [0, 4], [])))).to.throw(DataFormatError, /empty dimension/);
    expect(() => loadIdx(write('broken.gz', Buffer.from([0x1f, 0x8b, 1, 2, 3])))).to.throw(DataFormatError, /broken\.gz: starts as a gzip file but does not decompress/);
    expect(() => loadIdx(undefined as never)).to.throw(ArgumentTypeError, /file path/);
  });
});
