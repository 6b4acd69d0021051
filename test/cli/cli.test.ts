/**
 * The `myelin` command run as a user runs it: `node bin/myelin.js ...` as a child process, on
 * the compiled dist/ (npm test builds it first) and the datasets the package ships, in a
 * temporary folder. Exit codes: 0 success, 1 failure while running, 2 usage error.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { expectUsageError, json, root, runMyelin, type Run } from '../helpers/cli';
import { findAll, parseXml } from '../plot/xml';
import { timeLimit } from '../helpers/time';

const digits = path.join(root, 'data', 'digits.csv.gz');
const cancer = path.join(root, 'data', 'breast-cancer.csv');

let dir = '';

function myelin(...args: string[]): Run {
  return runMyelin(dir, args);
}

/** A uint8 IDX file: 0, 0, 0x08, rank, big-endian sizes, then the bytes. */
function writeIdx(file: string, dims: number[], values: number[]): void {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.set([0, 0, 0x08, dims.length]);
  dims.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  fs.writeFileSync(file, Buffer.concat([header, Uint8Array.from(values)]));
}

describe('myelin (command line)', function () {
  this.timeout(timeLimit(60_000));

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-cli-'));
    // target = 2 a - b + 0.5 on a grid.
    const rows = Array.from({ length: 64 }, (_, i) => [i % 8, Math.floor(i / 8), 2 * (i % 8) - Math.floor(i / 8) + 0.5]);
    fs.writeFileSync(path.join(dir, 'line.csv'), ['a,b,target', ...rows.map((r) => r.join(','))].join('\n'));
  });

  after(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  describe('train, evaluate, predict, info, export-onnx on digits', () => {
    let trained: Record<string, unknown>;
    let trainRun: Run;

    before(() => {
      trainRun = myelin('train', '--data', digits, '--layers', '16', '--epochs', '2', '--validation-split', '0.2', '--seed', '1', '--out', 'digits.myelin', '--plot', 'digits.svg', '--json');
      trained = json(trainRun);
    });

    it('train picks a softmax output for integer labels, saves the model and reports on stdout, progress on stderr', () => {
      expect(trained).to.deep.include({ task: 'classification', samples: 1797, features: 64, outputActivation: 'softmax', loss: 'sparseCategoricalCrossentropy', epochs: 2 });
      expect(trained['layers']).to.deep.equal([64, 16, 10]);
      expect(trained['final']).to.have.all.keys('loss', 'accuracy', 'val_loss', 'val_accuracy');
      expect(fs.statSync(path.join(dir, 'digits.myelin')).size).to.be.above(0);
      expect(trainRun.stderr).to.match(/integers 0\.\.9: softmax output of 10 units/);
      expect(trainRun.stderr).to.match(/Epoch 2\/2/);
    });

    it('train --plot writes an SVG with loss and accuracy curves, training and validation', () => {
      const svg = parseXml(fs.readFileSync(path.join(dir, 'digits.svg'), 'utf8'));
      expect(findAll(svg, 'g').map((g) => g.attrs['data-quantity'])).to.deep.equal(['loss', 'accuracy']);
      const series = findAll(svg, 'polyline').map((p) => `${p.attrs['data-series']}:${(p.attrs['points'] as string).split(' ').length}`);
      expect(series).to.deep.equal(['loss:2', 'val_loss:2', 'accuracy:2', 'val_accuracy:2']);
    });

    it('evaluate reports the loss and accuracy, as JSON or as text', () => {
      const result = json(myelin('evaluate', '--model', 'digits.myelin', '--data', digits, '--json'));
      expect(result['samples']).to.equal(1797);
      expect(result['accuracy']).to.be.within(0.5, 1);
      expect(result['loss']).to.be.a('number');
      const text = myelin('evaluate', '--model', 'digits.myelin', '--data', digits, '--quiet');
      expect(text.code).to.equal(0);
      expect(text.stdout).to.match(/^1797 samples: loss \d+\.\d{4}, accuracy \d\.\d{4}\n$/);
      expect(text.stderr).to.equal('');
    });

    it('predict writes a CSV of the class and the probabilities, ignoring the label column', () => {
      const run = myelin('predict', '--model', 'digits.myelin', '--data', digits, '--label-column', '64', '--out', 'predictions.csv');
      expect(run.code, run.stderr).to.equal(0);
      const lines = fs.readFileSync(path.join(dir, 'predictions.csv'), 'utf8').trim().split('\n');
      expect(lines).to.have.length(1798);
      expect(lines[0]).to.equal(['class', ...Array.from({ length: 10 }, (_, j) => `output_${j}`)].join(','));
      for (const line of lines.slice(1, 50)) {
        const [cls, ...probs] = line.split(',').map(Number);
        expect(probs.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-5);
        expect(probs.indexOf(Math.max(...probs))).to.equal(cls);
      }
    });

    it('predict prints to stdout, and --json gives one object per sample', () => {
      const csv = myelin('predict', '--model', 'digits.myelin', '--data', digits, '--label-column', '64');
      expect(csv.code, csv.stderr).to.equal(0);
      expect(csv.stdout.trim().split('\n')).to.have.length(1798);
      const result = json(myelin('predict', '--model', 'digits.myelin', '--data', digits, '--label-column', '64', '--json'));
      const predictions = result['predictions'] as { class: number; outputs: number[] }[];
      expect(predictions).to.have.length(1797);
      expect(predictions[0]?.outputs).to.have.length(10);
    });

    it('info prints the topology, the parameter count and the format version', () => {
      const text = myelin('info', '--model', 'digits.myelin');
      expect(text.code, text.stderr).to.equal(0);
      expect(text.stdout).to.match(/format version 2/);
      expect(text.stdout).to.match(/normalization_\d+ \(Normalization\)\s+\[null, 64\]\s+128/);
      expect(text.stdout).to.match(/dense_\d+ \(Dense\)\s+\[null, 16\]\s+1040/);
      expect(text.stdout).to.match(/dense_\d+ \(Dense\)\s+\[null, 10\]\s+170/);
      const result = json(myelin('info', '--model', 'digits.myelin', '--json'));
      expect(result['params']).to.deep.equal({ total: 128 + 1040 + 170, trainable: 1040 + 170, nonTrainable: 128 });
      expect(result['formatVersion']).to.equal(2);
      expect((result['layers'] as { className: string }[]).map((l) => l.className)).to.deep.equal(['Normalization', 'Dense', 'Dense']);
      expect(result['compile']).to.deep.equal({ loss: 'sparseCategoricalCrossentropy', optimizer: 'Adam', metrics: ['accuracy'] });
    });

    it('export-onnx writes an ONNX file', () => {
      const result = json(myelin('export-onnx', '--model', 'digits.myelin', '--out', 'digits.onnx', '--json'));
      const bytes = fs.readFileSync(path.join(dir, 'digits.onnx'));
      expect(result['bytes']).to.equal(bytes.length);
      // A ModelProto starts with field 1 (ir_version, a varint): tag byte 0x08.
      expect(bytes[0]).to.equal(0x08);
    });

    it('fails with exit code 2 when the model does not fit the data', () => {
      expectUsageError(myelin('evaluate', '--model', 'digits.myelin', '--data', cancer, '--label-column', 'diagnosis'), /takes 64 features per sample but .*breast-cancer\.csv has 30/);
      expectUsageError(myelin('predict', '--model', 'digits.myelin', '--data', digits), /has 65; if one column is the label, name it with --label-column/);
    });
  });

  it('trains on named classes from a CSV header (breast cancer) and lists the classes', () => {
    const result = json(myelin('train', '--data', cancer, '--label-column', 'diagnosis', '--layers', '8', '--epochs', '4', '--learning-rate', '0.01', '--seed', '1', '--out', 'cancer.myelin', '--json', '--quiet'));
    expect(result).to.deep.include({ task: 'classification', features: 30, samples: 569 });
    expect(result['classes']).to.deep.equal(['benign', 'malignant']);
    const evaluated = json(myelin('evaluate', '--model', 'cancer.myelin', '--data', cancer, '--label-column', 'diagnosis', '--json'));
    expect(evaluated['accuracy']).to.be.above(0.7);
  });

  describe("class names, from scikit-learn's wine export (its first line names the classes)", () => {
    const wine = path.join(root, 'test', 'fixtures', 'wine_data.csv');
    let trained: Record<string, unknown>;

    before(() => {
      trained = json(myelin('train', '--data', wine, '--skip-rows', '1', '--layers', '16', '--epochs', '30', '--validation-split', '0.2', '--seed', '1', '--out', 'wine.myelin', '--json', '--quiet'));
    });

    it('train keeps the names of the metadata line and stores them in the model file', () => {
      expect(trained['classes']).to.deep.equal(['class_0', 'class_1', 'class_2']);
      const text = myelin('info', '--model', 'wine.myelin');
      expect(text.stdout).to.match(/^classes: 0 = class_0, 1 = class_1, 2 = class_2$/m);
      expect(json(myelin('info', '--model', 'wine.myelin', '--json'))['classNames']).to.deep.equal(['class_0', 'class_1', 'class_2']);
    });

    it('predict writes the class name in the CSV, and both the index and the name with --json', () => {
      const csv = myelin('predict', '--model', 'wine.myelin', '--data', wine, '--skip-rows', '1', '--label-column', '13');
      const lines = csv.stdout.trim().split('\n');
      expect(lines[0]).to.equal('class,output_0,output_1,output_2');
      const named = lines.slice(1).map((line) => line.split(',')[0]);
      expect(new Set(named)).to.deep.equal(new Set(['class_0', 'class_1', 'class_2']));
      const predictions = json(myelin('predict', '--model', 'wine.myelin', '--data', wine, '--skip-rows', '1', '--label-column', '13', '--json'))['predictions'] as { class: number; className: string; outputs: number[] }[];
      predictions.forEach((p, i) => {
        expect(p.className).to.equal(`class_${p.class}`);
        expect(p.className).to.equal(named[i]);
        expect(p.outputs.indexOf(Math.max(...p.outputs))).to.equal(p.class);
      });
    });

    it("evaluate matches a file's class names to the model's by name, not by the file's own numbering", () => {
      // Only classes 1 and 2, as names: the file alone would number them 0 and 1.
      const rows = fs.readFileSync(wine, 'utf8').trim().split('\n').slice(1).map((line) => line.split(','));
      const kept = rows.filter((f) => f[13] !== '0');
      fs.writeFileSync(path.join(dir, 'wine-1-2.csv'), kept.map((f) => [...f.slice(0, 13), `class_${f[13]}`].join(',')).join('\n'));
      const evaluated = json(myelin('evaluate', '--model', 'wine.myelin', '--data', 'wine-1-2.csv', '--json'));
      const predicted = (json(myelin('predict', '--model', 'wine.myelin', '--data', 'wine-1-2.csv', '--label-column', '13', '--json'))['predictions'] as { className: string }[]);
      const right = predicted.filter((p, i) => p.className === `class_${kept[i]?.[13]}`).length;
      expect(evaluated['accuracy']).to.be.closeTo(right / kept.length, 1e-9);
      fs.writeFileSync(path.join(dir, 'wine-other.csv'), kept.map((f) => [...f.slice(0, 13), 'merlot'].join(',')).join('\n'));
      expectUsageError(myelin('evaluate', '--model', 'wine.myelin', '--data', 'wine-other.csv'), /wine-other\.csv holds the class 'merlot', which is not one of the model's classes \(class_0, class_1, class_2\)/);
    });
  });

  it('trains a regression (linear output, mean squared error) on a numeric label column', () => {
    const result = json(myelin('train', '--data', 'line.csv', '--label-column', 'target', '--layers', 'none', '--epochs', '3', '--out', 'line.myelin', '--json'));
    expect(result).to.deep.include({ task: 'regression', outputActivation: 'linear', loss: 'meanSquaredError' });
    expect(result['layers']).to.deep.equal([2, 1]);
    const csv = myelin('predict', '--model', 'line.myelin', '--data', 'line.csv', '--label-column', 'target');
    expect(csv.stdout.split('\n')[0]).to.equal('output');
    // Without --label-column every column is a feature: the model takes 2, the file has 3.
    expectUsageError(myelin('predict', '--model', 'line.myelin', '--data', 'line.csv'), /takes 2 features per sample but line\.csv has 3/);
  });

  it('trains on IDX images with IDX labels', () => {
    const n = 30;
    writeIdx(path.join(dir, 'images-idx3-ubyte'), [n, 2, 2], Array.from({ length: n * 4 }, (_, i) => (i * 37) % 256));
    writeIdx(path.join(dir, 'labels-idx1-ubyte'), [n], Array.from({ length: n }, (_, i) => i % 3));
    writeIdx(path.join(dir, 'short-labels-idx1-ubyte'), [n - 1], Array.from({ length: n - 1 }, (_, i) => i % 3));
    const result = json(myelin('train', '--data', 'images-idx3-ubyte', '--labels', 'labels-idx1-ubyte', '--layers', '4', '--epochs', '1', '--out', 'idx.myelin', '--json'));
    expect(result).to.deep.include({ task: 'classification', samples: n, features: 4 });
    expect(result['layers']).to.deep.equal([4, 4, 3]);
    expectUsageError(myelin('train', '--data', 'images-idx3-ubyte', '--labels', 'short-labels-idx1-ubyte', '--out', 'x.myelin'), /holds 29 labels but --data images-idx3-ubyte holds 30 samples/);
    expectUsageError(myelin('train', '--data', 'images-idx3-ubyte', '--out', 'x.myelin'), /give its labels with --labels/);
  });

  describe('errors', () => {
    it('exits 2 with one line for a missing file', () => {
      expectUsageError(myelin('train', '--data', 'missing.csv', '--out', 'x.myelin'), /^error: --data missing\.csv: no such file \(--data also takes - for standard input, or a dataset myelin ships: digits, breast-cancer\)\n$/);
      expectUsageError(myelin('info', '--model', 'missing.myelin'), /^error: --model missing\.myelin: no such file\n$/);
    });

    it('exits 2 for a bad label column, by name or by index', () => {
      expectUsageError(myelin('train', '--data', cancer, '--label-column', 'diagnosys', '--out', 'x.myelin'), /--label-column diagnosys is not a column of .*breast-cancer\.csv: expected one of .*'diagnosis'/);
      expectUsageError(myelin('train', '--data', digits, '--label-column', '65', '--out', 'x.myelin'), /--label-column 65 is not a column of .*: expected a column index from 0 to 64/);
    });

    it('exits 2 for an unknown option, a bad option value, an unknown name or a missing required option', () => {
      expectUsageError(myelin('train', '--data', digits, '--out', 'x.myelin', '--frobnicate'), /error: unknown option '--frobnicate'/);
      expectUsageError(myelin('train', '--data', digits, '--out', 'x.myelin', '--epochs', '0'), /'--epochs <n>' argument '0' is invalid\. Expected a positive integer/);
      expectUsageError(myelin('train', '--data', digits, '--out', 'x.myelin', '--layers', '16,x'), /'x' is not one/);
      expectUsageError(myelin('train', '--data', digits, '--out', 'x.myelin', '--validation-split', '1'), /'--validation-split <fraction>' argument '1' is invalid/);
      expectUsageError(myelin('train', '--data', digits, '--out', 'x.myelin', '--activation', 'rellu'), /for --activation but received 'rellu'/);
      expectUsageError(myelin('train', '--data', digits, '--out', 'x.myelin', '--loss', 'binaryCrossentropy'), /--loss binaryCrossentropy needs two classes, but the labels are integers 0\.\.9/);
      expectUsageError(myelin('train', '--data', digits), /^error: missing --out <file>: where to save the trained model, e\.g\. --out model\.myelin\n$/);
      expectUsageError(myelin('frobnicate'), /unknown command 'frobnicate'/);
      expectUsageError(myelin(), /Usage: myelin/);
    });

    it('exits 2 for a file that is not a model, and leaves an existing output alone', () => {
      fs.writeFileSync(path.join(dir, 'not-a-model.myelin'), 'hello');
      expectUsageError(myelin('info', '--model', 'not-a-model.myelin'), /not-a-model\.myelin: not a myelin model file/);
      fs.writeFileSync(path.join(dir, 'keep.myelin'), 'old');
      expectUsageError(myelin('train', '--data', cancer, '--label-column', 'nope', '--out', 'keep.myelin'), /not a column/);
      expect(fs.readFileSync(path.join(dir, 'keep.myelin'), 'utf8')).to.equal('old');
      expectUsageError(myelin('train', '--data', digits, '--out', path.join('no-such-dir', 'x.myelin')), /for --out but received 'no-such-dir\/x\.myelin', whose folder no-such-dir does not exist/);
    });

    it('exits 1 with one line when training fails while running', () => {
      const run = myelin('train', '--data', 'line.csv', '--label-column', 'target', '--no-normalize', '--optimizer', 'sgd', '--learning-rate', '1e30', '--epochs', '2', '--out', 'diverged.myelin', '--quiet');
      expect(run.code).to.equal(1);
      expect(run.stderr).to.match(/^error: The (loss became|optimizer update of epoch \d+, batch \d+ would have made)/);
      expect(run.stderr.trim().split('\n')).to.have.length(1);
      expect(fs.existsSync(path.join(dir, 'diverged.myelin'))).to.equal(false);
    });

    it('--help works for every command and exits 0', () => {
      for (const command of ['train', 'evaluate', 'predict', 'export-onnx', 'info']) {
        const run = myelin(command, '--help');
        expect(run.code).to.equal(0);
        expect(run.stdout).to.include(`Usage: myelin ${command}`);
      }
    });
  });
});
