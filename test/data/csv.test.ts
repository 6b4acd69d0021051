import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

import { loadCsv } from '../../lib/data';
import { parseCsv } from '../../lib/data/csv';
import { ArgumentRangeError, ArgumentTypeError, DataFormatError } from '../../lib/errors';

const FLOWERS = path.join(__dirname, '..', 'fixtures', 'flowers.csv');
/** scikit-learn's export: a first line `178,13,class_0,class_1,class_2`, then 13 features and the class index. */
const WINE = path.join(__dirname, '..', 'fixtures', 'wine_data.csv');

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
    expect(() => loadCsv(file)).to.throw(DataFormatError, /bad\.csv line 3, column 2 \('b'\): expected a number but found 'abc'/);
    const empty = write('empty-field.csv', '1,,0\n');
    expect(() => loadCsv(empty, { header: false })).to.throw(DataFormatError, /empty-field\.csv line 1, column 2: expected a number but found ''/);
    const noLabel = write('no-label.csv', 'a,label\n1, \n');
    expect(() => loadCsv(noLabel)).to.throw(DataFormatError, /line 2, column 2 \('label'\): expected a label but found an empty field/);
  });

  it('rejects a row with the wrong number of fields, and a file without data', () => {
    const ragged = write('ragged.csv', 'a,b,label\n1,2,0\n3,4\n');
    expect(() => loadCsv(ragged)).to.throw(DataFormatError, /ragged\.csv line 3: expected 3 fields but found 2/);
    const headerOnly = write('header-only.csv', 'a,b,label\n\n');
    expect(() => loadCsv(headerOnly)).to.throw(DataFormatError, /header-only\.csv: no data rows after the header/);
    const oneColumn = write('one-column.csv', '1\n2\n');
    expect(() => loadCsv(oneColumn, { header: false })).to.throw(DataFormatError, /at least 2 columns/);
  });

  it('tells a header from a first line of data when not told: a line whose features are all numbers is data', () => {
    const headerless = loadCsv(write('headerless.csv', '1,2,yes\n3,4,no\n'));
    expect(headerless.x.toArray()).to.deep.equal([[1, 2], [3, 4]]);
    expect(headerless.columns).to.equal(undefined);
    expect(headerless.classes).to.deep.equal(['no', 'yes']);
    const labelFirst = loadCsv(write('label-first.csv', 'yes,1,2\nno,3,4\n'), { labelColumn: 0 });
    expect(labelFirst.x.toArray()).to.deep.equal([[1, 2], [3, 4]]);
    const named = loadCsv(write('named.csv', '1,2,label\n3,4,0\n'), { labelColumn: 'label' });
    expect(named.columns).to.deep.equal(['1', '2']);
    expect(loadCsv(write('forced.csv', '1,2,3\n4,5,6\n'), { header: true }).columns).to.deep.equal(['1', '2']);
  });

  it("refuses a first line of metadata (scikit-learn's export) naming the line and suggesting skipRows: 1, with or without header", () => {
    for (const args of [{}, { header: false }, { header: true }]) {
      let error: unknown;
      try {
        loadCsv(WINE, args);
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(DataFormatError);
      const e = error as DataFormatError;
      expect(e.message).to.match(/wine_data\.csv line 1: has 5 fields but the lines after it have 14: is it a line of metadata before the data\? \(scikit-learn's CSV exports start with one: rows, features, class names\)\. Skip it with skipRows: 1$/);
      expect([e.file, e.line, e.skipRows]).to.deep.equal([WINE, 1, 1]);
    }
    // A line of metadata after the lines skipped: the suggestion counts them all.
    const twice = write('two-lines.csv', 'title\n3,2\n1,2,0\n3,4,1\n5,6,0\n');
    expect(() => loadCsv(twice, { skipRows: 1 })).to.throw(DataFormatError, /two-lines\.csv line 2: has 2 fields but the lines after it have 3: .*Skip it with skipRows: 2$/);
    expect(loadCsv(twice, { skipRows: 2 }).x.shape).to.deep.equal([3, 2]);
    // A ragged line further down is that line's error, not a suggestion.
    expect(() => loadCsv(write('ragged-third.csv', 'a,b,label\n1,2\n3,4,0\n'))).to.throw(DataFormatError, /line 2: expected 3 fields but found 2$/);
  });

  it("skipRows: 1 reads scikit-learn's export, its class names from the skipped line", () => {
    const { x, y, columns, classes } = loadCsv(WINE, { skipRows: 1 });
    expect(x.shape).to.deep.equal([178, 13]);
    expect(x.toArray()[0]?.[0]).to.equal(Math.fround(14.23));
    expect(columns).to.equal(undefined);
    expect(classes).to.deep.equal(['class_0', 'class_1', 'class_2']);
    expect([0, 1, 2].map((c) => y.data.filter((v) => v === c).length)).to.deep.equal([59, 71, 48]);
    // The names stay in the file's order (scikit-learn's breast cancer: 0 malignant, 1 benign), not sorted.
    const cancer = loadCsv(write('cancer.csv', '3,2,malignant,benign\n1,2,0\n3,4,1\n5,6,1\n'), { skipRows: 1 });
    expect(cancer.classes).to.deep.equal(['malignant', 'benign']);
  });

  it('takes no class names from a skipped line that does not describe the data', () => {
    for (const [name, first] of [['rows.csv', '4,2,a,b'], ['features.csv', '3,3,a,b'], ['too-few.csv', '3,2,a'], ['title.csv', 'my data,,']]) {
      const { classes } = loadCsv(write(name as string, `${first}\n1,2,0\n3,4,1\n5,6,1\n`), { skipRows: 1 });
      expect(classes, name).to.equal(undefined);
    }
    // Labels beyond the names given (class 2 of two names) or not integers: not these classes.
    expect(loadCsv(write('beyond.csv', '3,2,a,b\n1,2,0\n3,4,2\n5,6,1\n'), { skipRows: 1 }).classes).to.equal(undefined);
    expect(loadCsv(write('real.csv', '3,2,a,b\n1,2,0.5\n3,4,1\n5,6,1\n'), { skipRows: 1 }).classes).to.equal(undefined);
  });

  it('parseCsv reads bytes already in memory (standard input), naming them as told in errors', () => {
    const { x, classes } = parseCsv(Buffer.from('a,b,label\n1,2,x\n3,4,y\n'), 'stdin');
    expect(x.toArray()).to.deep.equal([[1, 2], [3, 4]]);
    expect(classes).to.deep.equal(['x', 'y']);
    expect(() => parseCsv(Buffer.from('a,b,label\n1,z,x\n'), 'stdin')).to.throw(DataFormatError, /^stdin line 2, column 2 \('b'\): expected a number but found 'z'$/);
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
    expect(() => loadCsv(FLOWERS, { skipRows: -1 })).to.throw(ArgumentRangeError, /non-negative integer for skipRows/);
    expect(() => loadCsv(FLOWERS, { skiprows: 1 } as never)).to.throw(ArgumentRangeError, /Did you mean 'skipRows'/);
    expect(() => loadCsv(3 as never)).to.throw(ArgumentTypeError, /file path/);
    expect(() => loadCsv(path.join(dir, 'missing.csv'))).to.throw(/ENOENT.*missing\.csv/);
  });
});
