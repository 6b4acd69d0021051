/** The public surface as the README names it: one export of each module, where the README says it is. */
import { expect } from 'chai';

import * as my from '../lib/index';

describe('the public surface (lib/index.ts)', () => {
  it('exports the data module once, as data (datasets, its old second name, is gone)', () => {
    expect(Object.keys(my)).to.include('data');
    expect(Object.keys(my)).to.not.include('datasets');
    for (const name of ['loadCsv', 'loadDigits', 'loadIdx', 'trainTestSplit', 'standardize', 'minMaxScale', 'scalerFromJSON', 'oneHot']) {
      expect(my.data, name).to.have.property(name).that.is.a('function');
    }
  });

  it('exports crossValidate at the top, not in data', () => {
    expect(my.crossValidate).to.be.a('function');
    expect(my.data).to.not.have.property('crossValidate');
  });
});
