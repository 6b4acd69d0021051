/**
 * What `myelin train` does with its data and options: a validation part drawn at random and
 * stratified (fit's own validationSplit takes the last rows), --early-stopping, --shuffle and
 * --no-shuffle, --metrics, and a missing --out reported after the other errors.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { expectUsageError, json, runMyelin, type Run } from '../helpers/cli';
import { timeLimit } from '../helpers/time';

describe('myelin train options', function () {
  this.timeout(timeLimit(60_000));
  let dir: string;
  const myelin = (...args: string[]): Run => runMyelin(dir, args);

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-cli-train-'));
    // Sorted by class, as the wine data is; every row alike, so an untrained model predicts one
    // class for all and its validation accuracy is that class's share of the validation rows.
    fs.writeFileSync(path.join(dir, 'sorted.csv'), ['a,b,label', ...Array.from({ length: 100 }, (_, i) => `1,2,${i < 50 ? 'first' : 'second'}`)].join('\n'));
    // Two separable classes for training proper.
    fs.writeFileSync(path.join(dir, 'blobs.csv'), ['a,b,label', ...Array.from({ length: 80 }, (_, i) => `${(i % 2) * 4 + Math.sin(i)},${(i % 2) * 4 + Math.cos(i)},${i % 2}`)].join('\n'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--validation-split holds out rows drawn at random, each class keeping its share, not the last rows', () => {
    const run = myelin('train', '--data', 'sorted.csv', '--layers', 'none', '--epochs', '1', '--validation-split', '0.2', '--seed', '3', '--out', 'sorted.myelin', '--json');
    const result = json(run);
    // 10 of each class: whichever class the model predicts, half the validation rows are right.
    // The last 20 rows (fit's validationSplit) would all be 'second': 0 or 1.
    expect((result['final'] as Record<string, number>)['val_accuracy']).to.equal(0.5);
    expect(run.stderr).to.match(/validation: 20 samples held out at random, each class keeping its share \(seed 3\)/);
  });

  it('--seed repeats the split; another seed draws another', () => {
    const final = (seed: string): unknown => json(myelin('train', '--data', 'blobs.csv', '--layers', '4', '--epochs', '3', '--validation-split', '0.25', '--seed', seed, '--out', 'b.myelin', '--json', '--quiet'))['final'];
    expect(final('5')).to.deep.equal(final('5'));
    expect(final('5')).to.not.deep.equal(final('6'));
  });

  it('--early-stopping [patience] stops when val_loss stops improving and keeps the best weights', () => {
    // A learning rate too small to move a float32 weight: val_loss never improves after epoch 1.
    const frozen = ['train', '--data', 'blobs.csv', '--layers', '4', '--learning-rate', '1e-30', '--epochs', '20', '--validation-split', '0.25', '--seed', '1', '--json'];
    const stopped = myelin(...frozen, '--early-stopping', '2', '--out', 'stopped.myelin');
    expect(json(stopped)).to.deep.include({ epochs: 3, bestEpoch: 1 });
    expect(stopped.stderr).to.match(/early stopping: val_loss did not improve for 2 epochs after epoch 1 \(val_loss \d\.\d{4}\), whose weights are kept/);
    expect(json(myelin(...frozen, '--early-stopping', '--out', 'default.myelin'))).to.deep.include({ epochs: 6, bestEpoch: 1 });
    expect(json(myelin(...frozen, '--out', 'all.myelin'))['epochs']).to.equal(20);
    expectUsageError(myelin(...frozen, '--early-stopping', '0', '--out', 'x.myelin'), /'--early-stopping \[patience\]' argument '0' is invalid/);
  });

  it('--no-shuffle keeps the rows in order each epoch (another run than --shuffle, the default)', () => {
    const final = (...extra: string[]): unknown => json(myelin('train', '--data', 'blobs.csv', '--layers', '4', '--epochs', '3', '--batch-size', '8', '--seed', '2', '--out', 's.myelin', '--json', '--quiet', ...extra))['final'];
    const shuffled = final();
    expect(final('--shuffle')).to.deep.equal(shuffled);
    expect(final('--no-shuffle')).to.not.deep.equal(shuffled);
    expect(final('--no-shuffle')).to.deep.equal(final('--no-shuffle'));
  });

  it('--metrics replaces the default metrics; a near miss is a usage error with a suggestion', () => {
    const result = json(myelin('train', '--data', 'blobs.csv', '--epochs', '1', '--validation-split', '0.25', '--metrics', 'accuracy,sparseCategoricalAccuracy', '--out', 'm.myelin', '--json', '--quiet'));
    expect(Object.keys(result['final'] as object).sort()).to.deep.equal(['accuracy', 'loss', 'sparseCategoricalAccuracy', 'val_accuracy', 'val_loss', 'val_sparseCategoricalAccuracy']);
    const none = json(myelin('train', '--data', 'blobs.csv', '--epochs', '1', '--metrics', 'none', '--out', 'm.myelin', '--json', '--quiet'));
    expect(Object.keys(none['final'] as object)).to.deep.equal(['loss']);
    expectUsageError(myelin('train', '--data', 'blobs.csv', '--metrics', 'Accuracy', '--out', 'm.myelin'), /for --metrics but received 'Accuracy' \(string\)\. Did you mean 'accuracy'\?/);
  });

  it('a missing --out is reported after the errors of the names and the data, not before them', () => {
    expectUsageError(myelin('train', '--data', 'blobs.csv', '--activation', 'rellu'), /for --activation but received 'rellu'/);
    expectUsageError(myelin('train', '--data', 'nothing.csv'), /--data nothing\.csv: no such file/);
    fs.writeFileSync(path.join(dir, 'broken.csv'), 'a,b,label\n1,2,0\n3,x,1\n');
    expectUsageError(myelin('train', '--data', 'broken.csv'), /broken\.csv line 3/);
    expectUsageError(myelin('train', '--data', 'blobs.csv', '--validation-split', '0.001'), /--validation-split 0\.001 leaves no samples on one side of the 80/);
    expectUsageError(myelin('train', '--data', 'blobs.csv'), /^error: missing --out <file>/);
  });
});
