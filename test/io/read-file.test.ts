/** readRegularFile: a file larger than one read call comes back whole and in order, sync and async. */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { readRegularFile, readRegularFileSync } from '../../lib/io/read-file';
import { sparseFile } from '../helpers/special-files';

describe('readRegularFile()', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-read-file-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a file of several 64 MiB chunks whole, each byte in its place', async () => {
    const file = path.join(dir, 'chunks.bin');
    const size = 150 * 2 ** 20;
    sparseFile(file, size);
    // Marks on each side of the chunk boundaries, in a file otherwise of zeros.
    const marks = [0, 64 * 2 ** 20 - 1, 64 * 2 ** 20, 128 * 2 ** 20 + 5, size - 1];
    const fd = fs.openSync(file, 'r+');
    marks.forEach((at, i) => fs.writeSync(fd, Uint8Array.of(i + 1), 0, 1, at));
    fs.closeSync(fd);
    const refuse = (problem: string): Error => new Error(problem);
    for (const bytes of [readRegularFileSync(file, size, refuse), await readRegularFile(file, size, refuse)]) {
      expect(bytes.length).to.equal(size);
      expect(marks.map((at) => bytes[at])).to.deep.equal([1, 2, 3, 4, 5]);
      let sum = 0;
      for (const b of bytes) sum += b;
      expect(sum).to.equal(15);
    }
    expect(() => readRegularFileSync(file, size - 1, refuse)).to.throw(`${size} bytes, more than the limit of 150.0 MiB`);
  });
});
