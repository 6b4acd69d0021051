/**
 * Training a graph model: fit over many trips trains exactly as one trainOnBatch per batch (a graph
 * of two inputs and two outputs with a shared layer, dropout and batch normalization, with Adam),
 * fit on the main thread (a regularizer in JavaScript) agrees within float32 rounding, and every
 * layer, optimizer and clipping mode trains a small graph.
 */
import { expect } from 'chai';

import { native } from '../../lib/backend';
import * as my from '../../lib/index';
import type { Regularizer } from '../../lib/regularizers';
import { expectClose } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { timeLimit } from '../helpers/time';

// Wide rows make a trip hold few steps (its staging is bounded in floats): 23 batches of 8 rows
// and a last of 4 are several trips, each queued behind the one before.
const [X_FEATURES, Z_FEATURES] = [1900, 1100];
const SAMPLES = 188;
const BATCH = 8;
const xData = randomArray(SAMPLES * X_FEATURES, 501);
const zData = randomArray(SAMPLES * Z_FEATURES, 502);
const clsData = Float32Array.from({ length: SAMPLES }, (_, i) => ((xData[i * X_FEATURES] as number) > 0 ? 1 : 0) + ((zData[i * Z_FEATURES] as number) > 0.3 ? 1 : 0));
const regData = Float32Array.from({ length: SAMPLES * 2 }, (_, i) => (zData[(i >> 1) * Z_FEATURES + (i % 2)] as number) - (xData[(i >> 1) * X_FEATURES + 1] as number));

/** An L2 penalty written in JavaScript: the same numbers as the built-in one, but no plan can run it. */
function javascriptL2(l2: number): Regularizer {
  const builtIn = my.regularizers.l2({ l2 });
  return { className: 'JavascriptL2', getConfig: () => ({ l2 }), apply: (values, grads, scale) => builtIn.apply(values, grads, scale) };
}

/**
 * x [1900] and z [1100], each through its own dense layer, then one shared dense layer applied to
 * both, added, dropout, batch normalization; heads 'cls' (softmax over 3) and 'reg' (2, linear,
 * also reading the shared layer's z branch).
 */
function twoByTwo(regularizer: Regularizer | 'l2'): my.Functional {
  my.seed(9);
  const x = my.input({ shape: [X_FEATURES], name: 'x' });
  const z = my.input({ shape: [Z_FEATURES], name: 'z' });
  const a = my.layers.dense({ units: 6, activation: 'relu', kernelRegularizer: regularizer === 'l2' ? my.regularizers.l2({ l2: 1e-3 }) : regularizer }).apply(x);
  const b = my.layers.dense({ units: 6, activation: 'tanh' }).apply(z);
  const shared = my.layers.dense({ units: 6, activation: 'tanh', name: 'shared' });
  const sb = shared.apply(b);
  const trunk = my.layers.batchNormalization().apply(my.layers.dropout({ rate: 0.25 }).apply(my.layers.add().apply([shared.apply(a), sb])));
  const cls = my.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(trunk);
  const reg = my.layers.dense({ units: 2, name: 'reg' }).apply(my.layers.concatenate().apply([trunk, sb]));
  const model = my.model({ inputs: [x, z], outputs: [cls, reg] });
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 1e-3 }), loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'], lossWeights: [1, 0.5], metrics: { cls: 'accuracy' } });
  model.getWeights();
  return model;
}

const weightsOf = (m: my.Model): Float32Array => Float32Array.from(m.getWeights().flatMap((w) => Array.from(w.data)));
const rows = (data: Float32Array, cols: number, start: number, n: number): my.Tensor => my.tensor2d(data.subarray(start * cols, (start + n) * cols), [n, cols]);

describe('fit() of a graph model of two inputs and two outputs', function () {
  this.timeout(timeLimit(60_000));
  const X = my.tensor2d(xData, [SAMPLES, X_FEATURES]);
  const Z = my.tensor2d(zData, [SAMPLES, Z_FEATURES]);
  const CLS = my.tensor2d(clsData, [SAMPLES, 1]);
  const REG = my.tensor2d(regData, [SAMPLES, 2]);
  const EPOCHS = 2;

  it('over many trips trains as one trainOnBatch per batch does, bit for bit (shared layer, dropout, batch normalization, Adam)', async () => {
    const fitted = twoByTwo('l2');
    const runsBefore = native.planStats().runs;
    const history = await fitted.fit({ x: X, z: Z }, [CLS, REG], { epochs: EPOCHS, batchSize: BATCH, shuffle: false, verbose: 0 });
    const trips = native.planStats().runs - runsBefore;
    const steps = Math.ceil(SAMPLES / BATCH);
    expect(trips, 'fit ran its steps in several trips').to.be.above(2);
    const stepped = twoByTwo('l2');
    const losses: number[] = [];
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      let sum = 0;
      for (let start = 0; start < SAMPLES; start += BATCH) {
        const n = Math.min(BATCH, SAMPLES - start);
        sum += n * stepped.trainOnBatch([rows(xData, X_FEATURES, start, n), rows(zData, Z_FEATURES, start, n)], { cls: rows(clsData, 1, start, n), reg: rows(regData, 2, start, n) });
      }
      losses.push(sum / SAMPLES);
    }
    expect(fitted.optimizer.iterations).to.equal(EPOCHS * steps);
    expect(stepped.optimizer.iterations).to.equal(fitted.optimizer.iterations);
    expect(Array.from(weightsOf(fitted))).to.deep.equal(Array.from(weightsOf(stepped)));
    const reported = history.history['loss'] as number[];
    for (let e = 0; e < EPOCHS; e++) expect(reported[e]).to.be.closeTo(losses[e] as number, 1e-6);
    expect(Object.keys(history.history).sort()).to.deep.equal(['cls_accuracy', 'cls_loss', 'loss', 'reg_loss']);
    // The weights moved: the comparison is of training, not of two untouched models.
    expect(Array.from(weightsOf(fitted))).to.not.deep.equal(Array.from(weightsOf(twoByTwo('l2'))));
  });

  it('on the main thread (a regularizer in JavaScript) trains as it does off it, within float32 rounding', async () => {
    // Each model made (seeding the generator) just before its training: dropout draws from the generator.
    const args = { epochs: EPOCHS, batchSize: BATCH, shuffle: false, verbose: 0 } as const;
    const onThread = twoByTwo(javascriptL2(1e-3));
    expect(onThread.plannable).to.equal(false);
    const runsBefore = native.planStats().runs;
    const h1 = await onThread.fit([X, Z], { cls: CLS, reg: REG }, args);
    expect(native.planStats().runs - runsBefore, 'no plan ran for the main-thread model').to.equal(0);
    const offThread = twoByTwo('l2');
    expect(offThread.plannable).to.equal(true);
    const h2 = await offThread.fit([X, Z], { cls: CLS, reg: REG }, args);
    expect(onThread.optimizer.iterations).to.equal(offThread.optimizer.iterations);
    expectClose(weightsOf(onThread), weightsOf(offThread), { atol: 1e-5, rtol: 1e-4 }, 'weights');
    for (const key of Object.keys(h2.history)) expectClose(h1.history[key] as number[], h2.history[key] as number[], { atol: 1e-6, rtol: 1e-5 }, key);
    // trainOnBatch on the main thread too.
    const stepped = twoByTwo(javascriptL2(1e-3));
    for (let epoch = 0; epoch < EPOCHS; epoch++) {
      for (let start = 0; start < SAMPLES; start += BATCH) {
        const n = Math.min(BATCH, SAMPLES - start);
        stepped.trainOnBatch([rows(xData, X_FEATURES, start, n), rows(zData, Z_FEATURES, start, n)], [rows(clsData, 1, start, n), rows(regData, 2, start, n)]);
      }
    }
    expect(Array.from(weightsOf(stepped))).to.deep.equal(Array.from(weightsOf(onThread)));
  });

  it('with sampleWeight per output, classWeight and validationSplit: on the main thread as off it, and each step\'s loss by the weights', async () => {
    const weights = { cls: Float32Array.from({ length: SAMPLES }, (_, i) => (i % 5) / 2), reg: Float32Array.from({ length: SAMPLES }, (_, i) => 1 + (i % 3)) };
    const args = { epochs: EPOCHS, batchSize: BATCH, shuffle: false, verbose: 0, validationSplit: 0.25, sampleWeight: weights, classWeight: { cls: { 0: 3, 2: 0.5 } } } as const;
    const onThread = twoByTwo(javascriptL2(1e-3));
    const h1 = await onThread.fit([X, Z], [CLS, REG], args);
    const offThread = twoByTwo('l2');
    const h2 = await offThread.fit([X, Z], [CLS, REG], args);
    expectClose(weightsOf(onThread), weightsOf(offThread), { atol: 1e-5, rtol: 1e-4 }, 'weights');
    expect(Object.keys(h2.history).sort()).to.deep.equal(['cls_accuracy', 'cls_loss', 'loss', 'reg_loss', 'val_cls_accuracy', 'val_cls_loss', 'val_loss', 'val_reg_loss']);
    for (const key of Object.keys(h2.history)) expectClose(h1.history[key] as number[], h2.history[key] as number[], { atol: 1e-6, rtol: 1e-5 }, key);
    // The same fit with the weights left out trains otherwise: they were read.
    const unweighted = twoByTwo('l2');
    await unweighted.fit([X, Z], [CLS, REG], { epochs: EPOCHS, batchSize: BATCH, shuffle: false, verbose: 0, validationSplit: 0.25 });
    expect(Array.from(weightsOf(unweighted))).to.not.deep.equal(Array.from(weightsOf(offThread)));
  });
});

/** A small regression problem: y = a linear map of x and its squares, 2 outputs. */
const SMALL = 64;
const smallX = randomArray(SMALL * 4, 511);
const smallY = Float32Array.from({ length: SMALL * 2 }, (_, i) => {
  const r = i >> 1;
  const v = (j: number): number => smallX[r * 4 + j] as number;
  return i % 2 === 0 ? v(0) - 0.5 * v(1) + v(2) * v(2) : 0.3 * v(3) + v(0) * v(1);
});

/** x [4] -> dense 8 tanh -> `layer` -> added to dense 8 (x) -> dense 2, and a second head on the layer's output. */
function smallGraph(layer: my.layers.Layer, optimizer: my.CompileArgs['optimizer']): my.Functional {
  my.seed(13);
  const x = my.input({ shape: [4], name: 'x' });
  const h = my.layers.dense({ units: 8, activation: 'tanh' }).apply(x);
  const tested = layer.apply(h);
  const out = my.layers.dense({ units: 2, name: 'out' }).apply(my.layers.add().apply([tested, my.layers.dense({ units: 8 }).apply(x)]));
  const side = my.layers.dense({ units: 1, name: 'side' }).apply(tested);
  const model = my.model({ inputs: x, outputs: [out, side] });
  model.compile({ optimizer, loss: 'meanSquaredError', lossWeights: { side: 0.1 } });
  return model;
}

async function lossFalls(model: my.Functional, epochs = 40): Promise<{ before: number; after: number }> {
  const xs = my.tensor2d(smallX, [SMALL, 4]);
  const ys = { out: my.tensor2d(smallY, [SMALL, 2]), side: my.tensor2d(Float32Array.from({ length: SMALL }, (_, r) => smallY[2 * r] as number), [SMALL, 1]) };
  const before = model.evaluate(xs, ys)['loss'] as number;
  await model.fit(xs, ys, { epochs, batchSize: 16, verbose: 0 });
  const after = model.evaluate(xs, ys)['loss'] as number;
  for (const w of model.getWeights()) expect(w.data.every(Number.isFinite)).to.equal(true);
  return { before, after };
}

describe('every layer trains in a graph model', function () {
  this.timeout(timeLimit(60_000));
  const layers: [string, () => my.layers.Layer][] = [
    ['dense with regularizers and constraints', () => my.layers.dense({ units: 8, activation: 'relu', kernelRegularizer: 'l2', biasRegularizer: my.regularizers.l1({ l1: 1e-3 }), activityRegularizer: my.regularizers.l2({ l2: 1e-4 }), kernelConstraint: my.constraints.maxNorm({ maxValue: 2 }), biasConstraint: my.constraints.nonNeg() } as my.layers.DenseConfig)],
    ['dense with a regularizer in JavaScript (the main-thread path)', () => my.layers.dense({ units: 8, activation: 'tanh', kernelRegularizer: javascriptL2(1e-3) })],
    ['batchNormalization', () => my.layers.batchNormalization()],
    ['dropout', () => my.layers.dropout({ rate: 0.2 })],
    ['gaussianNoise', () => my.layers.gaussianNoise({ stddev: 0.05 })],
    ['prelu', () => my.layers.prelu()],
    ['rrelu', () => my.layers.rrelu()],
    ['normalization', () => my.layers.normalization({ mean: 0.1, variance: 0.5 })],
    ['activation', () => my.layers.activation({ activation: 'elu' })],
    ['leakyReLU', () => my.layers.leakyReLU()],
  ];
  for (const [name, make] of layers) {
    it(name, async () => {
      const { before, after } = await lossFalls(smallGraph(make(), my.optimizers.adam({ learningRate: 0.01 })));
      expect(after, `loss ${before} -> ${after}`).to.be.below(0.7 * before);
    });
  }

  it('a frozen layer keeps its weights while the rest of the graph trains', async () => {
    const frozen = my.layers.dense({ units: 8, activation: 'tanh', trainable: false, name: 'frozen' });
    const model = smallGraph(frozen, 'adam');
    const kept = frozen.getWeights().map((w) => Array.from(w.data));
    const { before, after } = await lossFalls(model, 10);
    expect(after).to.be.below(before);
    expect(frozen.getWeights().map((w) => Array.from(w.data))).to.deep.equal(kept);
  });
});

describe('every optimizer and clipping mode trains a graph model', function () {
  this.timeout(timeLimit(60_000));
  const optimizers: [string, () => my.CompileArgs['optimizer']][] = [
    ['sgd', () => my.optimizers.sgd({ learningRate: 0.05 })],
    ['sgd with nesterov momentum', () => my.optimizers.sgd({ learningRate: 0.02, momentum: 0.9, nesterov: true })],
    ['adam', () => my.optimizers.adam({ learningRate: 0.01 })],
    ['adamw', () => my.optimizers.adamw({ learningRate: 0.01 })],
    ['adamax', () => my.optimizers.adamax({ learningRate: 0.01 })],
    ['nadam', () => my.optimizers.nadam({ learningRate: 0.01 })],
    ['rmsprop', () => my.optimizers.rmsprop({ learningRate: 0.005 })],
    ['adagrad', () => my.optimizers.adagrad({ learningRate: 0.1 })],
    ['adadelta', () => my.optimizers.adadelta({ learningRate: 1 })],
    ['adam by name', () => 'adam'],
    ['adam with clipValue', () => my.optimizers.adam({ learningRate: 0.01, clipValue: 0.05 })],
    ['sgd with clipNorm', () => my.optimizers.sgd({ learningRate: 0.05, clipNorm: 0.5 })],
    ['rmsprop with globalClipNorm', () => my.optimizers.rmsprop({ learningRate: 0.005, globalClipNorm: 1 })],
    ['sgd with a learning-rate schedule', () => my.optimizers.sgd({ learningRate: my.schedules.exponentialDecay({ initialLearningRate: 0.05, decaySteps: 20, decayRate: 0.9 }) })],
  ];
  for (const [name, make] of optimizers) {
    it(name, async () => {
      const model = smallGraph(my.layers.activation({ activation: 'tanh' }), make());
      const { before, after } = await lossFalls(model);
      expect(after, `loss ${before} -> ${after}`).to.be.below(0.8 * before);
      expect(model.optimizer.iterations).to.equal(40 * 4);
    });
  }
});
