/**
 * Issue 12, where a save may write: through a symbolic link to its final target (atomically, in
 * that target's folder, the link kept), never over a FIFO, a device or a directory, and with
 * every failure naming the path the caller gave rather than the writer's temporary file.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as my from '../../lib/index';
import { atomicWriteSync, nodeAsyncFileOps, nodeFileOps, atomicWrite, type FileOps } from '../../lib/io/atomic-write';
import { escapeRegExp } from '../helpers/regexp';
import { rejects } from '../helpers/rejects';
import { makeFifo } from '../helpers/special-files';

function model(units: number): my.Sequential {
  my.seed(units);
  const m = my.sequential([my.layers.dense({ inputShape: [4], units })]);
  m.compile({ optimizer: 'sgd', loss: 'mse' });
  return m;
}

/** Operations that refuse to rename anything: a writer that failed to refuse a device can then not replace it. */
const noRename: FileOps = {
  ...nodeFileOps,
  rename: () => {
    throw new Error('this test allows no rename');
  },
};

/** Both saves (sync and async) of a model to `target`: the errors they throw. */
async function bothSaves(target: string): Promise<Error[]> {
  let sync: Error | null = null;
  try {
    model(2).saveSync(target);
  } catch (error) {
    sync = error as Error;
  }
  expect(sync, 'saveSync throws').to.not.equal(null);
  return [sync as Error, await rejects(model(2).save(target))];
}

async function expectRefused(target: string, received: RegExp): Promise<void> {
  for (const error of await bothSaves(target)) {
    expect(error).to.be.instanceOf(my.ArgumentRangeError);
    expect(error.message).to.match(/^Expected a regular file, a link to one, or a new file in an existing folder for path but received /);
    expect(error.message).to.match(received);
    expect(error.message).to.not.match(/\.tmp/);
  }
}

describe('reliability: save targets', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-save-targets-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('item 16: a symbolic link is followed, a FIFO, device or directory refused', () => {
    it('item 16: saving onto a symlink replaces its final target atomically and keeps the link (sync and async)', async () => {
      const other = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-save-targets-other-'));
      try {
        const real = path.join(other, 'real.myelin');
        model(3).saveSync(real);
        // A chain: first -> second (relative, same folder) -> real (another folder).
        const second = path.join(dir, 'second.myelin');
        const first = path.join(dir, 'first.myelin');
        fs.symlinkSync(real, second);
        fs.symlinkSync('second.myelin', first);
        model(5).saveSync(first);
        expect(my.loadModelSync(real).outputUnits).to.equal(5);
        await model(7).save(first);
        expect(my.loadModelSync(real).outputUnits).to.equal(7);
        expect(fs.readlinkSync(first)).to.equal('second.myelin');
        expect(fs.readlinkSync(second)).to.equal(real);
        expect((await my.loadModel(first)).outputUnits).to.equal(7);
        // No temporary file left, in either folder.
        expect(fs.readdirSync(dir).sort()).to.deep.equal(['first.myelin', 'second.myelin']);
        expect(fs.readdirSync(other)).to.deep.equal(['real.myelin']);
      } finally {
        fs.rmSync(other, { recursive: true, force: true });
      }
    });

    it('item 16: saving onto a link to a file not yet there creates that file and keeps the link', async () => {
      const link = path.join(dir, 'link.myelin');
      fs.symlinkSync('new.myelin', link);
      await model(3).save(link);
      expect(fs.lstatSync(link).isSymbolicLink()).to.equal(true);
      expect(my.loadModelSync(path.join(dir, 'new.myelin')).outputUnits).to.equal(3);
    });

    it('item 16: refuses to save onto a FIFO, which stays a FIFO', async () => {
      const fifo = path.join(dir, 'pipe.myelin');
      makeFifo(fifo);
      await expectRefused(fifo, /'.*pipe\.myelin', a FIFO$/);
      expect(fs.lstatSync(fifo).isFIFO()).to.equal(true);
      expect(fs.readdirSync(dir)).to.deep.equal(['pipe.myelin']);
    });

    it('item 16: refuses to save onto a character device, or a link to one, before any rename', async () => {
      // The device itself only with operations that cannot rename: nothing can replace it, even if the check failed.
      expect(() => atomicWriteSync('/dev/null', [Uint8Array.of(1)], noRename)).to.throw(my.ArgumentRangeError, /received '\/dev\/null', a character device$/);
      const asyncError = await rejects(atomicWrite('/dev/null', [Uint8Array.of(1)], { ...nodeAsyncFileOps, rename: async () => noRename.rename('', '') }));
      expect(asyncError).to.be.instanceOf(my.ArgumentRangeError);
      const link = path.join(dir, 'null.myelin');
      fs.symlinkSync('/dev/null', link);
      await expectRefused(link, /'.*null\.myelin', a link to \/dev\/null, a character device$/);
      expect(fs.lstatSync(link).isSymbolicLink()).to.equal(true);
      expect(fs.statSync('/dev/null').isCharacterDevice()).to.equal(true);
    });

    it('item 16: refuses to save onto a directory, which keeps its content', async () => {
      const folder = path.join(dir, 'taken');
      fs.mkdirSync(folder);
      fs.writeFileSync(path.join(folder, 'keep'), 'x');
      await expectRefused(folder, /'.*taken', a directory$/);
      expect(fs.readdirSync(folder)).to.deep.equal(['keep']);
      expect(fs.readdirSync(dir)).to.deep.equal(['taken']);
    });
  });

  describe('item 14: a path that cannot be written is named as given, never as the temporary file', () => {
    it('item 14: refuses a folder that does not exist and a folder that is a regular file', async () => {
      await expectRefused(path.join(dir, 'missing', 'm.myelin'), /'.*missing\/m\.myelin', whose folder .*missing does not exist$/);
      const file = path.join(dir, 'file.csv');
      fs.writeFileSync(file, 'a,b\n');
      await expectRefused(path.join(file, 'm.myelin'), /'.*file\.csv\/m\.myelin', whose folder .*file\.csv is a regular file, not a folder$/);
      expect(fs.readdirSync(dir)).to.deep.equal(['file.csv']);
    });

    it('item 14: a failure while writing names the target, not the temporary file', async () => {
      const target = path.join(dir, 'm.myelin');
      const deniedOpen: FileOps = {
        ...nodeFileOps,
        open: (file) => {
          throw Object.assign(new Error(`EACCES: permission denied, open '${file}'`), { code: 'EACCES', syscall: 'open', path: file });
        },
      };
      const diskFull: FileOps = {
        ...nodeFileOps,
        write: () => {
          throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', syscall: 'write' });
        },
      };
      for (const ops of [deniedOpen, diskFull]) {
        let error: (Error & { path?: string }) | null = null;
        try {
          atomicWriteSync(target, [Uint8Array.of(1, 2, 3)], ops);
        } catch (e) {
          error = e as Error;
        }
        expect(error?.message).to.match(new RegExp(`^E[A-Z]+: .*'${escapeRegExp(target)}'$`));
        expect(error?.path).to.equal(target);
        expect(fs.readdirSync(dir)).to.deep.equal([]);
      }
    });
  });
});
