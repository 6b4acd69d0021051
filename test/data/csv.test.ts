import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

import { loadCsv } from '../../lib/data';
import { ArgumentRangeError, ArgumentTypeError, MyelinError } from '../../lib/errors';

const FLOWERS = path.join(__dirname, '..', 'fixtures', 'flowers.csv');

describe('data.loadCsv()', () => {
  let dir: string;
  const write = (name: string, text: string | Buffer): string => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, text);
    return file;
  };

  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-csv-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('reads a header, string labels by name (sorted classes), CRLF lines, quotes and blank lines', () => {
    const { x, y, columns, classes } = loadCsv(FLOWERS, { labelColumn: 'species' });
    expect(columns).to.deep.equal(['sepal length', 'sepal width', 'petal length']);
    expect(classes).to.deep.equal(['setosa', 'versicolor', 'virginica']);
    expect(x.shape).to.deep.equal([5, 3]);
    expect(x.toArray()[2]).to.deep.equal([Math.fround(6.3), Math.fround(3.3), 6]);
    expect(y.shape).to.deep.equal([5, 1]);
    expect([...y.data]).to.deep.equal([0, 1, 2, 0, 1]);
  });

  it('takes the label column by index, and the last column by default', () => {
    const byIndex = loadCsv(FLOWERS, { labelColumn: 2 });
    expect([...byIndex.y.data]).to.deep.equal([0, 1, 2, 0, 1]);
    const last = loadCsv(write('default.csv', 'a,b,target\n1,2,3.5\n4,5,6\n'));
    expect(last.columns).to.deep.equal(['a', 'b']);
    expect(last.classes).to.equal(undefined);
    expect([...last.y.data]).to.deep.equal([3.5, 6]);
  });

  it('keeps numeric labels as they are, without a header, with another delimiter', () => {
    const file = write('numbers.csv', '1;2;0.5\n3;4;-7\n');
    const { x, y, columns, classes } = loadCsv(file, { header: false, delimiter: ';' });
    expect(x.toArray()).to.deep.equal([[1, 2], [3, 4]]);
    expect([...y.data]).to.deep.equal([0.5, -7]);
    expect(columns).to.equal(undefined);
    expect(classes).to.equal(undefined);
  });

  it('reads a gzip-compressed file, told by its magic bytes', () => {
    const file = write('numbers.data', zlib.gzipSync('a,b,label\n1,2,yes\n3,4,no\n'));
    const { x, y, classes } = loadCsv(file);
    expect(x.toArray()).to.deep.equal([[1, 2], [3, 4]]);
    expect(classes).to.deep.equal(['no', 'yes']);
    expect([...y.data]).to.deep.equal([1, 0]);
  });

  it('names the file, line and column of a value that is not a number', () => {
    const file = write('bad.csv', 'a,b,label\n1,2,x\n3,abc,y\n');
    expect(() => loadCsv(file)).to.throw(MyelinError, /bad\.csv line 3, column 2 \('b'\): expected a number but found 'abc'/);
    const empty = write('empty-field.csv', '1,,0\n');
    expect(() => loadCsv(empty, { header: false })).to.throw(MyelinError, /empty-field\.csv line 1, column 2: expected a number but found ''/);
    const noLabel = write('no-label.csv', 'a,label\n1, \n');
    expect(() => loadCsv(noLabel)).to.throw(MyelinError, /line 2, column 2 \('label'\): expected a label but found an empty field/);
  });

  it('rejects a row with the wrong number of fields, and a file without data', () => {
    const ragged = write('ragged.csv', 'a,b,label\n1,2,0\n3,4\n');
    expect(() => loadCsv(ragged)).to.throw(MyelinError, /ragged\.csv line 3: expected 3 fields but found 2/);
    const headerOnly = write('header-only.csv', 'a,b,label\n\n');
    expect(() => loadCsv(headerOnly)).to.throw(MyelinError, /header-only\.csv: no data rows after the header/);
    const oneColumn = write('one-column.csv', '1\n2\n');
    expect(() => loadCsv(oneColumn, { header: false })).to.throw(MyelinError, /at least 2 columns/);
  });

  it('validates its options', () => {
    expect(() => loadCsv(FLOWERS, { labelColumn: 'Species' })).to.throw(ArgumentRangeError, /labelColumn.*Did you mean 'species'/);
    expect(() => loadCsv(FLOWERS, { labelColumn: 4 })).to.throw(ArgumentRangeError, /column index from 0 to 3 for labelColumn/);
    expect(() => loadCsv(FLOWERS, { labelColumn: 1.5 })).to.throw(ArgumentRangeError, /labelColumn/);
    expect(() => loadCsv(FLOWERS, { labelColumn: 'species', header: false })).to.throw(ArgumentRangeError, /no header/);
    expect(() => loadCsv(FLOWERS, { delimiter: ';;' })).to.throw(ArgumentRangeError, /delimiter/);
    expect(() => loadCsv(FLOWERS, { delimiter: 9 as never })).to.throw(ArgumentTypeError, /delimiter/);
    expect(() => loadCsv(FLOWERS, { header: 'yes' as never })).to.throw(ArgumentTypeError, /header/);
    expect(() => loadCsv(FLOWERS, { label: 0 } as never)).to.throw(ArgumentRangeError, /args\.label/);
    expect(() => loadCsv(3 as never)).to.throw(ArgumentTypeError, /file path/);
    expect(() => loadCsv(path.join(dir, 'missing.csv'))).to.throw(/ENOENT.*missing\.csv/);
  });
});
