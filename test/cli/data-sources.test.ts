/**
 * Where the command line's data comes from, as a newcomer gives it: a dataset myelin ships by
 * name (after npm install there is no data/ folder in the working directory), standard input,
 * scikit-learn's CSV exports with their line of metadata; and a data file that is wrong is a
 * usage error (exit 2) naming the file and the line.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

import { expectUsageError, json, root, runMyelin, type Run } from '../helpers/cli';
import { timeLimit } from '../helpers/time';

const wine = path.join(root, 'test', 'fixtures', 'wine_data.csv');

describe('myelin --data', function () {
  this.timeout(timeLimit(60_000));
  let dir: string;
  const myelin = (...args: string[]): Run => runMyelin(dir, args);

  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-cli-data-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('names a shipped dataset (digits, breast-cancer) from any folder, and says which file it read', () => {
    const run = myelin('train', '--data', 'breast-cancer', '--layers', '4', '--epochs', '1', '--out', 'cancer.myelin', '--json');
    expect(json(run)).to.deep.include({ samples: 569, features: 30, classes: ['benign', 'malignant'] });
    expect(run.stderr).to.include(`--data breast-cancer: the breast-cancer dataset shipped with myelin (${path.join(root, 'data', 'breast-cancer.csv')})`);
    expect(json(myelin('evaluate', '--model', 'cancer.myelin', '--data', 'breast-cancer', '--json'))['samples']).to.equal(569);
    expect(json(myelin('train', '--data', 'digits', '--layers', 'none', '--epochs', '1', '--out', 'digits.myelin', '--json', '--quiet'))['samples']).to.equal(1797);
  });

  it('a file of that name in the folder comes first', () => {
    fs.writeFileSync(path.join(dir, 'digits'), 'a,b,label\n1,2,0\n3,4,1\n5,6,0\n7,8,1\n');
    const run = myelin('train', '--data', 'digits', '--epochs', '1', '--out', 'own.myelin', '--json');
    expect(json(run)['samples']).to.equal(4);
    expect(run.stderr).to.not.include('shipped');
    fs.rmSync(path.join(dir, 'digits'));
  });

  it('- reads a CSV from standard input, gzip or not, naming it stdin in errors', () => {
    const csv = fs.readFileSync(wine, 'utf8');
    const plain = runMyelin(dir, ['train', '--data', '-', '--skip-rows', '1', '--epochs', '2', '--out', 'stdin.myelin', '--json', '--quiet'], csv);
    expect(json(plain)).to.deep.include({ samples: 178, features: 13, classes: ['class_0', 'class_1', 'class_2'] });
    const gzip = runMyelin(dir, ['evaluate', '--model', 'stdin.myelin', '--data', '-', '--skip-rows', '1', '--json'], zlib.gzipSync(csv));
    expect(json(gzip)['samples']).to.equal(178);
    expectUsageError(runMyelin(dir, ['train', '--data', '-', '--out', 'x.myelin'], 'a,b,label\n1,2,x\n3,q,y\n'), /^error: stdin line 3, column 2 \('b'\): expected a number but found 'q'\n$/);
  });

  it("refuses scikit-learn's first line of metadata naming the file and line, and suggests --skip-rows 1", () => {
    for (const extra of [[], ['--no-header'], ['--header']]) {
      expectUsageError(myelin('train', '--data', wine, ...extra, '--out', 'x.myelin'), /^error: .*wine_data\.csv line 1: has 5 fields but the lines after it have 14: is it a line of metadata before the data\? \(scikit-learn's CSV exports start with one: rows, features, class names\)\. Skip it with --skip-rows 1\n$/);
    }
    expect(fs.existsSync(path.join(dir, 'x.myelin'))).to.equal(false);
    expectUsageError(myelin('train', '--data', wine, '--skip-rows', '-1', '--out', 'x.myelin'), /'--skip-rows <n>' argument '-1' is invalid/);
  });

  it('a data error is a usage error (exit 2) of one line naming the file, the line and the column', () => {
    fs.writeFileSync(path.join(dir, 'ragged.csv'), 'a,b,label\n1,2,0\n3,4,1\n5,6\n');
    expectUsageError(myelin('train', '--data', 'ragged.csv', '--out', 'x.myelin'), /^error: ragged\.csv line 4: expected 3 fields but found 2\n$/);
    fs.writeFileSync(path.join(dir, 'text.csv'), 'a,b,label\n1,2,0\n3,four,1\n');
    expectUsageError(myelin('predict', '--model', 'digits.myelin', '--data', 'text.csv'), /^error: text\.csv line 3, column 2 \('b'\): expected a number but found 'four'\n$/);
    fs.writeFileSync(path.join(dir, 'bad-idx-images-idx3-ubyte'), Buffer.from([1, 2, 3, 4, 5]));
    expectUsageError(myelin('predict', '--model', 'digits.myelin', '--data', 'bad-idx-images-idx3-ubyte'), /^error: bad-idx-images-idx3-ubyte: not an IDX file/);
  });
});
