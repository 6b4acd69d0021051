/**
 * Weights shared between graph models: a sub-model cut from a trained model (an encoder out of an
 * autoencoder) predicts and evaluates on the live weights of the model it was cut from and refuses
 * to train; a model nested in a larger one (inner.apply(t)) trains inside it and sees the trained
 * weights; layer.output, model.inputs and model.outputs; a shared layer's weights.
 */
import { expect } from 'chai';

import * as my from '../../lib/index';
import type { SymbolicTensor } from '../../lib/layers/symbolic';
import { expectClose, expectScalarClose, VALUES } from '../helpers/compare';
import { randomArray, randomClasses } from '../helpers/data';
import { forwardRef, refWeights } from '../helpers/graph-reference';
import { lossRef } from '../helpers/reference';

const N = 12;
const FEATURES = 6;
const xData = randomArray(N * FEATURES, 301, 1.5);
const X = my.tensor2d(xData, [N, FEATURES]);

/** x [6] -> encoder (dense 3, tanh, 'code') -> decoder (dense 6, 'decoded'). */
function autoencoder(): { model: my.Functional; x: SymbolicTensor; code: SymbolicTensor } {
  my.seed(51);
  const x = my.input({ shape: [FEATURES], name: 'x' });
  const hidden = my.layers.dense({ units: 5, activation: 'relu', name: 'hidden' }).apply(x);
  const code = my.layers.dense({ units: 3, activation: 'tanh', name: 'code' }).apply(hidden);
  const decoded = my.layers.dense({ units: FEATURES, name: 'decoded' }).apply(my.layers.dense({ units: 5, activation: 'relu', name: 'up' }).apply(code));
  const model = my.model({ inputs: x, outputs: decoded, name: 'autoencoder' });
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 0.02 }), loss: 'meanSquaredError' });
  return { model, x, code };
}

/** `model`'s outputs for X computed in float64 from `holder`'s weights. */
function expected(model: my.Functional, holder: my.Model, x: SymbolicTensor = model.inputs[0] as SymbolicTensor): Float64Array[] {
  return forwardRef(model.outputs, new Map([[x, xData]]), N, refWeights(holder), false);
}

const refusal = /this model's layers belong to another model \(it was cut from it, or nested in it\)/;

describe('a sub-model cut from a trained graph', () => {
  it('predicts with the weights of the model it was cut from, and after that model trains more, with the new ones', async () => {
    const { model, x, code } = autoencoder();
    await model.fit(X, X, { epochs: 3, batchSize: 4, verbose: 0 });
    const encoder = my.model({ inputs: x, outputs: code });
    const first = (encoder.predict(X) as my.Tensor).data.slice();
    expectClose(first, expected(encoder, model)[0] as Float64Array, VALUES, 'encoder after 3 epochs');
    expect(encoder.getWeights().map((w) => Array.from(w.data))).to.deep.equal(['hidden', 'code'].flatMap((name) => model.getLayer(name).getWeights().map((w) => Array.from(w.data))));
    expect(encoder.countParams()).to.equal(6 * 5 + 5 + 5 * 3 + 3);
    await model.fit(X, X, { epochs: 2, batchSize: 4, verbose: 0 });
    const second = (encoder.predict(X) as my.Tensor).data;
    expect(Array.from(second)).to.not.deep.equal(Array.from(first));
    expectClose(second, expected(encoder, model)[0] as Float64Array, VALUES, 'encoder after 5 epochs');
    expect(Array.from(((await encoder.predictAsync(X)) as my.Tensor).data)).to.deep.equal(Array.from(second));
  });

  it('refuses fit and trainOnBatch with a clear error, and stays usable (so does the model it was cut from)', async () => {
    const { model, x, code } = autoencoder();
    const encoder = my.model({ inputs: x, outputs: code });
    encoder.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const codes = my.tensor2d(randomArray(N * 3, 302), [N, 3]);
    const before = model.getWeights().map((w) => Array.from(w.data));
    let error: unknown = null;
    await encoder.fit(X, codes, { verbose: 0 }).catch((e: unknown) => (error = e));
    expect(error).to.be.instanceOf(my.ModelStateError);
    expect((error as Error).message).to.match(new RegExp(`^fit\\(\\): ${refusal.source}`));
    expect(() => encoder.trainOnBatch(X, codes)).to.throw(my.ModelStateError, new RegExp(`^trainOnBatch\\(\\): ${refusal.source}.*Train the model that holds them`));
    expect(model.getWeights().map((w) => Array.from(w.data))).to.deep.equal(before);
    // It evaluates on the live weights: the loss by hand from its predictions.
    const logs = encoder.evaluate(X, codes);
    expectScalarClose(logs['loss'] as number, lossRef('meanSquaredError', (encoder.predict(X) as my.Tensor).data, codes.data, N, 3), VALUES, 'encoder loss');
    await model.fit(X, X, { epochs: 1, verbose: 0 });
    expect(model.getWeights().map((w) => Array.from(w.data))).to.not.deep.equal(before);
    expectClose((encoder.predict(X) as my.Tensor).data, expected(encoder, model)[0] as Float64Array, VALUES, 'encoder after the refusals');
  });

  it('compiled before the model it was cut from, evaluates right after that model fuses its output\'s softmax into its loss', () => {
    my.seed(55);
    const x = my.input({ shape: [FEATURES] });
    const probs = my.layers.dense({ units: 3, activation: 'softmax' }).apply(my.layers.dense({ units: 4, activation: 'tanh' }).apply(x));
    const parent = my.model({ inputs: x, outputs: probs });
    const cut = my.model({ inputs: x, outputs: probs });
    cut.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const labels = randomClasses(N, 3, 56);
    const byHand = (): number => lossRef('sparseCategoricalCrossentropy', (cut.predict(X) as my.Tensor).data, labels, N, 3);
    expectScalarClose(cut.evaluate(X, labels)['loss'] as number, byHand(), VALUES, 'before the parent compiled');
    parent.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    expectScalarClose(cut.evaluate(X, labels)['loss'] as number, byHand(), VALUES, 'after the parent compiled');
    // A loss that cannot take the softmax the parent fused is refused, naming the layer.
    const other = my.model({ inputs: x, outputs: probs });
    expect(() => other.compile({ optimizer: 'sgd', loss: 'meanSquaredError' })).to.throw(my.ArgumentRangeError, /a loss that applies '\w+''s softmax, as the model this one was cut from compiled it/);
  });

  it('writes the shared weights with setWeights: the model it was cut from sees them', () => {
    const { model, x, code } = autoencoder();
    const encoder = my.model({ inputs: x, outputs: code });
    const zeros = encoder.getWeights().map((w) => my.tensor2d(new Float32Array(w.size), [w.shape[0] as number, w.shape[1] ?? 1]));
    encoder.setWeights(zeros);
    expect(model.getLayer('code').getWeights().every((w) => w.data.every((v) => v === 0))).to.equal(true);
    expectClose((model.predict(X) as my.Tensor).data, expected(model, model)[0] as Float64Array, VALUES, 'autoencoder after the encoder was zeroed');
  });

  it('names only its own weights (getNamedWeights), and takes them back by name', () => {
    const { model, x, code } = autoencoder();
    const encoder = my.model({ inputs: x, outputs: code });
    const named = encoder.getNamedWeights();
    expect(Object.keys(named)).to.deep.equal(['hidden/kernel', 'hidden/bias', 'code/kernel', 'code/bias']);
    named['code/bias'] = my.tensor1d([1, 2, 3]);
    encoder.setWeights(named);
    expect(Array.from(model.getLayer('code').getWeights()[1]?.data ?? [])).to.deep.equal([1, 2, 3]);
  });

  it('may output several intermediate tensors (feature extraction), each from layer.output', () => {
    const { model, x } = autoencoder();
    const features = my.model({ inputs: x, outputs: [model.getLayer('hidden').output, model.getLayer('code').output, model.getLayer('up').output] });
    const got = features.predict(X) as my.Tensor[];
    expect(got.map((t) => t.shape)).to.deep.equal([[N, 5], [N, 3], [N, 5]]);
    expected(features, model).forEach((values, j) => expectClose((got[j] as my.Tensor).data, values, VALUES, `output ${j}`));
  });

  it('is refused when it takes layers from two models, naming a layer left out', () => {
    const a = autoencoder();
    const y = my.input({ shape: [2], name: 'y' });
    const other = my.layers.dense({ units: 3, name: 'other' }).apply(y);
    const b = my.model({ inputs: y, outputs: my.layers.dense({ units: 1, name: 'otherOut' }).apply(other) });
    const mixed = my.layers.add().apply([a.code, other]);
    expect(() => my.model({ inputs: [a.x, y], outputs: mixed })).to.throw(my.ArgumentRangeError, /received '\w+', held by a model that also holds '(up|decoded|otherOut)', which this graph does not use.*apply it like a layer/s);
    // Both models are unharmed.
    expect(() => a.model.predict(X)).to.not.throw();
    expect(() => b.predict([[1, 2]])).to.not.throw();
    expect(() => a.model.trainOnBatch(X, X)).to.not.throw();
  });
});

describe('a model nested in a larger one', () => {
  /** A classifier x [6] -> dense 5 tanh -> dense 3 softmax, trained a little with its softmax fused into its loss. */
  async function classifier(): Promise<my.Functional> {
    my.seed(61);
    const x = my.input({ shape: [FEATURES], name: 'features' });
    const out = my.layers.dense({ units: 3, activation: 'softmax', name: 'probs' }).apply(my.layers.dense({ units: 5, activation: 'tanh', name: 'inner_hidden' }).apply(x));
    const inner = my.model({ inputs: x, outputs: out, name: 'inner' });
    inner.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await inner.fit(X, randomClasses(N, 3, 303), { epochs: 2, verbose: 0 });
    return inner;
  }

  it('keeps its weights, trains inside the larger model, and predicts with the trained weights; it refuses to train itself', async () => {
    const inner = await classifier();
    const trained = inner.getWeights().map((w) => Array.from(w.data));
    const t = my.input({ shape: [FEATURES], name: 't' });
    const probs = inner.apply(t) as SymbolicTensor;
    const outer = my.model({ inputs: t, outputs: my.layers.dense({ units: 2, name: 'score' }).apply(probs) });
    expect(outer.getWeights().slice(0, 4).map((w) => Array.from(w.data))).to.deep.equal(trained);
    outer.compile({ optimizer: my.optimizers.sgd({ learningRate: 0.5 }), loss: 'meanSquaredError' });
    await outer.fit(X, my.tensor2d(randomArray(N * 2, 304), [N, 2]), { epochs: 3, batchSize: 4, verbose: 0 });
    const now = inner.getWeights().map((w) => Array.from(w.data));
    expect(now).to.not.deep.equal(trained);
    expect(now).to.deep.equal(outer.getWeights().slice(0, 4).map((w) => Array.from(w.data)));
    expectClose((inner.predict(X) as my.Tensor).data, expected(inner, outer)[0] as Float64Array, VALUES, 'inner after training inside outer');
    expect(() => inner.trainOnBatch(X, randomClasses(N, 3, 303))).to.throw(my.ModelStateError, refusal);
    expect(() => outer.predict(X)).to.not.throw();
  });

  it('passes its output activation to the next layer although its own loss had fused it, before and after the larger model compiles', async () => {
    const inner = await classifier();
    const t = my.input({ shape: [FEATURES], name: 't' });
    const outer = my.model({ inputs: t, outputs: my.layers.dense({ units: 2, name: 'score' }).apply(inner.apply(t) as SymbolicTensor) });
    const reference = (): Float64Array => expected(outer, outer, t)[0] as Float64Array;
    expectClose((outer.predict(X) as my.Tensor).data, reference(), VALUES, 'outer before its compile');
    outer.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expectClose((outer.predict(X) as my.Tensor).data, reference(), VALUES, 'outer after its compile');
  });

  it('evaluates with its own loss on its probabilities after the larger model compiled', async () => {
    const inner = await classifier();
    const labels = randomClasses(N, 3, 305);
    const byHand = (): number => lossRef('sparseCategoricalCrossentropy', (inner.predict(X) as my.Tensor).data, labels, N, 3);
    expectScalarClose(inner.evaluate(X, labels)['loss'] as number, byHand(), VALUES, 'before nesting');
    const t = my.input({ shape: [FEATURES] });
    const outer = my.model({ inputs: t, outputs: my.layers.dense({ units: 2 }).apply(inner.apply(t) as SymbolicTensor) });
    expectScalarClose(inner.evaluate(X, labels)['loss'] as number, byHand(), VALUES, 'nested');
    outer.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expectScalarClose(inner.evaluate(X, labels)['loss'] as number, byHand(), VALUES, 'nested, the larger model compiled');
    // The larger model's own compile fused a softmax head: the nested model's head follows it.
    const head = my.layers.dense({ units: 3, activation: 'softmax' });
    const u = my.input({ shape: [FEATURES] });
    const other = await classifier();
    const top = my.model({ inputs: u, outputs: head.apply(my.layers.add().apply([other.apply(u) as SymbolicTensor, my.layers.dense({ units: 3 }).apply(u)])) });
    top.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const otherByHand = lossRef('sparseCategoricalCrossentropy', (other.predict(X) as my.Tensor).data, labels, N, 3);
    expectScalarClose(other.evaluate(X, labels)['loss'] as number, otherByHand, VALUES, 'nested in a model whose head is fused');
  });

  it('applied twice (a siamese pair) shares its weights between the two branches', async () => {
    const inner = await classifier();
    const left = my.input({ shape: [FEATURES], name: 'left' });
    const right = my.input({ shape: [FEATURES], name: 'right' });
    const outer = my.model({ inputs: [left, right], outputs: my.layers.subtract().apply([inner.apply(left) as SymbolicTensor, inner.apply(right) as SymbolicTensor]) });
    expect(outer.countParams()).to.equal(inner.countParams());
    const same = outer.predict([X, X]) as my.Tensor;
    expect(Array.from(same.data).every((v) => v === 0)).to.equal(true);
    outer.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    await outer.fit([X, my.tensor2d(randomArray(N * FEATURES, 306), [N, FEATURES])], my.tensor2d(randomArray(N * 3, 307, 0.1), [N, 3]), { epochs: 2, verbose: 0 });
    expect(Array.from((outer.predict([X, X]) as my.Tensor).data).every((v) => v === 0)).to.equal(true);
  });
});

describe('symbolic tensors and shared layers', () => {
  it('model.inputs and model.outputs are the tensors given, in order; layer.output is what apply returned', () => {
    my.seed(71);
    const x = my.input({ shape: [3], name: 'x' });
    const z = my.input({ shape: [2], name: 'z' });
    const dense = my.layers.dense({ units: 4, name: 'joined' });
    const joined = dense.apply(my.layers.concatenate({ name: 'cat' }).apply([x, z]));
    const a = my.layers.dense({ units: 2, name: 'a' }).apply(joined);
    const b = my.layers.dense({ units: 1, name: 'b' }).apply(joined);
    const model = my.model({ inputs: [z, x], outputs: [b, a] });
    expect(model.inputs).to.deep.equal([z, x]);
    expect(model.outputs).to.deep.equal([b, a]);
    expect(model.outputNames).to.deep.equal(['b', 'a']);
    expect(dense.output).to.equal(joined);
    expect(joined.shape).to.deep.equal([null, 4]);
    expect(joined.name).to.equal('joined');
    expect(joined.sourceLayer).to.equal(dense);
    expect(x.sourceLayer).to.equal(null);
    expect(x.shape).to.deep.equal([null, 3]);
    expect(model.getLayer('cat').output.inputs).to.deep.equal([x, z]);
    // Inputs in the order given: z first.
    const predicted = model.predict([my.tensor2d(randomArray(4, 1), [2, 2]), my.tensor2d(randomArray(6, 2), [2, 3])]) as my.Tensor[];
    expect(predicted.map((t) => t.shape)).to.deep.equal([[2, 1], [2, 2]]);
  });

  it('a layer applied twice: its outputs in applied, layer.output refused, getWeights its one set of weights', () => {
    my.seed(72);
    const x = my.input({ shape: [3] });
    const shared = my.layers.dense({ units: 3, activation: 'tanh', name: 'twice' });
    const once = shared.apply(x);
    const again = shared.apply(once);
    expect(shared.applied).to.deep.equal([once, again]);
    expect(again.name).to.equal('twice/1');
    expect(() => shared.output).to.throw(my.ModelStateError, /'twice'\.output: the layer has been applied 2 times, so it has several outputs: keep the one apply\(\) returned/);
    expect(() => my.layers.dense({ units: 2, name: 'never' }).output).to.throw(my.ModelStateError, /'never'\.output: .*no output yet: apply it to a tensor first/);
    const model = my.model({ inputs: x, outputs: again });
    expect(model.layers).to.deep.equal([shared]);
    const weights = shared.getWeights();
    expect(weights.map((w) => w.shape)).to.deep.equal([[3, 3], [3]]);
    expect(model.getWeights().map((w) => Array.from(w.data))).to.deep.equal(weights.map((w) => Array.from(w.data)));
    const data = randomArray(6, 3);
    expectClose((model.predict(my.tensor2d(data, [2, 3])) as my.Tensor).data, forwardRef([again], new Map([[x, data]]), 2, refWeights(model), false)[0] as Float64Array, VALUES, 'predict');
  });
});
