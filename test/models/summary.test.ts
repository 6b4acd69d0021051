/** model.summary(): Keras's table; for a graph model with InputLayer rows and the column `Connected to`. */
import { expect } from 'chai';

import * as my from '../../lib/index';
import { twoHeadModel } from '../helpers/graph-model';

describe('model.summary()', () => {
  it("prints a Sequential's table as before: no model line, no `Connected to`", () => {
    my.seed(1);
    const model = my.sequential([my.layers.dense({ inputShape: [4], units: 3, name: 'hidden' }), my.layers.batchNormalization({ name: 'bn' }), my.layers.dense({ units: 2, name: 'out' })]);
    const printed: string[] = [];
    const text = model.summary((line) => printed.push(line));
    expect(printed.join('\n')).to.equal(text);
    // What the summary printed before graph models, checked against that code.
    expect(text.split('\n')).to.deep.equal([
      '________________________________________________',
      'Layer (type)             Output shape  Param #',
      '================================================',
      'hidden (Dense)           [null, 3]     15',
      '________________________________________________',
      'bn (BatchNormalization)  [null, 3]     12',
      '________________________________________________',
      'out (Dense)              [null, 2]     8',
      '================================================',
      'Total params: 35',
      'Trainable params: 29',
      'Non-trainable params: 6',
      '________________________________________________',
    ]);
  });

  it("prints a graph model's inputs, each layer's inbound tensors per application, and counts a shared layer once", () => {
    const model = twoHeadModel();
    const lines = model.summary(() => {}).split('\n');
    expect(lines[0]).to.equal('Model: "two_heads"');
    expect(lines[2]).to.match(/^Layer \(type\)\s+Output shape\s+Param #\s+Connected to$/);
    const rows = lines.filter((line) => !/^[_=]+$/.test(line)).slice(2, -3).map((line) => line.split(/\s{2,}/));
    expect(rows).to.deep.equal([
      ['x (InputLayer)', '[null, 4]', '0'],
      ['z (InputLayer)', '[null, 3]', '0'],
      ['shared (Dense)', '[null, 6]', '30', 'x[0][0]'],
      ['', 'lift[0][0]'],
      ['lift (Dense)', '[null, 4]', '16', 'z[0][0]'],
      ['sum (Add)', '[null, 6]', '0', 'shared[0][0], shared[1][0]'],
      ['bn (BatchNormalization)', '[null, 6]', '24', 'sum[0][0]'],
      ['drop (Dropout)', '[null, 6]', '0', 'bn[0][0]'],
      ['cat (Concatenate)', '[null, 12]', '0', 'drop[0][0], shared[0][0]'],
      ['cls (Dense)', '[null, 3]', '39', 'cat[0][0]'],
      ['reg (Dense)', '[null, 2]', '14', 'drop[0][0]'],
    ]);
    // The second application's line sits in the `Connected to` column, under the first.
    const shared = lines.findIndex((line) => line.startsWith('shared (Dense)'));
    expect((lines[shared + 1] as string).indexOf('lift[0][0]')).to.equal((lines[shared] as string).indexOf('x[0][0]'));
    // 30 + 16 + 24 + 39 + 14: the shared Dense once, though it runs twice.
    expect(lines.slice(-4, -1)).to.deep.equal(['Total params: 123', 'Trainable params: 111', 'Non-trainable params: 12']);
    expect(model.countParams()).to.equal(123);
  });

  it('names a model input by its name and a single input model gets one InputLayer row', () => {
    my.seed(2);
    const x = my.input({ shape: [5], name: 'pixels' });
    const model = my.model({ inputs: x, outputs: my.layers.dense({ units: 2, name: 'd' }).apply(x), name: 'tiny' });
    const text = model.summary(() => {});
    expect(text).to.match(/^Model: "tiny"\n/);
    expect(text).to.match(/\npixels \(InputLayer\)\s+\[null, 5\]\s+0\n/);
    expect(text).to.match(/\nd \(Dense\)\s+\[null, 2\]\s+12\s+pixels\[0\]\[0\]\n/);
  });
});
