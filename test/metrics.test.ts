/**
 * Metrics against brute-force values computed here in float64, accumulation over batches against
 * one big batch, AUC against Keras's bucketed formula (exactly) and the exact rank AUC, and the
 * metrics compile() builds from names.
 */
import { expect } from 'chai';

import * as my from '../lib/index';
import { Random } from '../lib/random';
import { randomArray, randomClasses, oneHot } from './helpers/data';

type MetricLike = ReturnType<typeof my.metrics.precision>;

/** result() of a fresh metric updated with the rows [start, end) of each batch split. */
function over(metric: MetricLike, pred: Float32Array, labels: Float32Array, n: number, c: number, batch = n): number {
  const labelCols = labels.length / n;
  metric.reset();
  for (let start = 0; start < n; start += batch) {
    const end = Math.min(n, start + batch);
    metric.update(pred.subarray(start * c, end * c), labels.subarray(start * labelCols, end * labelCols), end - start, c);
  }
  return metric.result();
}

function probabilities(length: number, seed: number): Float32Array {
  return randomArray(length, seed).map((v) => (v + 1) / 2);
}

function binaryLabels(length: number, seed: number): Float32Array {
  return randomClasses(length, 2, seed);
}

function argmax64(values: ArrayLike<number>, r: number, c: number): number {
  let best = 0;
  for (let j = 1; j < c; j++) if ((values[r * c + j] as number) > (values[r * c + best] as number)) best = j;
  return best;
}

/** keras.metrics.AUC's value, threshold by threshold as its docs define it (no buckets). */
function kerasAuc(pred: Float32Array, labels: Float32Array, numThresholds: number): number {
  const thresholds = [-1e-7];
  for (let j = 1; j < numThresholds - 1; j++) thresholds.push(j / (numThresholds - 1));
  thresholds.push(1 + 1e-7);
  const tpr: number[] = [];
  const fpr: number[] = [];
  for (const t of thresholds) {
    let tp = 0;
    let fp = 0;
    let fn = 0;
    let tn = 0;
    pred.forEach((p, i) => {
      const y = labels[i] as number;
      if (p > t) {
        tp += y;
        fp += 1 - y;
      } else {
        fn += y;
        tn += 1 - y;
      }
    });
    tpr.push(tp + fn === 0 ? 0 : tp / (tp + fn));
    fpr.push(fp + tn === 0 ? 0 : fp / (fp + tn));
  }
  let area = 0;
  for (let j = 0; j < numThresholds - 1; j++) area += ((fpr[j] as number) - (fpr[j + 1] as number)) * (((tpr[j] as number) + (tpr[j + 1] as number)) / 2);
  return area;
}

/** The exact ROC AUC: the chance a positive outscores a negative, ties counting half. */
function rankAuc(pred: Float32Array, labels: Float32Array): number {
  let wins = 0;
  let pairs = 0;
  pred.forEach((p, i) => {
    if (labels[i] !== 1) return;
    pred.forEach((q, j) => {
      if (labels[j] !== 0) return;
      pairs++;
      wins += p > q ? 1 : p === q ? 0.5 : 0;
    });
  });
  return wins / pairs;
}

describe('metrics', () => {
  const N = 57;
  const C = 5;

  describe('against brute force, and batch by batch as in one batch', () => {
    const pred = probabilities(N * C, 1);
    const targets = oneHot(randomClasses(N, C, 2), C);
    const indices = randomClasses(N, C, 2);
    const multiLabel = binaryLabels(N * C, 3);

    const cases: [string, () => MetricLike, Float32Array, () => number][] = [
      ['binaryAccuracy', () => my.metrics.binaryAccuracy(), multiLabel, () => multiLabel.filter((y, i) => ((pred[i] as number) > 0.5 ? 1 : 0) === y).length / (N * C)],
      ['binaryAccuracy threshold 0.3', () => my.metrics.binaryAccuracy({ threshold: 0.3 }), multiLabel, () => multiLabel.filter((y, i) => ((pred[i] as number) > 0.3 ? 1 : 0) === y).length / (N * C)],
      ['categoricalAccuracy', () => my.metrics.categoricalAccuracy(), targets, () => indices.filter((y, r) => argmax64(pred, r, C) === y).length / N],
      ['sparseCategoricalAccuracy', () => my.metrics.sparseCategoricalAccuracy(), indices, () => indices.filter((y, r) => argmax64(pred, r, C) === y).length / N],
      ['meanSquaredError', () => my.metrics.meanSquaredError(), multiLabel, () => Array.from(pred).reduce((s, p, i) => s + (p - (multiLabel[i] as number)) ** 2, 0) / (N * C)],
      ['meanAbsoluteError', () => my.metrics.meanAbsoluteError(), multiLabel, () => Array.from(pred).reduce((s, p, i) => s + Math.abs(p - (multiLabel[i] as number)), 0) / (N * C)],
      ['precision', () => my.metrics.precision(), multiLabel, () => {
        const positive = Array.from(pred).map((p) => p > 0.5);
        return positive.filter((p, i) => p && multiLabel[i] === 1).length / positive.filter((p) => p).length;
      }],
      ['recall threshold 0.7', () => my.metrics.recall({ thresholds: 0.7 }), multiLabel, () => {
        const found = Array.from(multiLabel).filter((y, i) => y === 1 && (pred[i] as number) > 0.7).length;
        return found / multiLabel.filter((y) => y === 1).length;
      }],
    ];
    for (const k of [1, 2, 3]) {
      /** The true class's rank: how many outputs beat it. */
      const inTopK = (r: number): boolean => Array.from(pred.subarray(r * C, r * C + C)).filter((p) => p > (pred[r * C + (indices[r] as number)] as number)).length < k;
      const reference = (): number => Array.from(indices).filter((_, r) => inTopK(r)).length / N;
      cases.push([`topKCategoricalAccuracy k=${k}`, () => my.metrics.topKCategoricalAccuracy({ k }), targets, reference]);
      cases.push([`sparseTopKCategoricalAccuracy k=${k}`, () => my.metrics.sparseTopKCategoricalAccuracy({ k }), indices, reference]);
    }

    for (const [name, make, labels, reference] of cases) {
      it(name, () => {
        const expected = reference();
        expect(expected).to.be.within(0.01, 0.99);
        const metric = make();
        expect(over(metric, pred, labels, N, C)).to.be.closeTo(expected, 1e-12);
        for (const batch of [1, 7, 33]) expect(over(metric, pred, labels, N, C, batch), `batches of ${batch}`).to.be.closeTo(expected, 1e-12);
      });
    }
  });

  it('top-k counts a tie at the k-th place as a hit, as tf.math.in_top_k', () => {
    const metric = my.metrics.sparseTopKCategoricalAccuracy({ k: 1 });
    metric.update(Float32Array.from([0.5, 0.5, 0, 0.2, 0.7, 0.1]), Float32Array.from([1, 0]), 2, 3);
    expect(metric.result()).to.equal(0.5);
    metric.update(Float32Array.from([0.3, 0.3, 0.4]), Float32Array.from([2]), 1, 3);
    expect(metric.result()).to.be.closeTo(2 / 3, 1e-15);
  });

  it('precision and recall are 0, not NaN, with nothing predicted or nothing to find', () => {
    const precision = my.metrics.precision();
    const recall = my.metrics.recall();
    for (const m of [precision, recall]) m.update(Float32Array.from([0.1, 0.2]), Float32Array.from([0, 0]), 2, 1);
    expect(precision.result()).to.equal(0);
    expect(recall.result()).to.equal(0);
  });

  describe('auc', () => {
    const n = 400;
    const labels = binaryLabels(n, 11);
    const noise = randomArray(n, 12);
    const pred = labels.map((y, i) => 1 / (1 + Math.exp(-(2 * y - 1 + 1.5 * (noise[i] as number)))));
    // Outputs exactly at 0, at 1 and on thresholds, where bucketing must match the definition.
    pred.set([0, 1, 0.5, 100 / 199, 0, 1], 0);

    for (const numThresholds of [200, 7, 1000]) {
      it(`equals Keras's bucketed formula with numThresholds ${numThresholds}, batch by batch too`, () => {
        const expected = kerasAuc(pred, labels, numThresholds);
        const metric = my.metrics.auc({ numThresholds });
        for (const batch of [n, 1, 33]) expect(over(metric, pred, labels, n, 1, batch), `batches of ${batch}`).to.be.closeTo(expected, 1e-12);
      });
    }

    it('is within the bucketing error of the exact rank AUC', () => {
      const exact = rankAuc(pred, labels);
      expect(exact).to.be.within(0.7, 0.95);
      expect(over(my.metrics.auc(), pred, labels, n, 1)).to.be.closeTo(exact, 5e-3);
      expect(over(my.metrics.auc({ numThresholds: 5000 }), pred, labels, n, 1)).to.be.closeTo(exact, 2e-4);
    });

    it('is 1 for a perfect ranking, 0 for a reversed one and 0 with one class only', () => {
      const y = Float32Array.from([0, 0, 1, 1]);
      expect(over(my.metrics.auc(), Float32Array.from([0.1, 0.2, 0.8, 0.9]), y, 4, 1)).to.be.closeTo(1, 1e-12);
      expect(over(my.metrics.auc(), Float32Array.from([0.9, 0.8, 0.2, 0.1]), y, 4, 1)).to.be.closeTo(0, 1e-12);
      expect(over(my.metrics.auc(), Float32Array.from([0.9, 0.8]), Float32Array.from([1, 1]), 2, 1)).to.equal(0);
    });
  });

  it('reset() forgets, and clone() has the same configuration and no state', () => {
    const metric = my.metrics.binaryAccuracy({ threshold: 0.25, name: 'acc25' });
    metric.update(Float32Array.from([0.3]), Float32Array.from([1]), 1, 1);
    const twin = metric.clone();
    expect(twin.name).to.equal('acc25');
    expect(twin.result()).to.equal(0);
    twin.update(Float32Array.from([0.3]), Float32Array.from([0]), 1, 1);
    expect([metric.result(), twin.result()]).to.deep.equal([1, 0]);
    metric.reset();
    expect(metric.result()).to.equal(0);
  });

  describe('in compile() and evaluate()', () => {
    function model(units: number, activation: 'sigmoid' | 'softmax'): my.Sequential {
      my.seed(5);
      return my.sequential([my.layers.dense({ inputShape: [3], units, activation })]);
    }
    const rng = new Random(9);
    const x = Array.from({ length: 41 }, () => [rng.normal(), rng.normal(), rng.normal()]);

    it("log under the names given; 'accuracy' picks its variant from the loss and the output width", () => {
      const binary = model(1, 'sigmoid');
      const y = Array.from({ length: 41 }, (_, i) => [i % 2]);
      binary.compile({ optimizer: 'sgd', loss: 'binaryCrossentropy', metrics: ['acc', 'mae', my.metrics.precision({ name: 'p' }), my.metrics.auc()] });
      const logs = binary.evaluate(x, y, { batchSize: 6 });
      expect(Object.keys(logs)).to.deep.equal(['loss', 'acc', 'mae', 'p', 'auc']);
      const p = binary.predict(x).data;
      const labels = Float32Array.from(y.flat());
      expect(logs['acc']).to.be.closeTo(over(my.metrics.binaryAccuracy(), p, labels, 41, 1), 1e-12);
      expect(logs['p']).to.be.closeTo(over(my.metrics.precision(), p, labels, 41, 1), 1e-12);
      // Accumulated over 7 batches of evaluate, not averaged per batch: AUC is no mean.
      expect(logs['auc']).to.be.closeTo(kerasAuc(p, labels, 200), 1e-12);

      const sparse = model(4, 'softmax');
      sparse.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'sparseTopKCategoricalAccuracy'] });
      const classes = Float32Array.from({ length: 41 }, (_, i) => i % 4);
      const sparseLogs = sparse.evaluate(x, classes, { batchSize: 10 });
      const probs = sparse.predict(x).data;
      expect(sparseLogs['accuracy']).to.be.closeTo(over(my.metrics.sparseCategoricalAccuracy(), probs, classes, 41, 4), 1e-12);
      expect(sparseLogs['sparseTopKCategoricalAccuracy']).to.equal(1);

      const categorical = model(4, 'softmax');
      categorical.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: 'accuracy' });
      const logsC = categorical.evaluate(x, { data: oneHot(classes, 4), shape: [41, 4] });
      expect(logsC['accuracy']).to.be.closeTo(sparseLogs['accuracy'] as number, 1e-12);
    });

    it('a metric object passed to compile is copied: the model never touches it', () => {
      const metric = my.metrics.meanAbsoluteError();
      const m = model(1, 'sigmoid');
      m.compile({ optimizer: 'sgd', loss: 'meanSquaredError', metrics: [metric] });
      m.evaluate(x, Array.from({ length: 41 }, () => [1]));
      expect(metric.result()).to.equal(0);
    });

    it('refuses metrics that do not fit the loss or the outputs, and duplicate names', () => {
      const sparse = model(4, 'softmax');
      expect(() => sparse.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['precision'] })).to.throw(RangeError, /for metrics\[0\] but received 'precision', which reads labels shaped like the outputs/);
      const dense = model(4, 'softmax');
      expect(() => dense.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['accuracy', 'sparseCategoricalAccuracy'] })).to.throw(RangeError, /for metrics\[1\] but received 'sparseCategoricalAccuracy', which reads class indices/);
      expect(() => dense.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['auc'] })).to.throw(my.ShapeError, /one output column for auc .* but received 4 outputs/);
      expect(() => dense.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['mae', my.metrics.meanSquaredError({ name: 'mae' })] })).to.throw(RangeError, /for metrics\[1\] but received 'mae' again/);
      expect(() => dense.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: ['Precision' as 'precision'] })).to.throw(RangeError, /for metrics\[0\] but received 'Precision' \(string\)\. Did you mean 'precision'\?/);
      expect(() => dense.compile({ optimizer: 'sgd', loss: 'categoricalCrossentropy', metrics: [{}] as unknown as 'mae'[] })).to.throw(TypeError, /Expected a metric name .* for metrics\[0\] but received an object/);
    });
  });

  it('factories check their options', () => {
    expect(() => my.metrics.precision({ thresholds: 1.5 })).to.throw(RangeError, /Expected a number in \[0, 1\] for thresholds but received 1.5/);
    expect(() => my.metrics.topKCategoricalAccuracy({ k: 0 })).to.throw(RangeError, /positive integer for k but received 0/);
    expect(() => my.metrics.auc({ numThresholds: 1 })).to.throw(RangeError, /an integer >= 2 .* for numThresholds but received 1/);
    expect(() => my.metrics.recall({ threshold: 0.5 } as my.metrics.ThresholdConfig)).to.throw(RangeError, /for recall config.threshold but received an unknown option 'threshold'/);
    expect(() => my.metrics.auc({ name: '' })).to.throw(RangeError, /non-empty string for auc config.name/);
  });
});
