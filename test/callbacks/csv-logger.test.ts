import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { expect } from 'chai';

import * as my from '../../lib/index';
import { tinyModel } from './drive';

const X = [[0, 1], [1, 0], [1, 1], [2, 1]];
const Y = [[1], [0], [2], [1]];

describe('callbacks.csvLogger()', () => {
  let dir: string;
  before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-csv-'))));
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('writes a header, then one whole row per epoch as it ends', async () => {
    const file = path.join(dir, 'log.csv');
    fs.writeFileSync(file, 'old content\n');
    const model = tinyModel(0.05);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: ['mae'] });
    const onDisk: string[] = [];
    const history = await model.fit(X, Y, {
      epochs: 3,
      validationSplit: 0.25,
      verbose: 0,
      callbacks: [my.callbacks.csvLogger(file), { onEpochEnd: () => void onDisk.push(fs.readFileSync(file, 'utf8')) }],
    });
    const h = history.history;
    const rows = [0, 1, 2].map((e) => [e, h['loss']?.[e], h['mae']?.[e], h['val_loss']?.[e], h['val_mae']?.[e]].join(','));
    const expected = ['epoch,loss,mae,val_loss,val_mae', ...rows].join('\n') + '\n';
    expect(fs.readFileSync(file, 'utf8')).to.equal(expected);
    expect(onDisk).to.deep.equal([1, 2, 3].map((k) => expected.split('\n').slice(0, k + 1).join('\n') + '\n'));
  });

  it('appends without a second header, with another separator, quoting where needed', async () => {
    const file = path.join(dir, 'append.csv');
    const model = tinyModel(0.05);
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: [my.metrics.meanAbsoluteError({ name: 'a;b' })] });
    const logger = my.callbacks.csvLogger(file, { separator: ';', append: true });
    const first = await model.fit(X, Y, { epochs: 1, verbose: 0, callbacks: [logger] });
    const second = await model.fit(X, Y, { epochs: 2, initialEpoch: 1, verbose: 0, callbacks: [logger] });
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines).to.deep.equal([
      'epoch;"a;b";loss',
      `0;${first.history['a;b']?.[0]};${first.history['loss']?.[0]}`,
      `1;${second.history['a;b']?.[0]};${second.history['loss']?.[0]}`,
      '',
    ]);
  });

  it('checks its arguments', () => {
    expect(() => my.callbacks.csvLogger(3 as unknown as string)).to.throw(TypeError, /Expected a file path \(string\) for csvLogger path but received 3/);
    expect(() => my.callbacks.csvLogger('')).to.throw(RangeError, /csvLogger path but received an empty string/);
    expect(() => my.callbacks.csvLogger('x.csv', { separator: '' })).to.throw(RangeError, /csvLogger separator/);
    expect(() => my.callbacks.csvLogger('x.csv', { append: 'yes' as unknown as boolean })).to.throw(TypeError, /a boolean for csvLogger append/);
  });
});
