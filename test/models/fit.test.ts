/** fit()'s options: initialEpoch, sampleWeight, classWeight, the logs it reports, its checks. */
import { expect } from 'chai';

import * as my from '../../lib/index';
import { Random } from '../../lib/random';
import { expectClose, VALUES } from '../helpers/compare';
import { rejects } from '../helpers/rejects';

const N = 12;
const rng = new Random(17);
const X = Array.from({ length: N }, () => [rng.normal(), rng.normal(), rng.normal()]);
const CLASSES = Array.from({ length: N }, (_, i) => i % 3);
const TARGETS = Array.from({ length: N }, (_, i) => [Math.sin(i), Math.cos(i)]);
const WEIGHTS = Array.from({ length: N }, (_, i) => (i % 4) * 0.5);

function regression(learningRate = 0.1): my.Sequential {
  my.seed(21);
  const model = my.sequential([my.layers.dense({ inputShape: [3], units: 2 })]);
  model.compile({ optimizer: my.optimizers.sgd({ learningRate }), loss: 'meanSquaredError' });
  model.getWeights(); // initializes the weights now, before fit's shuffle draws from the same generator
  return model;
}

function classifier(loss: 'sparseCategoricalCrossentropy' | 'categoricalCrossentropy' = 'sparseCategoricalCrossentropy'): my.Sequential {
  my.seed(22);
  const model = my.sequential([my.layers.dense({ inputShape: [3], units: 3, activation: 'softmax' })]);
  model.compile({ optimizer: my.optimizers.sgd({ learningRate: 0.5 }), loss, metrics: ['accuracy'] });
  return model;
}

const weightsOf = (model: my.Sequential): number[] => model.getWeights().flatMap((w) => Array.from(w.data));

/** Per-sample mean squared error of the model's current predictions, in float64. */
function sampleLosses(model: my.Sequential, x: number[][], y: number[][]): number[] {
  const p = model.predict(x).toArray();
  return y.map((row, i) => row.reduce((s, t, j) => s + ((p[i]?.[j] as number) - t) ** 2, 0) / row.length);
}

describe('fit()', () => {
  describe('initialEpoch', () => {
    it('runs epochs initialEpoch to epochs - 1 and reports their real indices', async () => {
      const model = regression();
      const begun: number[] = [];
      const lines: string[] = [];
      const write = process.stdout.write;
      process.stdout.write = ((chunk: string) => lines.push(chunk) > 0) as unknown as typeof process.stdout.write;
      let history: my.History;
      try {
        history = await model.fit(X, TARGETS, { epochs: 5, initialEpoch: 3, verbose: 2, callbacks: { onEpochBegin: (e) => void begun.push(e) } });
      } finally {
        process.stdout.write = write;
      }
      expect(history.epoch).to.deep.equal([3, 4]);
      expect(begun).to.deep.equal([3, 4]);
      expect(lines.map((l) => l.slice(0, 10))).to.deep.equal(['Epoch 4/5 ', 'Epoch 5/5 ']);
    });
  });

  describe('gradient descent modes', () => {
    it('batch (batchSize = samples), stochastic (1) and mini-batch take ceil(samples / batchSize) steps', async () => {
      for (const [batchSize, steps] of [[N, 1], [1, N], [5, 3]] as const) {
        const history = await regression().fit(X, TARGETS, { batchSize, verbose: 0 });
        expect(history.params.steps, `batchSize ${batchSize}`).to.equal(steps);
      }
    });

    it('one epoch of batch gradient descent is one step on the whole set', async () => {
      const viaFit = regression();
      await viaFit.fit(X, TARGETS, { batchSize: N, shuffle: false, verbose: 0 });
      const viaStep = regression();
      viaStep.trainOnBatch(X, TARGETS);
      expect(weightsOf(viaFit)).to.deep.equal(weightsOf(viaStep));
    });
  });

  describe('logs', () => {
    it('batch logs hold the loss and metrics over the epoch so far; epoch logs over the whole epoch', async () => {
      // A rate so small no weight moves: every batch sees the model evaluate() sees.
      my.seed(23);
      const model = my.sequential([my.layers.dense({ inputShape: [3], units: 1, activation: 'sigmoid' })]);
      model.compile({ optimizer: my.optimizers.sgd({ learningRate: 1e-30 }), loss: 'binaryCrossentropy', metrics: ['accuracy', 'auc'] });
      const y = CLASSES.map((c) => [c === 0 ? 1 : 0]);
      const batchLogs: my.Logs[] = [];
      const history = await model.fit(X, y, { batchSize: 5, shuffle: false, verbose: 0, callbacks: { onBatchEnd: (_b, logs) => void batchLogs.push({ ...logs }) } });
      const got = batchLogs.map((l) => [l['size'], l['loss'], l['accuracy'], l['auc']]);
      const expected = [5, 10, 12].map((end, b) => {
        const logs = model.evaluate(X.slice(0, end), y.slice(0, end));
        return [end - b * 5, logs['loss'], logs['accuracy'], logs['auc']] as number[];
      });
      expectClose(got.flat() as number[], expected.flat(), VALUES, 'running batch logs');
      expect(history.history['auc']?.[0]).to.be.closeTo(expected[2]?.[3] as number, 1e-12);
    });
  });

  it('evaluate() from a callback during fit leaves the running metrics of the epoch alone', async () => {
    const run = async (probe: boolean): Promise<number[]> => {
      const model = classifier();
      const history = await model.fit(X, CLASSES, { epochs: 2, batchSize: 4, verbose: 0, callbacks: { onBatchEnd: () => void (probe && model.evaluate(X.slice(0, 2), CLASSES.slice(0, 2))) } });
      return history.history['accuracy'] as number[];
    };
    expect(await run(true)).to.deep.equal(await run(false));
  });

  describe('validationSplit', () => {
    it("holds out the last rows, unshuffled, as Keras does, even when fit shuffles (shuffle: true)", async () => {
      const model = regression();
      const history = await model.fit(X, TARGETS, { validationSplit: 0.25, shuffle: true, verbose: 0 });
      const held = N / 4;
      const last = sampleLosses(model, X.slice(N - held), TARGETS.slice(N - held)).reduce((a, b) => a + b, 0) / held;
      const first = sampleLosses(model, X.slice(0, held), TARGETS.slice(0, held)).reduce((a, b) => a + b, 0) / held;
      expect(Math.abs(last - first)).to.be.above(1e-3);
      expect(history.history['val_loss']?.[0]).to.be.closeTo(last, 1e-5 * last);
    });
  });

  describe('sampleWeight', () => {
    it('the loss reported is sum(w_i loss_i) / n, as Keras reduces it', async () => {
      const model = regression();
      const losses = sampleLosses(model, X, TARGETS);
      const history = await model.fit(X, TARGETS, { batchSize: N, shuffle: false, sampleWeight: WEIGHTS, verbose: 0 });
      const expected = losses.reduce((s, l, i) => s + l * (WEIGHTS[i] as number), 0) / N;
      const unweighted = losses.reduce((s, l) => s + l, 0) / N;
      expect(Math.abs(expected - unweighted)).to.be.above(1e-3);
      expect(history.history['loss']?.[0]).to.be.closeTo(expected, 1e-5 * expected);
    });

    it('is gathered with its rows when shuffling', async () => {
      const fitWith = async (shuffle: boolean) => {
        const model = regression();
        const history = await model.fit(X, TARGETS, { batchSize: N, shuffle, sampleWeight: Float32Array.from(WEIGHTS), verbose: 0 });
        return { loss: history.history['loss']?.[0] as number, weights: weightsOf(model) };
      };
      const [ordered, shuffled] = [await fitWith(false), await fitWith(true)];
      expect(shuffled.loss).to.be.closeTo(ordered.loss, 1e-6);
      expectClose(shuffled.weights, ordered.weights, VALUES, 'weights after a shuffled step');
    });

    it('the samples validationSplit holds out keep their weights for val_loss', async () => {
      const model = regression();
      const history = await model.fit(X, TARGETS, { validationSplit: 0.5, sampleWeight: WEIGHTS, verbose: 0 });
      const held = N / 2;
      const losses = sampleLosses(model, X.slice(held), TARGETS.slice(held));
      const expected = losses.reduce((s, l, i) => s + l * (WEIGHTS[held + i] as number), 0) / held;
      expect(history.history['val_loss']?.[0]).to.be.closeTo(expected, 1e-5 * expected);
    });
  });

  describe('classWeight', () => {
    /** Weights after two shuffled epochs of mini-batches on (X, y). */
    async function trained(model: my.Sequential, y: my.LabelsLike, options: my.FitArgs): Promise<number[]> {
      await model.fit(X, y, { epochs: 2, batchSize: 4, verbose: 0, ...options });
      return weightsOf(model);
    }

    it('{0: 2} trains as sampleWeight 2 on the class-0 samples (sparse labels), unlike no weights', async () => {
      const classWeighted = await trained(classifier(), CLASSES, { classWeight: { 0: 2 } });
      const sampleWeighted = await trained(classifier(), CLASSES, { sampleWeight: CLASSES.map((c) => (c === 0 ? 2 : 1)) });
      const plain = await trained(classifier(), CLASSES, {});
      expectClose(classWeighted, sampleWeighted, VALUES, 'classWeight vs sampleWeight');
      expect(Math.max(...classWeighted.map((w, i) => Math.abs(w - (plain[i] as number))))).to.be.above(1e-3);
    });

    it('reads one-hot labels by argmax and one output by its rounded value', async () => {
      const oneHot = CLASSES.map((c) => [0, 1, 2].map((k) => (k === c ? 1 : 0)));
      const byClass = await trained(classifier('categoricalCrossentropy'), oneHot, { classWeight: { 2: 3, 7: 5 } });
      const bySample = await trained(classifier('categoricalCrossentropy'), oneHot, { sampleWeight: CLASSES.map((c) => (c === 2 ? 3 : 1)) });
      expectClose(byClass, bySample, VALUES, 'one-hot labels');

      const binary = (): my.Sequential => {
        my.seed(24);
        const model = my.sequential([my.layers.dense({ inputShape: [3], units: 1, activation: 'sigmoid' })]);
        model.compile({ optimizer: my.optimizers.sgd({ learningRate: 0.5 }), loss: 'binaryCrossentropy' });
        return model;
      };
      const y = CLASSES.map((c) => [c === 1 ? 1 : 0]);
      const byClass01 = await trained(binary(), y, { classWeight: { 1: 4 } });
      const bySample01 = await trained(binary(), y, { sampleWeight: CLASSES.map((c) => (c === 1 ? 4 : 1)) });
      expectClose(byClass01, bySample01, VALUES, 'one output');
    });

    it('multiplies sampleWeight', async () => {
      const both = await trained(classifier(), CLASSES, { classWeight: { 1: 3 }, sampleWeight: WEIGHTS });
      const product = await trained(classifier(), CLASSES, { sampleWeight: WEIGHTS.map((w, i) => w * (CLASSES[i] === 1 ? 3 : 1)) });
      expectClose(both, product, VALUES, 'classWeight x sampleWeight');
    });
  });

  describe('a non-finite loss', () => {
    it('throws a TrainingError that points to terminateOnNaN when no callback stops', async () => {
      const model = my.sequential([my.layers.dense({ inputShape: [1], units: 1 })]);
      model.compile({ optimizer: my.optimizers.sgd({ learningRate: 1e10 }), loss: 'meanSquaredError' });
      const error = await rejects(model.fit([[1e10], [2e10]], [[1], [2]], { epochs: 50, batchSize: 2, verbose: 0 }));
      expect(error).to.be.instanceOf(my.TrainingError);
      expect(error.message).to.match(/pass callbacks\.terminateOnNaN\(\) to end fit without an error/);
    });
  });

  describe('bad options', () => {
    const cases: [string, my.FitArgs, ErrorConstructor | typeof my.ShapeError, RegExp][] = [
      ['initialEpoch >= epochs', { epochs: 3, initialEpoch: 3 }, RangeError, /Expected an epoch index below epochs \(3\) for initialEpoch but received 3 \(number\)\. epochs is the index to stop before/],
      ['initialEpoch -1', { initialEpoch: -1 }, RangeError, /non-negative integer for initialEpoch but received -1/],
      ['sampleWeight of the wrong length', { sampleWeight: [1, 2] }, my.ShapeError, /Expected 12 weights, one per sample of x for sampleWeight but received shape \[2, 1\]/],
      ['a negative sample weight', { sampleWeight: WEIGHTS.map((w, i) => (i === 5 ? -1 : w)) }, RangeError, /Expected a finite weight >= 0 for sampleWeight\[5\] but received -1/],
      ['a NaN sample weight', { sampleWeight: WEIGHTS.map((w, i) => (i === 2 ? NaN : w)) }, RangeError, /for sampleWeight\[2\] but received NaN/],
      ['sampleWeight not an array', { sampleWeight: 2 as unknown as number[] }, TypeError, /a Float32Array or number\[\] of one weight per sample for sampleWeight but received 2/],
      ['classWeight not an object', { classWeight: [2, 1] as unknown as Record<number, number> }, TypeError, /Expected an object for classWeight but received an array/],
      ['classWeight a Map', { classWeight: new Map([[0, 2]]) as unknown as Record<number, number> }, TypeError, /a plain object \{ \[classIndex\]: weight \} for classWeight but received a Map/],
      ['a classWeight key that is no class index', { classWeight: { cat: 2 } as unknown as Record<number, number> }, RangeError, /class indices \(integers >= 0\) as keys for classWeight but received the key 'cat'/],
      ['a negative class weight', { classWeight: { 1: -2 } }, RangeError, /Expected a number >= 0 for classWeight\[1\] but received -2/],
    ];
    for (const [name, options, ErrorClass, pattern] of cases) {
      it(name, async () => {
        const error = await rejects(classifier().fit(X, CLASSES, { verbose: 0, ...options }));
        expect(error).to.be.instanceOf(ErrorClass);
        expect(error.message).to.match(pattern);
      });
    }
  });
});
