/**
 * Dense's training options: weight and activity regularizers join the loss and its gradient,
 * constraints project the weights after each step, dropConnect masks the kernel while training.
 * Gradients are checked against float64 central differences of a reference written here.
 */
import { expect } from 'chai';

import * as my from '../../lib/index';
import { ArgumentRangeError, ArgumentTypeError } from '../../lib/errors';
import { fillDropoutMask } from '../../lib/random';
import { expectClose, expectScalarClose, GRADIENTS, VALUES } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { finiteDifferences } from '../helpers/gradients';
import { denseRef, lossRef, type RefLayer } from '../helpers/reference';

const [N, K, H, C] = [5, 3, 6, 2];
const x = randomArray(N * K, 4, 2);
const t = randomArray(N * C, 5);

/** l1 sum|v| + l2 sum v^2 in float64. */
function penalty(values: ArrayLike<number>, l1: number, l2: number): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += l1 * Math.abs(values[i] as number) + l2 * (values[i] as number) ** 2;
  return sum;
}

/** The two layers of a K-H-C network over one float64 vector laid out like the arena. */
function refLayers(theta: Float64Array): [RefLayer, RefLayer] {
  const o = K * H + H;
  return [
    { w: theta.subarray(0, K * H), b: theta.subarray(K * H, o), k: K, m: H, act: 'tanh' },
    { w: theta.subarray(o, o + H * C), b: theta.subarray(o + H * C), k: H, m: C, act: 'linear' },
  ];
}

function model(first: Record<string, unknown>): my.Sequential {
  my.seed(1);
  const m = my.sequential([
    my.layers.dense({ inputShape: [K], units: H, activation: 'tanh', ...first }),
    my.layers.dense({ units: C }),
  ]);
  m.compile({ optimizer: my.optimizers.sgd({ learningRate: 0.1 }), loss: 'meanSquaredError' });
  m.getWeights(); // draws the initial weights now, so later seeds only reach the masks
  return m;
}

describe('Dense regularizers', () => {
  const cases: [string, Record<string, unknown>, (theta: Float64Array, hidden: Float64Array) => number][] = [
    ['kernelRegularizer l1', { kernelRegularizer: my.regularizers.l1({ l1: 0.03 }) }, (th) => penalty(th.subarray(0, K * H), 0.03, 0)],
    ['kernelRegularizer l2 by name (0.01)', { kernelRegularizer: 'l2' }, (th) => penalty(th.subarray(0, K * H), 0, 0.01)],
    ['biasRegularizer l1l2', { biasRegularizer: my.regularizers.l1l2({ l1: 0.02, l2: 0.05 }), biasInitializer: 'glorotUniform' }, (th) => penalty(th.subarray(K * H, K * H + H), 0.02, 0.05)],
    ['activityRegularizer l2 (divided by the batch size)', { activityRegularizer: my.regularizers.l2({ l2: 0.1 }) }, (_th, hidden) => penalty(hidden, 0, 0.1) / N],
  ];
  for (const [name, options, extra] of cases) {
    it(`${name}: loss and gradients match float64 central differences`, () => {
      const m = model(options);
      const { loss, grads } = m.computeGradients(my.tensor2d(x, [N, K]), my.tensor2d(t, [N, C]));
      const theta = Float64Array.from(m.getWeights().flatMap((w) => Array.from(w.data)));
      const f = (): number => {
        const [first, last] = refLayers(theta);
        const hidden = denseRef(x, first, N);
        return lossRef('meanSquaredError', denseRef(hidden, last, N), t, N, C) + extra(theta, hidden);
      };
      expect(extra(theta, denseRef(x, refLayers(theta)[0], N))).to.be.above(1e-3); // the penalty is really there
      expectScalarClose(loss, f(), VALUES, 'loss with penalty');
      expectClose(grads, finiteDifferences(f, theta), GRADIENTS, 'gradients');
    });
  }

  it('counts in evaluate() as in Keras, and a fused softmax output keeps its activity penalty', () => {
    const plain = model({});
    const regularized = model({ kernelRegularizer: my.regularizers.l2({ l2: 0.5 }) });
    const xs = my.tensor2d(x, [N, K]);
    const ys = my.tensor2d(t, [N, C]);
    const kernel = regularized.getWeights()[0] as my.Tensor;
    expect(regularized.evaluate(xs, ys)['loss']).to.be.closeTo((plain.evaluate(xs, ys)['loss'] as number) + penalty(kernel.data, 0, 0.5), 1e-5);

    my.seed(2);
    const classifier = my.sequential([my.layers.dense({ inputShape: [K], units: 3, activation: 'softmax', activityRegularizer: my.regularizers.l1({ l1: 0.1 }) })]);
    classifier.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const labels = [0, 1, 2, 1, 0];
    const probs = classifier.predict(xs).data;
    const [w, b] = classifier.getWeights().map((tensor) => Float64Array.from(tensor.data));
    const f = (): number => {
      const p = denseRef(x, { w: w as Float64Array, b: b as Float64Array, k: K, m: 3, act: 'softmax' }, N);
      return lossRef('sparseCategoricalCrossentropy', p, labels, N, 3) + penalty(p, 0.1, 0) / N;
    };
    expect(probs.length).to.equal(N * 3);
    const { loss, grads } = classifier.computeGradients(xs, labels);
    expectScalarClose(loss, f(), VALUES, 'loss');
    expectClose(grads, [...finiteDifferences(f, w as Float64Array), ...finiteDifferences(f, b as Float64Array)], GRADIENTS, 'gradients');
  });
});

describe('Dense constraints', () => {
  it('maxNorm keeps each unit\'s incoming weights within the bound after every step; nonNeg keeps the bias >= 0', async () => {
    const m = model({ kernelConstraint: my.constraints.maxNorm({ maxValue: 0.3 }), biasConstraint: 'nonNeg', biasInitializer: 'glorotUniform' });
    await m.fit(my.tensor2d(x, [N, K]), my.tensor2d(t, [N, C]), { epochs: 3, batchSize: 2, verbose: 0 });
    const [kernel, bias] = m.getWeights() as [my.Tensor, my.Tensor];
    for (let j = 0; j < H; j++) {
      let norm = 0;
      for (let r = 0; r < K; r++) norm += (kernel.data[r * H + j] as number) ** 2;
      expect(Math.sqrt(norm)).to.be.at.most(0.3 + 1e-6);
    }
    expect(Array.from(bias.data).every((v) => v >= 0)).to.equal(true);
    expect(Array.from(bias.data).some((v) => v > 0)).to.equal(true);
  });

  it('applies only after a step: the initial weights are the initializer\'s', () => {
    const m = model({ kernelConstraint: my.constraints.maxNorm({ maxValue: 1e-3 }) });
    const kernel = m.getWeights()[0] as my.Tensor;
    expect(Math.max(...Array.from(kernel.data).map(Math.abs))).to.be.above(1e-3);
  });
});

describe('Dense dropConnect', () => {
  it('masks the kernel while training: gradients match float64 differences under a fixed mask', () => {
    const rate = 0.4;
    const m = model({ dropConnect: rate });
    const theta = Float64Array.from(m.getWeights().flatMap((w) => Array.from(w.data)));
    my.seed(77);
    const { loss, grads } = m.computeGradients(my.tensor2d(x, [N, K]), my.tensor2d(t, [N, C]));
    my.seed(77);
    const mask = new Float32Array(K * H);
    fillDropoutMask(mask, rate);
    expect(mask.some((v) => v === 0) && mask.some((v) => v !== 0)).to.equal(true);
    const f = (): number => {
      const [first, last] = refLayers(theta);
      const dropped = { ...first, w: first.w.map((v, i) => v * (mask[i] as number)) };
      return lossRef('meanSquaredError', denseRef(denseRef(x, dropped, N), last, N), t, N, C);
    };
    expectScalarClose(loss, f(), VALUES, 'loss');
    expectClose(grads, finiteDifferences(f, theta), GRADIENTS, 'gradients');
  });

  it('leaves inference alone: predictions equal those of the same weights without dropConnect', () => {
    const dropping = model({ dropConnect: 0.5 });
    const plain = model({});
    plain.setWeights(dropping.getWeights());
    const xs = my.tensor2d(x, [N, K]);
    expect(Array.from(dropping.predict(xs).data)).to.deep.equal(Array.from(plain.predict(xs).data));
  });
});

describe('Dense options: bad input', () => {
  it('names the option, what was expected and what came', () => {
    const dense = (options: Record<string, unknown>): unknown => my.layers.dense({ units: 2, ...options } as my.layers.DenseConfig);
    expect(() => dense({ dropConnect: 1.5 })).to.throw(ArgumentRangeError, /in \[0, 1\) for dropConnect but received 1.5/);
    expect(() => dense({ kernelRegularizer: 'l3' })).to.throw(ArgumentRangeError, /kernelRegularizer.*'l3'/);
    expect(() => dense({ kernelConstraint: 42 })).to.throw(ArgumentTypeError, /kernelConstraint/);
    expect(() => dense({ useBias: false, biasConstraint: 'nonNeg' })).to.throw(ArgumentRangeError, /biasConstraint/);
    expect(() => my.layers.dropout({ rate: 0.5, kernelConstraint: 'maxNorm' } as never)).to.throw(ArgumentRangeError, /kernelConstraint/);
  });

  it('round-trips its options through getConfig()', () => {
    const original = my.layers.dense({ units: 4, kernelRegularizer: my.regularizers.l1l2({ l1: 0.1, l2: 0.2 }), kernelConstraint: my.constraints.maxNorm({ maxValue: 3 }), dropConnect: 0.25 });
    const copy = my.layers.dense(original.getConfig() as unknown as my.layers.DenseConfig);
    expect({ ...copy.getConfig(), name: '' }).to.deep.equal({ ...original.getConfig(), name: '' });
  });
});
