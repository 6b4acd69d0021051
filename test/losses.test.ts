/**
 * The losses namespace and compile({ loss }): names and aliases, factories and their options,
 * fromLogits against the fused softmax / sigmoid, custom losses, and bad arguments.
 */
import { expect } from 'chai';

import * as my from '../lib/index';
import { native } from '../lib/backend';
import { getLoss, type Loss } from '../lib/losses';
import { expectClose, expectScalarClose, VALUES } from './helpers/compare';
import { oneHot, randomArray, randomClasses } from './helpers/data';
import { logitsLossRef, lossRef, type LossKind } from './helpers/reference';

const { losses } = my;
type F32 = Float32Array;
const [N, IN, OUT] = [5, 4, 3];

/** A 4-6-3 network whose last Dense has `activation`. */
function model(activation: my.ActivationName, loss: my.losses.LossIdentifier): my.Sequential {
  my.seed(5);
  const m = my.sequential([my.layers.dense({ inputShape: [IN], units: 6, activation: 'tanh' }), my.layers.dense({ units: OUT, activation })]);
  m.compile({ optimizer: 'sgd', loss });
  return m;
}

const x = my.tensor2d(randomArray(N * IN, 1, 2), [N, IN]);
const classes = randomClasses(N, OUT, 2);
const targetsFor = (sparse: boolean, binary: boolean): my.Tensor =>
  sparse ? my.tensor2d(classes, [N, 1]) : my.tensor2d(binary ? randomClasses(N * OUT, 2, 3) : oneHot(classes, OUT), [N, OUT]);

describe('losses: names and factories', () => {
  it('every name and alias resolves to its loss, and compiles and evaluates to a finite number', () => {
    const names: [string, string][] = [
      ['meanSquaredError', 'meanSquaredError'], ['mse', 'meanSquaredError'],
      ['meanAbsoluteError', 'meanAbsoluteError'], ['mae', 'meanAbsoluteError'],
      ['huber', 'huber'], ['huberLoss', 'huber'],
      ['logCosh', 'logCosh'], ['logcosh', 'logCosh'],
      ['binaryCrossentropy', 'binaryCrossentropy'], ['categoricalCrossentropy', 'categoricalCrossentropy'], ['sparseCategoricalCrossentropy', 'sparseCategoricalCrossentropy'],
      ['hinge', 'hinge'], ['squaredHinge', 'squaredHinge'],
      ['kullbackLeiblerDivergence', 'kullbackLeiblerDivergence'], ['kld', 'kullbackLeiblerDivergence'], ['klDivergence', 'kullbackLeiblerDivergence'],
    ];
    for (const [given, name] of names) {
      const loss = getLoss(given, 'loss');
      expect(loss.name, given).to.equal(name);
      const m = model('softmax', given as my.LossName);
      const logs = m.evaluate(x, targetsFor(loss.sparse, name === 'binaryCrossentropy'));
      expect(Number.isFinite(logs['loss']), given).to.equal(true);
    }
  });

  it('factories compute the float64 loss of their kind, options and sample weights included', () => {
    const [n, c] = [4, 3];
    const probs = randomArray(n * c, 4).map((v) => 0.5 + 0.4 * v);
    const rows = oneHot(randomClasses(n, c, 5), c);
    const indices = randomClasses(n, c, 5);
    const weights = Float32Array.from([0.5, 1, 0, 2]);
    const cases: [Loss, LossKind, F32, { labelSmoothing?: number; delta?: number }][] = [
      [losses.meanSquaredError(), 'meanSquaredError', rows, {}],
      [losses.meanAbsoluteError(), 'meanAbsoluteError', rows, {}],
      [losses.huber({ delta: 0.3 }), 'huber', rows, { delta: 0.3 }],
      [losses.logCosh(), 'logCosh', rows, {}],
      [losses.hinge(), 'hinge', rows, {}],
      [losses.squaredHinge(), 'squaredHinge', rows, {}],
      [losses.kullbackLeiblerDivergence(), 'kullbackLeiblerDivergence', rows, {}],
      [losses.binaryCrossentropy({ labelSmoothing: 0.2 }), 'binaryCrossentropy', rows, { labelSmoothing: 0.2 }],
      [losses.categoricalCrossentropy({ labelSmoothing: 0.1 }), 'categoricalCrossentropy', rows, { labelSmoothing: 0.1 }],
      [losses.sparseCategoricalCrossentropy({ labelSmoothing: 0.3 }), 'sparseCategoricalCrossentropy', indices, { labelSmoothing: 0.3 }],
    ];
    for (const [loss, kind, labels, options] of cases) {
      expect(loss.name).to.equal(kind);
      expect(loss.fusion === null, `${kind} fusion`).to.equal(!['binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy'].includes(kind));
      const value = loss.onOutputs(native, new Float32Array(n * c), probs, labels, weights, n, c);
      expectScalarClose(value, lossRef(kind, probs, labels, n, c, { ...options, weights }), VALUES, kind);
    }
  });

  it('fromLogits losses take logits themselves and have no fusion; they reuse their probabilities buffer', () => {
    const [n, c] = [4, 3];
    const z = randomArray(n * c, 6, 4);
    const rows = oneHot(randomClasses(n, c, 7), c);
    const loss = losses.categoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 });
    expect(loss.fusion).to.equal(null);
    const value = loss.onOutputs(native, null, z, rows, null, n, c);
    expectScalarClose(value, logitsLossRef('categoricalCrossentropy', z, rows, n, c, { labelSmoothing: 0.1 }), VALUES, 'loss');
    expect(loss.onOutputs(native, null, z, rows, null, n, c)).to.equal(value);
    const binary = losses.binaryCrossentropy({ fromLogits: true });
    expectScalarClose(binary.onOutputs(native, null, z, rows, null, n, c), logitsLossRef('binaryCrossentropy', z, rows, n, c), VALUES, 'binary');
  });

  it('getConfig reports the options', () => {
    expect(losses.huber().getConfig()).to.deep.equal({ delta: 1 });
    expect(losses.huber({ delta: 2.5 }).getConfig()).to.deep.equal({ delta: 2.5 });
    expect(losses.binaryCrossentropy().getConfig()).to.deep.equal({ fromLogits: false, labelSmoothing: 0 });
    expect(losses.sparseCategoricalCrossentropy({ fromLogits: true, labelSmoothing: 0.1 }).getConfig()).to.deep.equal({ fromLogits: true, labelSmoothing: 0.1 });
    expect(losses.meanSquaredError().getConfig()).to.deep.equal({});
  });
});

describe('losses: fromLogits on a linear last layer equals the fused activation', () => {
  const pairs: [string, my.ActivationName, (config: my.losses.CrossentropyConfig) => Loss, boolean, boolean][] = [
    ['categoricalCrossentropy', 'softmax', losses.categoricalCrossentropy, false, false],
    ['sparseCategoricalCrossentropy', 'softmax', losses.sparseCategoricalCrossentropy, true, false],
    ['binaryCrossentropy', 'sigmoid', losses.binaryCrossentropy, false, true],
  ];
  for (const [name, activation, factory, sparse, binary] of pairs) {
    for (const labelSmoothing of [0, 0.2]) {
      it(`${name} (labelSmoothing ${labelSmoothing}): same loss and gradients as ${activation} + '${name}'`, () => {
        const y = targetsFor(sparse, binary);
        const fused = model(activation, factory({ labelSmoothing }));
        const logits = model('linear', factory({ fromLogits: true, labelSmoothing }));
        logits.setWeights(fused.getWeights());
        const a = fused.computeGradients(x, y);
        const b = logits.computeGradients(x, y);
        expectScalarClose(b.loss, a.loss, { atol: 1e-7, rtol: 1e-6 }, 'loss');
        expectClose(b.grads, a.grads, { atol: 1e-7, rtol: 1e-5 }, 'gradients');
        // And the value is the float64 cross-entropy of the logits the linear model outputs.
        const z = logits.predict(x).data;
        expectScalarClose(b.loss, logitsLossRef(name as 'binaryCrossentropy', z, y.data, N, OUT, { labelSmoothing }), VALUES, 'float64 from logits');
      });
    }
  }
});

describe('losses.custom', () => {
  /** Mean squared error written by hand: per sample mean_j (p - t)^2, gradient 2 (p - t) / c. */
  const customMse = (): Loss =>
    losses.custom({
      name: 'myMse',
      forward: (pred, labels, n, c, out) => {
        for (let i = 0; i < n; i++) {
          let sum = 0;
          for (let j = i * c; j < (i + 1) * c; j++) sum += ((pred[j] as number) - (labels[j] as number)) ** 2;
          out[i] = sum / c;
        }
      },
      gradient: (pred, labels, n, c, dpred) => {
        for (let j = 0; j < n * c; j++) dpred[j] = (2 * ((pred[j] as number) - (labels[j] as number))) / c;
      },
    });

  it('a custom MSE gives the loss and gradients of the built-in one, in a model', () => {
    const y = my.tensor2d(randomArray(N * OUT, 9), [N, OUT]);
    const builtInModel = model('tanh', 'meanSquaredError');
    const customModel = model('tanh', customMse());
    customModel.setWeights(builtInModel.getWeights());
    const builtIn = builtInModel.computeGradients(x, y);
    const custom = customModel.computeGradients(x, y);
    expectScalarClose(custom.loss, builtIn.loss, VALUES, 'loss');
    expectClose(custom.grads, builtIn.grads, VALUES, 'gradients');
  });

  it('gets sample weights for free: weighted like the built-in, divided by n', () => {
    const [n, c] = [4, 3];
    const pred = randomArray(n * c, 10);
    const labels = randomArray(n * c, 11);
    const weights = Float32Array.from([2, 0, 1, 0.5]);
    const [g1, g2] = [new Float32Array(n * c), new Float32Array(n * c)];
    const custom = customMse().onOutputs(native, g1, pred, labels, weights, n, c);
    const builtIn = losses.meanSquaredError().onOutputs(native, g2, pred, labels, weights, n, c);
    expectScalarClose(custom, builtIn, VALUES, 'loss');
    expectClose(g1, g2, VALUES, 'gradient');
    expect(customMse().getConfig()).to.deep.equal({ name: 'myMse' });
  });

  it('trains in fit and reports its value under loss', async () => {
    const m = model('linear', customMse());
    const history = await m.fit(x, my.tensor2d(randomArray(N * OUT, 12), [N, OUT]), { epochs: 3, batchSize: 2, verbose: 0 });
    const values = history.history['loss'] as number[];
    expect(values).to.have.length(3);
    expect(values.every(Number.isFinite)).to.equal(true);
  });

  it('refuses non-finite output from finite predictions with an error naming the loss', () => {
    const pred = Float32Array.from([0.5, 0.25]);
    const labels = Float32Array.from([1, 0]);
    const logOfZero = losses.custom({ name: 'badLog', forward: (_p, _t, n, _c, out) => out.fill(-Math.log(0), 0, n), gradient: () => undefined });
    expect(() => logOfZero.onOutputs(native, null, pred, labels, null, 1, 2)).to.throw(my.TrainingError, /custom loss 'badLog': its forward\(\) left Infinity at out\[0\]/);
    const lazy = losses.custom({ name: 'lazy', forward: (_p, _t, _n, _c, out) => void (out[0] = 1), gradient: () => undefined });
    expect(() => lazy.onOutputs(native, null, pred, labels, null, 2, 1)).to.throw(my.TrainingError, /'lazy': its forward\(\) left NaN at out\[1\]/);
    expect(() => lazy.onOutputs(native, new Float32Array(2), pred, labels, null, 2, 1)).to.throw(my.TrainingError, /'lazy': its forward\(\) left NaN/);
    const noGradient = losses.custom({ name: 'noGrad', forward: (_p, _t, n, _c, out) => out.fill(1, 0, n), gradient: () => undefined });
    expect(() => noGradient.onOutputs(native, new Float32Array(2), pred, labels, null, 1, 2)).to.throw(my.TrainingError, /'noGrad': its gradient\(\) left NaN at dpred\[0\]/);
    // Predictions that are already NaN are the model's fault: NaN, as a built-in loss gives, for fit to stop on.
    expect(noGradient.onOutputs(native, null, Float32Array.from([NaN, 1]), labels, null, 1, 2)).to.be.NaN;
  });
});

describe('losses: bad arguments', () => {
  it('labelSmoothing outside [0, 1], fromLogits not a boolean, unknown options', () => {
    expect(() => losses.categoricalCrossentropy({ labelSmoothing: 1.5 })).to.throw(my.ArgumentRangeError, /Expected a number in \[0, 1\] for labelSmoothing but received 1.5 \(number\)/);
    expect(() => losses.binaryCrossentropy({ labelSmoothing: -0.1 })).to.throw(RangeError, /labelSmoothing/);
    expect(() => losses.sparseCategoricalCrossentropy({ fromLogits: 'yes' as unknown as boolean })).to.throw(my.ArgumentTypeError, /Expected a boolean for fromLogits but received 'yes' \(string\)/);
    expect(() => losses.categoricalCrossentropy({ label_smoothing: 0.1 } as never)).to.throw(RangeError, /categoricalCrossentropy config\.label_smoothing.*Did you mean 'labelSmoothing'\?/);
    expect(() => losses.binaryCrossentropy(null as never)).to.throw(TypeError, /Expected an object for binaryCrossentropy config but received null/);
  });

  it('huber delta that is not positive', () => {
    expect(() => losses.huber({ delta: -1 })).to.throw(my.ArgumentRangeError, /Expected a number > 0 for delta but received -1 \(number\)/);
    expect(() => losses.huber({ delta: 0 })).to.throw(RangeError, /for delta/);
    expect(() => losses.huber({ delta: NaN })).to.throw(RangeError, /for delta/);
  });

  it('unknown loss names get a suggestion; other values a TypeError', () => {
    const m = my.sequential([my.layers.dense({ inputShape: [2], units: 1 })]);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'mean_absolute_error' as my.LossName })).to.throw(my.ArgumentRangeError, /for loss but received 'mean_absolute_error' \(string\)\. Did you mean 'meanAbsoluteError'\?/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'KLD' as my.LossName })).to.throw(RangeError, /Did you mean 'kld'\?/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 'crossentropy' as my.LossName })).to.throw(RangeError, /Expected one of 'meanSquaredError', .*'klDivergence' for loss/);
    expect(() => m.compile({ optimizer: 'sgd', loss: 42 as unknown as my.LossName })).to.throw(my.ArgumentTypeError, /loss name such as 'meanSquaredError' or a loss object.*but received 42 \(number\)/);
    expect(() => m.compile({ optimizer: 'sgd', loss: { name: 'mse' } as unknown as my.LossName })).to.throw(TypeError, /received an object/);
  });

  it('custom losses need a name and both functions', () => {
    const forward = (): void => undefined;
    expect(() => losses.custom({ name: 'x', forward } as never)).to.throw(my.ArgumentTypeError, /Expected a function for gradient but received undefined/);
    expect(() => losses.custom({ name: 'x', gradient: forward } as never)).to.throw(TypeError, /a function for forward/);
    expect(() => losses.custom({ name: '', forward, gradient: forward })).to.throw(my.ArgumentRangeError, /non-empty string for name/);
    expect(() => losses.custom({ forward, gradient: forward } as never)).to.throw(my.ArgumentTypeError, /non-empty string for name but received undefined/);
    expect(() => losses.custom({ name: 'x', forward, gradient: forward, sparse: true } as never)).to.throw(RangeError, /custom loss config\.sparse/);
  });
});
