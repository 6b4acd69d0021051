import { expect } from 'chai';

import { loadCsv, loadDigits } from '../../lib/data';

describe('data.loadDigits()', () => {
  it('loads the 1797 shipped digits, pixels scaled to [0, 1], labels 0..9', () => {
    const { x, y } = loadDigits();
    expect(x.shape).to.deep.equal([1797, 64]);
    expect(y.shape).to.deep.equal([1797, 1]);
    // reduce, not Math.min(...x.data): 115,008 arguments overflow the stack of Node on arm64.
    expect(x.data.reduce((a, b) => Math.min(a, b))).to.equal(0);
    expect(x.data.reduce((a, b) => Math.max(a, b))).to.equal(1);
    expect([...new Set(y.data)].sort((a, b) => a - b)).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });
});

describe('the shipped breast-cancer.csv', () => {
  it('loads with its header and its two class names', () => {
    const { x, y, columns, classes } = loadCsv(`${__dirname}/../../data/breast-cancer.csv`, { labelColumn: 'diagnosis' });
    expect(x.shape).to.deep.equal([569, 30]);
    expect(columns?.[0]).to.equal('mean radius');
    expect(classes).to.deep.equal(['benign', 'malignant']);
    expect(y.data.filter((c) => c === 1)).to.have.length(212);
  });
});
