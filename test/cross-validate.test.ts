import { expect } from 'chai';

import * as my from '../lib/index';

const FOLDS = 3;

/** Awaits a promise that must reject with `type` and a message matching `pattern`. */
async function expectRejection(promise: Promise<unknown>, type: new (...args: never[]) => Error, pattern: RegExp): Promise<void> {
  let error: unknown = null;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  expect(error).to.be.instanceOf(type);
  expect((error as Error).message).to.match(pattern);
}

/** The digits with a 65th column holding each sample's index / n, so folds can be traced back. */
function tracedDigits(): { x: my.Tensor; y: my.Tensor; n: number } {
  const { x, y } = my.data.loadDigits();
  const n = x.shape[0] as number;
  const data = new Float32Array(n * 65);
  for (let i = 0; i < n; i++) {
    data.set(x.data.subarray(i * 64, (i + 1) * 64), i * 65);
    data[i * 65 + 64] = i / n;
  }
  return { x: new my.Tensor(data, [n, 65]), y, n };
}

function sampleIds(x: unknown, n: number): number[] {
  const t = x as my.Tensor;
  return Array.from({ length: t.shape[0] as number }, (_, r) => Math.round((t.data[r * 65 + 64] as number) * n));
}

interface Recorded {
  train: number[][];
  test: number[][];
  fitArgs: my.FitArgs[];
}

/** A small softmax classifier whose fit and evaluate record the samples they are given. */
function recordingBuilder(n: number, recorded: Recorded): () => my.Sequential {
  return () => {
    const model = my.sequential([my.layers.dense({ inputShape: [65], units: 32, activation: 'relu' }), my.layers.dense({ units: 10, activation: 'softmax' })]);
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const fit = model.fit.bind(model);
    const evaluate = model.evaluate.bind(model);
    model.fit = (x, y, args) => {
      recorded.train.push(sampleIds(x, n));
      recorded.fitArgs.push(args ?? {});
      return fit(x, y, args);
    };
    model.evaluate = (x, y, args) => {
      recorded.test.push(sampleIds(x, n));
      return evaluate(x, y, args);
    };
    return model;
  };
}

function classCounts(ids: number[], y: my.Tensor): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const i of ids) counts[y.data[i] as number] = (counts[y.data[i] as number] as number) + 1;
  return counts;
}

describe('crossValidate()', function () {
  this.timeout(20_000);
  const { x, y, n } = tracedDigits();
  const range = Array.from({ length: n }, (_, i) => i);

  it('trains a fresh model on the other folds and evaluates each held-out fold of a partition', async () => {
    my.seed(21);
    const recorded: Recorded = { train: [], test: [], fitArgs: [] };
    const result = await my.crossValidate(recordingBuilder(n, recorded), x, y, { folds: FOLDS, epochs: 10, batchSize: 32 });

    expect(result.folds).to.have.length(FOLDS);
    expect(recorded.test.map((ids) => ids.length)).to.deep.equal([599, 599, 599]);
    expect(recorded.test.flat().sort((a, b) => a - b), 'the held-out folds partition the samples').to.deep.equal(range);
    recorded.test.forEach((test, f) => {
      const train = recorded.train[f] as number[];
      expect(train).to.have.length(n - test.length);
      expect([...train, ...test].sort((a, b) => a - b), `fold ${f}: train and test partition the samples`).to.deep.equal(range);
    });
    recorded.fitArgs.forEach((args) => expect(args).to.deep.equal({ verbose: 0, epochs: 10, batchSize: 32, shuffle: true }));

    for (const key of ['loss', 'accuracy']) {
      const values = result.folds.map((logs) => logs[key] as number);
      const mean = values.reduce((a, b) => a + b, 0) / FOLDS;
      const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / FOLDS);
      expect(result.mean[key], key).to.be.closeTo(mean, 1e-12);
      expect(result.std[key], key).to.be.closeTo(std, 1e-12);
      expect(result.std[key], key).to.be.above(0);
    }
    expect(result.mean['accuracy']).to.be.above(0.85);
  });

  it('with stratify gives every fold each class share to within one sample', async () => {
    const shares = (stratify: boolean) => async (): Promise<number[][]> => {
      my.seed(5);
      const recorded: Recorded = { train: [], test: [], fitArgs: [] };
      await my.crossValidate(recordingBuilder(n, recorded), x, y, { folds: FOLDS, stratify, epochs: 1 });
      return recorded.test.map((ids) => classCounts(ids, y));
    };
    const totals = classCounts(range, y);
    const stratified = await shares(true)();
    stratified.forEach((counts) => counts.forEach((c, k) => expect(Math.abs(c - (totals[k] as number) / FOLDS)).to.be.below(1)));
    expect(stratified.map((counts) => counts.reduce((a, b) => a + b, 0))).to.deep.equal([599, 599, 599]);
    const plain = await shares(false)();
    const worst = Math.max(...plain.flatMap((counts) => counts.map((c, k) => Math.abs(c - (totals[k] as number) / FOLDS))));
    expect(worst, 'unstratified folds drift (so the check above can fail)').to.be.above(2);
  });

  it('passes shuffle: false to fit and deals contiguous folds', async () => {
    const recorded: Recorded = { train: [], test: [], fitArgs: [] };
    await my.crossValidate(recordingBuilder(n, recorded), x, y, { folds: 2, shuffle: false, epochs: 1, verbose: 0 });
    expect(recorded.test[0]).to.deep.equal(range.slice(0, 899));
    expect(recorded.test[1]).to.deep.equal(range.slice(899));
    expect(recorded.fitArgs[0]?.shuffle).to.equal(false);
  });

  describe('bad arguments', () => {
    const build = recordingBuilder(n, { train: [], test: [], fitArgs: [] });
    const small = { x: [[0], [1], [2]], y: [0, 1, 0] };
    const tiny = (): my.Sequential => {
      const model = my.sequential([my.layers.dense({ inputShape: [1], units: 1, activation: 'sigmoid' })]);
      model.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy' });
      return model;
    };

    it('rejects folds below 2, above the sample count or fractional', async () => {
      for (const folds of [1, 4, 2.5]) {
        await expectRejection(my.crossValidate(tiny, small.x, small.y, { folds }), my.ArgumentRangeError, /folds/);
      }
      await expectRejection(my.crossValidate(tiny, small.x, small.y, { folds: 4 }), my.ArgumentRangeError, /integer from 2 to 3 \(the number of samples\) for folds/);
    });

    it('rejects a buildModel that is not a function, returns no model, an uncompiled one or the same one twice', async () => {
      await expectRejection(my.crossValidate(5 as never, x, y), my.ArgumentTypeError, /buildModel/);
      await expectRejection(my.crossValidate((() => ({})) as never, x, y), my.ArgumentTypeError, /new compiled model \(sequential\(\) or model\(\)\) for buildModel but received a function returning an object/);
      const uncompiled = (): my.Sequential => my.sequential([my.layers.dense({ inputShape: [1], units: 1 })]);
      await expectRejection(my.crossValidate(uncompiled, small.x, small.y, { folds: 3 }), my.ArgumentRangeError, /not compiled. Call model.compile/);
      const shared = tiny();
      await expectRejection(my.crossValidate(() => shared, small.x, small.y, { folds: 3 }), my.ArgumentRangeError, /same model twice/);
    });

    it('rejects mismatched x and y, and bad fit arguments through fit', async () => {
      await expectRejection(my.crossValidate(build, x, [0, 1]), my.ShapeError, /1797 samples/);
      await expectRejection(my.crossValidate(tiny, small.x, small.y, { folds: 3, stratify: 'yes' as never }), my.ArgumentTypeError, /stratify/);
      await expectRejection(my.crossValidate(tiny, small.x, small.y, { folds: 3, epochs: 0 }), my.ArgumentRangeError, /epochs/);
    });
  });
});
