/**
 * Issue 12, the command line: output paths checked before any long work and named as given,
 * CSV numbers read as decimals that float32 can hold, and option values bounded, each failure a
 * usage error (exit 2) of one line. Runs `node bin/myelin.js` on the compiled dist/ (npm test
 * builds it first), as test/cli/cli.test.ts does.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

import { escapeRegExp } from '../helpers/regexp';
import { makeFifo } from '../helpers/special-files';

const bin = path.resolve(__dirname, '..', '..', 'bin', 'myelin.js');

interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

describe('reliability: command line', function () {
  this.timeout(60_000);
  let dir: string;

  function myelin(...args: string[]): Run {
    const run = spawnSync(process.execPath, [bin, ...args], { cwd: dir, encoding: 'utf8', timeout: 30_000 });
    return { code: run.status, stdout: run.stdout, stderr: run.stderr };
  }

  /** Exit code `code` and one line on stderr matching `pattern`: no stack, no temporary file's name, no training. */
  function expectOneLine(run: Run, code: number, pattern: RegExp): void {
    expect(run.code, run.stderr).to.equal(code);
    expect(run.stderr).to.match(/^error: [^\n]*\n$/);
    expect(run.stderr).to.match(pattern);
    expect(run.stderr).to.not.match(/\.tmp/);
  }

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-cli-reliability-'));
    fs.writeFileSync(path.join(dir, 'data.csv'), ['a,b,label', '1,2,0', '3,4,1', '5,6,0', '7,8,1'].join('\n'));
    const trained = myelin('train', '--data', 'data.csv', '--epochs', '1', '--out', 'model.myelin', '--quiet');
    expect(trained.code, trained.stderr).to.equal(0);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('item 14: output paths are checked before any work and named as given', () => {
    it('item 14: train --plot and --out under a regular file or a missing folder: exit 2 before training, naming the path', () => {
      for (const [option, bad] of [['--plot', 'data.csv/curves.svg'], ['--plot', 'missing/curves.svg'], ['--out', 'data.csv/m.myelin']] as const) {
        const out = option === '--out' ? bad : 'trained.myelin';
        const run = myelin('train', '--data', 'data.csv', '--epochs', '1', '--out', out, ...(option === '--plot' ? ['--plot', bad] : []));
        expectOneLine(run, 2, new RegExp(`for ${option} but received '${escapeRegExp(bad)}', whose folder`));
        expect(run.stderr).to.not.match(/Epoch/);
        expect(fs.existsSync(path.join(dir, 'trained.myelin'))).to.equal(false);
      }
    });

    it('item 14: predict --out and export-onnx --out under a regular file: exit 2, naming the path', () => {
      expectOneLine(myelin('predict', '--data', 'data.csv', '--label-column', 'label', '--model', 'model.myelin', '--out', 'data.csv/p.csv'), 2, /for --out but received 'data\.csv\/p\.csv', whose folder data\.csv is a regular file, not a folder$/m);
      expectOneLine(myelin('export-onnx', '--model', 'model.myelin', '--out', 'data.csv/m.onnx'), 2, /for --out but received 'data\.csv\/m\.onnx', whose folder data\.csv is a regular file, not a folder$/m);
    });

    it('item 14: train --out onto a FIFO: exit 2 before training, and the FIFO stays', () => {
      makeFifo(path.join(dir, 'pipe'));
      const run = myelin('train', '--data', 'data.csv', '--epochs', '1', '--out', 'pipe');
      expectOneLine(run, 2, /for --out but received 'pipe', a FIFO$/m);
      expect(fs.lstatSync(path.join(dir, 'pipe')).isFIFO()).to.equal(true);
    });
  });

  describe('item 7: what the CLI inflates is bounded', () => {
    it('item 7: a 540 KB .csv.gz that inflates past 512 MiB stops at the limit, naming the file (a usage error: the file is what is wrong)', () => {
      // 513 gzip members of 1 MiB of zeros each.
      const member = zlib.gzipSync(Buffer.alloc(2 ** 20), { level: 9 });
      fs.writeFileSync(path.join(dir, 'bomb.csv.gz'), Buffer.concat(Array.from({ length: 513 }, () => member)));
      expectOneLine(myelin('train', '--data', 'bomb.csv.gz', '--out', 'x.myelin'), 2, /^error: bomb\.csv\.gz: inflates to more than the limit of 512\.0 MiB$/m);
    });
  });

  describe('item 14: numbers on the command line and in its CSV files', () => {
    it('item 14: --layers 1000000000 is a usage error of one line that gives the limit', () => {
      const run = myelin('train', '--data', 'data.csv', '--layers', '16,1000000000', '--out', 'x.myelin');
      expect(run.code, run.stderr).to.equal(2);
      expect(run.stderr).to.match(/'--layers <units>' argument '16,1000000000' is invalid\. Expected at most 16777216 units in a layer, but '1000000000' is more/);
      expect(run.stderr).to.not.match(/\n\s+at /);
      expect(run.stderr.trim().split('\n').filter((line) => !line.startsWith('(add --help'))).to.have.length(1);
    });

    it('item 14: numeric options are decimals: 0x10, 0b1, Infinity and an empty value are refused', () => {
      for (const [option, value] of [['--learning-rate', '0x10'], ['--learning-rate', 'Infinity'], ['--validation-split', '0b0'], ['--validation-split', ' '], ['--epochs', '0x10'], ['--seed', '0o7']]) {
        const run = myelin('train', '--data', 'data.csv', '--out', 'x.myelin', option as string, value as string);
        expect(run.code, `${option} ${value}: ${run.stderr}`).to.equal(2);
        expect(run.stderr).to.match(new RegExp(`'${option} <[a-z]+>' argument '${escapeRegExp(value as string)}' is invalid`));
      }
      const decimal = myelin('train', '--data', 'data.csv', '--out', 'x.myelin', '--learning-rate', '1e-2', '--validation-split', '.25', '--epochs', '1', '--quiet');
      expect(decimal.code, decimal.stderr).to.equal(0);
    });

    it('item 14: a CSV cell of 1e39 or 0x10 is a usage error naming the file, line and column', () => {
      fs.writeFileSync(path.join(dir, 'big.csv'), ['a,b,label', '1,2,0', '3,1e39,1'].join('\n'));
      expectOneLine(myelin('train', '--data', 'big.csv', '--out', 'x.myelin'), 2, /^error: big\.csv line 3, column 2 \('b'\): expected a number float32 can hold .* but found '1e39'$/m);
      fs.writeFileSync(path.join(dir, 'hex.csv'), ['a,b,label', '0x10,2,0', '3,4,1'].join('\n'));
      expectOneLine(myelin('predict', '--data', 'hex.csv', '--label-column', 'label', '--model', 'model.myelin'), 2, /^error: hex\.csv line 2, column 1 \('a'\): expected a number but found '0x10'$/m);
    });
  });
});
