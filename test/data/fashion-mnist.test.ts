import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { loadFashionMnist } from '../../lib/data';
import { ArgumentRangeError, ArgumentTypeError, MyelinError } from '../../lib/errors';

describe('data.loadFashionMnist()', () => {
  // CI installs the Debian package; a machine without it fails here with the install command.
  it('loads the installed files with the right shapes, pixels in [0, 1] and labels 0..9', function () {
    this.timeout(30_000);
    const { xTrain, yTrain, xTest, yTest, classes } = loadFashionMnist();
    expect(xTrain.shape).to.deep.equal([60000, 784]);
    expect(yTrain.shape).to.deep.equal([60000, 1]);
    expect(xTest.shape).to.deep.equal([10000, 784]);
    expect(yTest.shape).to.deep.equal([10000, 1]);
    expect(classes).to.have.length(10);
    let min = Infinity;
    let max = -Infinity;
    for (const v of xTest.data) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    expect([min, max]).to.deep.equal([0, 1]);
    const counts = new Array<number>(10).fill(0);
    for (const c of yTest.data) counts[c] = (counts[c] as number) + 1;
    expect(counts, 'the test set has 1000 images of each class').to.deep.equal(new Array(10).fill(1000));
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
