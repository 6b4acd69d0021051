/**
 * Issue 12, data files read as an attacker writes them: loadCsv and loadIdx read only regular
 * files of bounded size, inflate gzip only up to the same bound, and refuse a CSV number that is
 * not a plain decimal or that float32 cannot hold, naming the file, line and column.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

import { loadCsv, loadIdx, type CsvData } from '../../lib/data';
import { DataFormatError } from '../../lib/errors';
import { MAX_CSV_BYTES, MAX_IDX_BYTES } from '../../lib/limits';
import { escapeRegExp } from '../helpers/regexp';
import { fifoWithWriter, sparseFile } from '../helpers/special-files';

const MiB = 2 ** 20;

/** A gzip file of `members` gzip members of 1 MiB of zeros each: about 1 KiB per MiB it inflates to. */
function gzipBomb(file: string, members: number): void {
  const member = zlib.gzipSync(Buffer.alloc(MiB), { level: 9 });
  fs.writeFileSync(file, Buffer.concat(Array.from({ length: members }, () => member)));
}

/** Both loaders refuse `file` with a DataFormatError whose message is `file: problem`. */
function expectBothRefuse(file: string, problem: RegExp): void {
  const pattern = new RegExp(`^${escapeRegExp(file)}: ${problem.source}$`);
  expect(() => loadCsv(file)).to.throw(DataFormatError, pattern);
  expect(() => loadIdx(file)).to.throw(DataFormatError, pattern);
}

describe('reliability: data files', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-data-files-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('item 6: loadCsv and loadIdx read only regular files', () => {
    it('item 6: refuse /dev/zero and a symlink to it, naming the path given', () => {
      expectBothRefuse('/dev/zero', /not a regular file \(a character device\)/);
      const link = path.join(dir, 'zero.csv');
      fs.symlinkSync('/dev/zero', link);
      expectBothRefuse(link, /not a regular file \(a character device\)/);
    });

    it('item 6: refuse a FIFO at once instead of waiting for a writer', () => {
      const fifo = path.join(dir, 'pipe.csv');
      const stopWriter = fifoWithWriter(fifo);
      try {
        const start = performance.now();
        expectBothRefuse(fifo, /not a regular file \(a FIFO\)/);
        expect(performance.now() - start).to.be.below(1000);
      } finally {
        stopWriter();
      }
    });

    it('item 6: refuse a directory', () => {
      expectBothRefuse(dir, /not a regular file \(a directory\)/);
    });
  });

  describe('item 7: what is read and inflated is bounded', () => {
    it('item 7: loadCsv stops a gzip bomb at MAX_CSV_BYTES and names the file and the limit', () => {
      // 513 MiB of zeros in 540 KB: past the 512 MiB limit, inflated no further than it.
      const bomb = path.join(dir, 'bomb.csv.gz');
      gzipBomb(bomb, 513);
      expect(() => loadCsv(bomb)).to.throw(DataFormatError, new RegExp(`^${escapeRegExp(bomb)}: inflates to more than the limit of 512\\.0 MiB$`));
    });

    it('item 7: loadCsv and loadIdx inflate no more than their limit (lowered here)', () => {
      const bomb = path.join(dir, 'small-bomb.gz');
      gzipBomb(bomb, 3);
      expect(() => loadCsv(bomb, {}, MiB)).to.throw(DataFormatError, new RegExp(`^${escapeRegExp(bomb)}: inflates to more than the limit of 1\\.0 MiB$`));
      expect(() => loadIdx(bomb, MiB)).to.throw(DataFormatError, new RegExp(`^${escapeRegExp(bomb)}: inflates to more than the limit of 1\\.0 MiB$`));
      // Within the limit it inflates as before (to 3 MiB of zeros, which is no CSV or IDX file).
      expect(() => loadIdx(bomb, 3 * MiB)).to.throw(DataFormatError, /unknown IDX type code 0x00/);
    });

    it('item 7: a plain file over the limit is refused before it is read', () => {
      const csv = path.join(dir, 'huge.csv');
      sparseFile(csv, MAX_CSV_BYTES + 1);
      const idx = path.join(dir, 'huge-idx3-ubyte');
      sparseFile(idx, MAX_IDX_BYTES + 1);
      const start = performance.now();
      expect(() => loadCsv(csv)).to.throw(DataFormatError, new RegExp(`^${escapeRegExp(csv)}: ${MAX_CSV_BYTES + 1} bytes, more than the limit of 512\\.0 MiB$`));
      expect(() => loadIdx(idx)).to.throw(DataFormatError, new RegExp(`^${escapeRegExp(idx)}: ${MAX_IDX_BYTES + 1} bytes, more than the limit of 2\\.0 GiB$`));
      expect(performance.now() - start).to.be.below(1000);
    });
  });

  describe('item 14: a CSV number is a decimal that float32 can hold', () => {
    /** loadCsv of a file with a header `a,b,label` and these lines. */
    function csv(name: string, lines: string[]): { file: string; load: () => CsvData } {
      const file = path.join(dir, name);
      fs.writeFileSync(file, ['a,b,label', ...lines].join('\n'));
      return { file, load: () => loadCsv(file) };
    }

    it('item 14: a number past float32 (1e39), as a feature or a label, is an error naming the file, line and column', () => {
      const feature = csv('big-feature.csv', ['1,2,0', '3,1e39,1']);
      expect(feature.load).to.throw(DataFormatError, new RegExp(`^${escapeRegExp(feature.file)} line 3, column 2 \\('b'\\): expected a number float32 can hold \\(at most 3\\.4028235e38 in magnitude\\) but found '1e39'$`));
      const label = csv('big-label.csv', ['1,2,0.5', '3,4,-1e39']);
      expect(label.load).to.throw(DataFormatError, new RegExp(`^${escapeRegExp(label.file)} line 3, column 3 \\('label'\\): expected a number float32 can hold .* but found '-1e39'$`));
      // Too small for float32 is 0, as it would be in any float32 pipeline.
      expect(Array.from(csv('tiny.csv', ['1e-50,2,0']).load().x.data)).to.deep.equal([0, 2]);
    });

    it("item 14: hexadecimal, binary, octal, '1_000', Infinity and NaN are not CSV numbers; decimals in every form are", () => {
      for (const cell of ['0x10', '0b11', '0o7', '1_000', 'Infinity', '-Infinity', 'NaN', '1e', '.', '--1']) {
        const { file, load } = csv(`cell-${cell.replace(/[^a-z0-9_-]/gi, '_')}.csv`, ['1,2,0', `${cell},2,1`]);
        expect(load, cell).to.throw(DataFormatError, new RegExp(`^${escapeRegExp(file)} line 3, column 1 \\('a'\\): expected a number but found '${escapeRegExp(cell)}'$`));
      }
      const decimals = csv('decimals.csv', ['1e5,-.5,0', '+3.,2E-3,1', ' 7 ,-0,0']);
      expect(Array.from(decimals.load().x.data)).to.deep.equal([1e5, -0.5, 3, Math.fround(2e-3), 7, -0]);
    });

    it("item 14: a label 'NaN' or 'Infinity' is refused; labels that are not decimals ('0x10') are class names", () => {
      for (const cell of ['NaN', 'Infinity', '-Infinity']) {
        const { file, load } = csv(`label-${cell}.csv`, ['1,2,0', `3,4,${cell}`]);
        expect(load, cell).to.throw(DataFormatError, new RegExp(`^${escapeRegExp(file)} line 3, column 3 \\('label'\\): expected a number or a class name but found '${cell}'$`));
      }
      const named = csv('hex-labels.csv', ['1,2,0x10', '3,4,0b11', '5,6,0x10']).load();
      expect(named.classes).to.deep.equal(['0b11', '0x10']);
      expect(Array.from(named.y.data)).to.deep.equal([1, 0, 1]);
    });
  });
});
