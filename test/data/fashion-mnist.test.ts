import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

import { loadFashionMnist } from '../../lib/data';
import { ArgumentRangeError, ArgumentTypeError, MyelinError } from '../../lib/errors';

/** A gzip-compressed uint8 IDX file: 0, 0, 0x08, rank, big-endian sizes, then the bytes. */
function writeGzipIdx(file: string, dims: number[], values: number[]): void {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.set([0, 0, 0x08, dims.length]);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  fs.writeFileSync(file, zlib.gzipSync(Buffer.concat([header, Uint8Array.from(values)])));
}

describe('data.loadFashionMnist()', () => {
  // Files of its own, gzip-compressed and named as Debian's dataset-fashion-mnist installs them:
  // npm test must not need that package (the real files are test:integration's, examples/fashion-mnist.js).
  it('item 17: loads four small gzip IDX files of its own with the right shapes, pixels scaled to [0, 1] and labels', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-fmnist-'));
    try {
      const trainPixels = Array.from({ length: 3 * 28 * 28 }, (_, i) => (i * 7) % 256);
      const testPixels = Array.from({ length: 2 * 28 * 28 }, (_, i) => 255 - (i % 256));
      writeGzipIdx(path.join(dir, 'train-images-idx3-ubyte.gz'), [3, 28, 28], trainPixels);
      writeGzipIdx(path.join(dir, 'train-labels-idx1-ubyte.gz'), [3], [9, 0, 4]);
      writeGzipIdx(path.join(dir, 't10k-images-idx3-ubyte.gz'), [2, 28, 28], testPixels);
      writeGzipIdx(path.join(dir, 't10k-labels-idx1-ubyte.gz'), [2], [1, 7]);
      const { xTrain, yTrain, xTest, yTest, classes } = loadFashionMnist({ dir });
      expect(xTrain.shape).to.deep.equal([3, 784]);
      expect(yTrain.shape).to.deep.equal([3, 1]);
      expect(xTest.shape).to.deep.equal([2, 784]);
      expect(yTest.shape).to.deep.equal([2, 1]);
      expect(Array.from(xTrain.data)).to.deep.equal(trainPixels.map((p) => Math.fround(p / 255)));
      expect(Array.from(xTest.data)).to.deep.equal(testPixels.map((p) => Math.fround(p / 255)));
      expect([Math.min(...xTest.data), Math.max(...xTest.data)]).to.deep.equal([0, 1]);
      expect(Array.from(yTrain.data)).to.deep.equal([9, 0, 4]);
      expect(Array.from(yTest.data)).to.deep.equal([1, 7]);
      expect(classes).to.have.length(10);
      expect([classes[0], classes[9]]).to.deep.equal(['T-shirt/top', 'Ankle boot']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('names the Debian package when the files are missing', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-fmnist-'));
    try {
      expect(() => loadFashionMnist({ dir: empty })).to.throw(MyelinError, /Fashion-MNIST is not in .*myelin-fmnist-.* \(missing train-images-idx3-ubyte\.gz, .*\)\..*apt-get install dataset-fashion-mnist/);
    } finally {
      fs.rmSync(empty, { recursive: true, force: true });
    }
  });

  it('validates its options', () => {
    expect(() => loadFashionMnist({ dir: 5 as never })).to.throw(ArgumentTypeError, /dir/);
    expect(() => loadFashionMnist({ path: '/tmp' } as never)).to.throw(ArgumentRangeError, /args\.path/);
  });
});
