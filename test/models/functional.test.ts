/**
 * Graph models (model({ inputs, outputs })): the gradients of graphs that are not a chain against
 * float64 central finite differences of the same graph (test/helpers/graph-reference.ts): a
 * residual block, two branches, two outputs weighted by lossWeights, a layer applied twice, a node
 * read by several layers, an output read by another layer, an input read by several layers; and
 * the loss they report against the per-output losses computed by hand from predict's outputs.
 */
import { expect } from 'chai';

import * as my from '../../lib/index';
import type { SymbolicTensor } from '../../lib/layers/symbolic';
import { expectClose, expectScalarClose, GRADIENTS, VALUES } from '../helpers/compare';
import { oneHot, randomArray, randomClasses } from '../helpers/data';
import { finiteDifferences } from '../helpers/gradients';
import { forwardRef, graphLossRef, refWeights, weightedLossRef, type RefHead } from '../helpers/graph-reference';
import { denseRef, lossRef, type LossKind } from '../helpers/reference';
import { fillDropoutMask } from '../../lib/random';

const N = 7;

/** A head of the check: its loss, weight and labels as the model takes them and as the reference reads them. */
interface Head {
  readonly kind: LossKind;
  readonly weight: number;
  readonly units: number;
  readonly labels: Float32Array;
}

function labelsFor(kind: LossKind, units: number, seed: number): Float32Array {
  if (kind === 'sparseCategoricalCrossentropy') return randomClasses(N, units, seed);
  if (kind === 'categoricalCrossentropy') return oneHot(randomClasses(N, units, seed), units);
  return randomArray(N * units, seed);
}

const head = (kind: LossKind, units: number, weight = 1, seed = 40 + units): Head => ({ kind, weight, units, labels: labelsFor(kind, units, seed) });

function labelTensor(h: Head): my.Tensor {
  return my.tensor2d(h.labels, [N, h.kind === 'sparseCategoricalCrossentropy' ? 1 : h.units]);
}

/**
 * Compiles the model with the heads' losses and weights, and checks its loss and gradients
 * against the float64 reference on inputs of width `widths` (one array per input).
 */
function checkGraph(model: my.Functional, heads: readonly Head[], seed = 3): { loss: number; grads: Float32Array } {
  if (heads.length === 1) model.compile({ optimizer: 'sgd', loss: (heads[0] as Head).kind });
  else model.compile({ optimizer: 'sgd', loss: heads.map((h) => h.kind), lossWeights: heads.map((h) => h.weight) });
  const inputs = model.inputs.map((t, i) => randomArray(N * t.units, seed + i, 1.5));
  const w = refWeights(model);
  const given = new Map<SymbolicTensor, Float32Array>(model.inputs.map((t, i) => [t, inputs[i] as Float32Array]));
  const f = graphLossRef(model, given, N, w, heads.map((h): RefHead => ({ kind: h.kind, weight: h.weight, labels: h.labels })));
  const xs = model.inputs.map((t, i) => my.tensor2d(inputs[i] as Float32Array, [N, t.units]));
  const ys = heads.map(labelTensor);
  const result = model.computeGradients(xs.length === 1 ? (xs[0] as my.Tensor) : xs, ys.length === 1 ? (ys[0] as my.Tensor) : ys);
  expectScalarClose(result.loss, f(), VALUES, 'loss');
  expectClose(result.grads, finiteDifferences(f, w.theta), GRADIENTS, 'gradients');
  return result;
}

describe('graph models: gradient checks (float64 finite differences)', () => {
  it('a residual block: dense, batch normalization, relu, added to the block\'s input (two blocks)', () => {
    my.seed(1);
    const x = my.input({ shape: [4] });
    let h = my.layers.dense({ units: 6, activation: 'tanh' }).apply(x);
    for (let block = 0; block < 2; block++) {
      const inner = my.layers.dense({ units: 6 }).apply(h);
      const normalized = my.layers.batchNormalization().apply(inner);
      const relu = my.layers.activation({ activation: 'relu' }).apply(normalized);
      h = my.layers.add().apply([relu, h]);
    }
    const out = my.layers.dense({ units: 3 }).apply(h);
    checkGraph(my.model({ inputs: x, outputs: out }), [head('meanSquaredError', 3)]);
  });

  it('two branches concatenated, into a softmax head (cross-entropy fused)', () => {
    my.seed(2);
    const x = my.input({ shape: [5] });
    const a = my.layers.dense({ units: 4, activation: 'tanh' }).apply(x);
    const b = my.layers.dense({ units: 3, activation: 'sigmoid' }).apply(my.layers.dense({ units: 6, activation: 'elu' }).apply(x));
    const out = my.layers.dense({ units: 4, activation: 'softmax' }).apply(my.layers.concatenate().apply([a, b]));
    checkGraph(my.model({ inputs: x, outputs: out }), [head('sparseCategoricalCrossentropy', 4)]);
  });

  it('two inputs and two outputs weighted by lossWeights: the gradient is the weighted sum of each head\'s', () => {
    const build = (): my.Functional => {
      my.seed(3);
      const x = my.input({ shape: [3], name: 'x' });
      const z = my.input({ shape: [2], name: 'z' });
      const trunk = my.layers.add().apply([my.layers.dense({ units: 5, activation: 'tanh' }).apply(x), my.layers.dense({ units: 5, activation: 'tanh' }).apply(z)]);
      const cls = my.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(trunk);
      const reg = my.layers.dense({ units: 2, name: 'reg' }).apply(trunk);
      return my.model({ inputs: [x, z], outputs: [cls, reg] });
    };
    const cls = head('categoricalCrossentropy', 3, 0.7);
    const reg = head('meanSquaredError', 2, 2.5);
    const both = checkGraph(build(), [cls, reg]);
    const clsOnly = checkGraph(build(), [{ ...cls, weight: 1 }, { ...reg, weight: 0 }]);
    const regOnly = checkGraph(build(), [{ ...cls, weight: 0 }, { ...reg, weight: 1 }]);
    expectScalarClose(both.loss, 0.7 * clsOnly.loss + 2.5 * regOnly.loss, VALUES, 'loss');
    expectClose(both.grads, clsOnly.grads.map((g, i) => 0.7 * g + 2.5 * (regOnly.grads[i] as number)), VALUES, 'gradients');
    // Each head's gradient reaches only the layers it depends on.
    const model = build();
    const slots = model.parameterArena().slots;
    const regKernel = slots.find((s) => s.layer.name === 'reg' && s.spec.name === 'kernel');
    const clsKernel = slots.find((s) => s.layer.name === 'cls' && s.spec.name === 'kernel');
    expect(Array.from(clsOnly.grads.subarray(regKernel?.offset, (regKernel?.offset ?? 0) + (regKernel?.size ?? 0))).every((g) => g === 0)).to.equal(true);
    expect(Array.from(regOnly.grads.subarray(clsKernel?.offset, (clsKernel?.offset ?? 0) + (clsKernel?.size ?? 0))).every((g) => g === 0)).to.equal(true);
  });

  it('a layer applied twice in a chain: its gradients from both applications summed', () => {
    my.seed(4);
    const x = my.input({ shape: [4] });
    const shared = my.layers.dense({ units: 4, activation: 'tanh', name: 'shared' });
    const out = my.layers.dense({ units: 2 }).apply(shared.apply(shared.apply(x)));
    const model = my.model({ inputs: x, outputs: out });
    checkGraph(model, [head('meanSquaredError', 2)]);
    expect(model.layers.map((l) => l.name)).to.include('shared');
    expect(model.countParams()).to.equal(4 * 4 + 4 + 4 * 2 + 2);
  });

  it('a layer with dropConnect applied twice: each application\'s backward uses the kernel its forward masked', () => {
    const rate = 0.4;
    my.seed(14);
    const x = my.input({ shape: [4] });
    // A layer before the shared one: the first application's backward must give a gradient to it.
    const first = my.layers.dense({ units: 4, activation: 'sigmoid' });
    const shared = my.layers.dense({ units: 4, activation: 'tanh', dropConnect: rate });
    const last = my.layers.dense({ units: 2 });
    const model = my.model({ inputs: x, outputs: last.apply(shared.apply(shared.apply(first.apply(x)))) });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const data = randomArray(N * 4, 15);
    const labels = randomArray(N * 2, 16);
    const w = refWeights(model);
    my.seed(77);
    const { loss, grads } = model.computeGradients(my.tensor2d(data, [N, 4]), my.tensor2d(labels, [N, 2]));
    // The masks the two forwards drew, in their order, from the same seed.
    my.seed(77);
    const masks = [new Float32Array(16), new Float32Array(16)];
    for (const mask of masks) fillDropoutMask(mask, rate);
    expect(Array.from(masks[0] as Float32Array)).to.not.deep.equal(Array.from(masks[1] as Float32Array));
    const f = (): number => {
      const kernel = w.of(shared, 'kernel');
      const bias = w.of(shared, 'bias');
      let h: ArrayLike<number> = denseRef(data, { w: w.of(first, 'kernel'), b: w.of(first, 'bias'), k: 4, m: 4, act: 'sigmoid' }, N);
      for (const mask of masks) h = denseRef(h, { w: kernel.map((v, i) => v * (mask[i] as number)), b: bias, k: 4, m: 4, act: 'tanh' }, N);
      return lossRef('meanSquaredError', denseRef(h, { w: w.of(last, 'kernel'), b: w.of(last, 'bias'), k: 4, m: 2, act: 'linear' }, N), labels, N, 2);
    };
    expectScalarClose(loss, f(), VALUES, 'loss');
    expectClose(grads, finiteDifferences(f, w.theta), GRADIENTS, 'gradients');
  });

  it('regularizers in a graph: a shared layer\'s weight penalties once, its activity penalty per application; a shared PReLU', () => {
    my.seed(17);
    const x = my.input({ shape: [3], name: 'x' });
    const z = my.input({ shape: [3], name: 'z' });
    const shared = my.layers.dense({ units: 4, activation: 'tanh', kernelRegularizer: my.regularizers.l1l2({ l1: 0.01, l2: 0.02 }), biasRegularizer: my.regularizers.l2({ l2: 0.5 }), activityRegularizer: my.regularizers.l1l2({ l1: 0.03, l2: 0.04 }), biasInitializer: 'randomNormal' });
    const prelu = my.layers.prelu({ alphaInitializer: 'randomUniform' });
    const a = prelu.apply(shared.apply(x));
    const b = prelu.apply(shared.apply(z));
    const out = my.layers.dense({ units: 2, activityRegularizer: my.regularizers.l1({ l1: 0.05 }) }).apply(my.layers.multiply().apply([a, b]));
    checkGraph(my.model({ inputs: [x, z], outputs: out }), [head('meanSquaredError', 2)]);
  });

  it('a layer applied to two inputs (a siamese pair), three times, and a batch normalization applied twice', () => {
    my.seed(5);
    const x = my.input({ shape: [3], name: 'left' });
    const z = my.input({ shape: [3], name: 'right' });
    const w = my.input({ shape: [3], name: 'third' });
    const shared = my.layers.dense({ units: 5, activation: 'sigmoid' });
    const bn = my.layers.batchNormalization();
    const [a, b, c] = [x, z, w].map((t) => shared.apply(t)) as [SymbolicTensor, SymbolicTensor, SymbolicTensor];
    const out = my.layers.dense({ units: 2 }).apply(my.layers.concatenate().apply([my.layers.subtract().apply([bn.apply(a), bn.apply(b)]), c]));
    checkGraph(my.model({ inputs: [x, z, w], outputs: out }), [head('meanSquaredError', 2)]);
  });

  it('a node read by several layers (and by a merge beside them)', () => {
    my.seed(6);
    const x = my.input({ shape: [4] });
    const h = my.layers.dense({ units: 5, activation: 'tanh' }).apply(x);
    const a = my.layers.dense({ units: 5, activation: 'tanh' }).apply(h);
    const b = my.layers.dense({ units: 5, activation: 'sigmoid' }).apply(h);
    const c = my.layers.dense({ units: 5 }).apply(h);
    const out = my.layers.dense({ units: 3 }).apply(my.layers.add().apply([a, b, c, h]));
    checkGraph(my.model({ inputs: x, outputs: out }), [head('meanSquaredError', 3)]);
  });

  it('an output also read by another layer: its loss\'s gradient and the reader\'s add up (softmax not fused)', () => {
    my.seed(7);
    const x = my.input({ shape: [4] });
    const probs = my.layers.dense({ units: 3, activation: 'softmax', name: 'probs' }).apply(my.layers.dense({ units: 5, activation: 'tanh' }).apply(x));
    const next = my.layers.dense({ units: 2, name: 'next' }).apply(probs);
    const model = my.model({ inputs: x, outputs: [probs, next] });
    checkGraph(model, [head('categoricalCrossentropy', 3, 1.5), head('meanSquaredError', 2, 0.5)]);
    // predict gives probabilities for the output read by another layer.
    const p = (model.predict(my.tensor2d(randomArray(N * 4, 9), [N, 4])) as my.Tensor[])[0] as my.Tensor;
    for (let r = 0; r < N; r++) expect(p.data.subarray(r * 3, r * 3 + 3).reduce((s, v) => s + v, 0)).to.be.closeTo(1, 1e-6);
  });

  it('an output read by another output\'s layer, in the other order of outputs', () => {
    my.seed(8);
    const x = my.input({ shape: [3] });
    const first = my.layers.dense({ units: 4, activation: 'sigmoid', name: 'first' }).apply(x);
    const second = my.layers.dense({ units: 2, activation: 'tanh', name: 'second' }).apply(first);
    checkGraph(my.model({ inputs: x, outputs: [second, first] }), [head('meanSquaredError', 2, 1), head('binaryCrossentropy', 4, 0.3)].map((h, i) => (i === 1 ? { ...h, labels: randomClasses(N * 4, 2, 12) } : h)));
  });

  it('an input read by several layers and by a merge directly', () => {
    my.seed(9);
    const x = my.input({ shape: [3], name: 'x' });
    const z = my.input({ shape: [3], name: 'z' });
    const a = my.layers.dense({ units: 3, activation: 'tanh' }).apply(x);
    const b = my.layers.dense({ units: 3, activation: 'relu' }).apply(x);
    const merged = my.layers.concatenate().apply([my.layers.multiply().apply([a, x, z]), b, x, my.layers.maximum().apply([z, a])]);
    const out = my.layers.dense({ units: 2 }).apply(merged);
    checkGraph(my.model({ inputs: [x, z], outputs: out }), [head('meanSquaredError', 2)]);
  });
});

describe('graph models: the loss is the lossWeights-weighted sum of the outputs\' losses', () => {
  it('computeGradients\' loss equals the sum computed in float64 from predict\'s outputs, for losses fused and not', () => {
    my.seed(10);
    const x = my.input({ shape: [4], name: 'x' });
    const z = my.input({ shape: [2], name: 'z' });
    const trunk = my.layers.concatenate().apply([my.layers.dense({ units: 5, activation: 'relu' }).apply(x), z]);
    const heads = [head('sparseCategoricalCrossentropy', 4, 0.25), head('binaryCrossentropy', 2, 1), head('meanAbsoluteError', 3, 3)];
    heads[1] = { ...(heads[1] as Head), labels: randomClasses(N * 2, 2, 13) };
    const outs = [
      my.layers.dense({ units: 4, activation: 'softmax', name: 'classes' }).apply(trunk),
      my.layers.dense({ units: 2, activation: 'sigmoid', name: 'flags' }).apply(trunk),
      my.layers.dense({ units: 3, name: 'values' }).apply(trunk),
    ];
    const model = my.model({ inputs: [x, z], outputs: outs });
    model.compile({ optimizer: 'adam', loss: { classes: 'sparseCategoricalCrossentropy', flags: 'binaryCrossentropy', values: 'meanAbsoluteError' }, lossWeights: { classes: 0.25, values: 3 } });
    const xs = { x: my.tensor2d(randomArray(N * 4, 14), [N, 4]), z: my.tensor2d(randomArray(N * 2, 15), [N, 2]) };
    const ys = { classes: labelTensor(heads[0] as Head), flags: labelTensor(heads[1] as Head), values: labelTensor(heads[2] as Head) };
    const predicted = (model.predict(xs) as my.Tensor[]).map((t) => Float64Array.from(t.data));
    const byHand = weightedLossRef(predicted, heads.map((h) => ({ kind: h.kind, weight: h.weight, labels: h.labels })), N);
    expectScalarClose(model.computeGradients(xs, ys).loss, byHand, VALUES, 'loss');
    // evaluate logs the same total, and each output's own loss.
    const logs = model.evaluate(xs, ys);
    expectScalarClose(logs['loss'] as number, byHand, VALUES, 'evaluate loss');
    heads.forEach((h, j) => {
      const own = weightedLossRef([predicted[j] as Float64Array], [{ kind: h.kind, weight: 1, labels: h.labels }], N);
      expectScalarClose(logs[`${(outs[j] as SymbolicTensor).name}_loss`] as number, own, VALUES, `${j} loss`);
    });
  });

  it('predict\'s outputs are the reference\'s in inference mode (batch normalization on its moving statistics)', () => {
    my.seed(11);
    const x = my.input({ shape: [3] });
    const h = my.layers.batchNormalization({ movingMeanInitializer: 'randomNormal' } as never).apply(my.layers.dense({ units: 4, activation: 'tanh' }).apply(x));
    const model = my.model({ inputs: x, outputs: [my.layers.dense({ units: 2 }).apply(h), my.layers.dense({ units: 3, activation: 'softmax' }).apply(my.layers.add().apply([h, my.layers.dense({ units: 4 }).apply(x)]))] });
    const data = randomArray(N * 3, 16);
    const expected = forwardRef(model.outputs, new Map([[x, data]]), N, refWeights(model), false);
    const got = model.predict(my.tensor2d(data, [N, 3])) as my.Tensor[];
    got.forEach((t, j) => expectClose(t.data, expected[j] as Float64Array, VALUES, `output ${j}`));
  });
});
