/** Atomic writes: a write that fails part-way leaves the old file byte-identical and no temporary file. */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as my from '../../lib/index';
import { atomicWrite, atomicWriteSync, nodeAsyncFileOps, nodeFileOps, type AsyncFileOps, type FileOps } from '../../lib/io/atomic-write';
import { encodeModel } from '../../lib/io/model-file';

function model(units: number): my.Sequential {
  my.seed(units);
  const m = my.sequential([my.layers.dense({ inputShape: [50], units })]);
  m.compile({ optimizer: 'adam', loss: 'mse' });
  return m;
}

function diskFull(): Error {
  return Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC' });
}

/** node:fs operations whose write stores `limit` bytes in all and then fails, as a full disk does. */
function failingAfter(limit: number): { ops: FileOps; written: () => number } {
  let total = 0;
  const ops: FileOps = {
    ...nodeFileOps,
    write: (fd, data) => {
      if (total >= limit) throw diskFull();
      const n = nodeFileOps.write(fd, data.subarray(0, Math.min(data.length, limit - total)));
      total += n;
      return n;
    },
  };
  return { ops, written: () => total };
}

describe('atomic writes', () => {
  let dir: string;
  let target: string;
  let old: Buffer;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-atomic-'));
    target = path.join(dir, 'model.myelin');
    model(3).saveSync(target);
    old = fs.readFileSync(target);
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  const unchanged = (): void => {
    expect(fs.readFileSync(target).equals(old)).to.equal(true);
    expect(fs.readdirSync(dir)).to.deep.equal(['model.myelin']);
  };

  for (const limit of [0, 10, 1000, 3000]) {
    it(`keeps the old file when the disk fills after ${limit} bytes (sync)`, () => {
      const chunks = encodeModel(model(40), { includeOptimizer: true });
      const { ops, written } = failingAfter(limit);
      expect(() => atomicWriteSync(target, chunks, ops)).to.throw(/ENOSPC/);
      expect(written()).to.equal(limit);
      unchanged();
    });
  }

  it('keeps the old file when a write fails part-way (async)', async () => {
    const chunks = encodeModel(model(40), { includeOptimizer: true });
    let total = 0;
    const ops: AsyncFileOps = {
      ...nodeAsyncFileOps,
      write: async (fd, data) => {
        if (total > 500) throw diskFull();
        total += await nodeAsyncFileOps.write(fd, data.subarray(0, 300));
        return Math.min(data.length, 300);
      },
    };
    const error = await atomicWrite(target, chunks, ops).catch((e: unknown) => e);
    expect((error as Error).message).to.match(/ENOSPC/);
    unchanged();
  });

  it('keeps the old file when fsync fails', () => {
    const ops: FileOps = { ...nodeFileOps, fsync: () => { throw Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }); } };
    expect(() => atomicWriteSync(target, encodeModel(model(40), { includeOptimizer: true }), ops)).to.throw(/EIO/);
    unchanged();
  });

  it('replaces the file whole when nothing fails, and the result loads', async () => {
    await model(40).save(target);
    expect(fs.readFileSync(target).equals(old)).to.equal(false);
    expect(fs.readdirSync(dir)).to.deep.equal(['model.myelin']);
    expect(my.loadModelSync(target).outputUnits).to.equal(40);
  });

  it('keeps the old file and leaves no temporary file when the rename fails, naming the target', async () => {
    const crossDevice = (from: string, to: string): Error =>
      Object.assign(new Error(`EXDEV: cross-device link not permitted, rename '${from}' -> '${to}'`), { code: 'EXDEV', syscall: 'rename', path: from, dest: to });
    const ops: FileOps = { ...nodeFileOps, rename: (from, to) => { throw crossDevice(from, to); } };
    const asyncOps: AsyncFileOps = { ...nodeAsyncFileOps, rename: async (from, to) => { throw crossDevice(from, to); } };
    const chunks = encodeModel(model(40), { includeOptimizer: true });
    expect(() => atomicWriteSync(target, chunks, ops)).to.throw(/^EXDEV: .*rename '.*model\.myelin' -> '.*model\.myelin'$/);
    unchanged();
    const error = await atomicWrite(target, chunks, asyncOps).catch((e: unknown) => e);
    expect((error as Error).message).to.match(/^EXDEV: .*rename '.*model\.myelin' -> '.*model\.myelin'$/);
    unchanged();
  });
});
