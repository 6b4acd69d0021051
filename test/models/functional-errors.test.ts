/**
 * Bad graphs and bad data for graph models: each refused before any training, with an error that
 * names what is wrong (the argument, the layer, the input or output, the shapes), and none leaving
 * the model or its layers unusable: after each refused call, a good one works.
 */
import { expect } from 'chai';

import * as my from '../../lib/index';
import type { SymbolicTensor } from '../../lib/layers/symbolic';
import { randomArray, randomClasses } from '../helpers/data';
import { rejects } from '../helpers/rejects';

const N = 6;
const X = my.tensor2d(randomArray(N * 3, 401), [N, 3]);
const Z = my.tensor2d(randomArray(N * 2, 402), [N, 2]);
const CLS = my.tensor2d(randomClasses(N, 3, 403), [N, 1]);
const REG = my.tensor2d(randomArray(N * 2, 404), [N, 2]);

/** Inputs x [3], z [2]; outputs 'cls' (softmax 3) and 'reg' (2). */
function graph(): { x: SymbolicTensor; z: SymbolicTensor; cls: SymbolicTensor; reg: SymbolicTensor; trunk: SymbolicTensor } {
  const x = my.input({ shape: [3], name: 'x' });
  const z = my.input({ shape: [2], name: 'z' });
  const trunk = my.layers.concatenate({ name: 'trunk' }).apply([my.layers.dense({ units: 4, activation: 'tanh', name: 'fromX' }).apply(x), z]);
  const cls = my.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(trunk);
  const reg = my.layers.dense({ units: 2, name: 'reg' }).apply(trunk);
  return { x, z, cls, reg, trunk };
}

function compiled(): my.Functional {
  my.seed(81);
  const { x, z, cls, reg } = graph();
  const model = my.model({ inputs: [x, z], outputs: [cls, reg] });
  model.compile({ optimizer: 'adam', loss: { cls: 'sparseCategoricalCrossentropy', reg: 'meanSquaredError' }, metrics: { cls: 'accuracy' } });
  return model;
}

/** The model still predicts, evaluates and trains on good data. */
async function expectUsable(model: my.Functional): Promise<void> {
  expect((model.predict([X, Z]) as my.Tensor[]).map((t) => t.shape)).to.deep.equal([[N, 3], [N, 2]]);
  expect(Number.isFinite(model.evaluate([X, Z], [CLS, REG])['loss'])).to.equal(true);
  const iterations = model.optimizer.iterations;
  expect(Number.isFinite(model.trainOnBatch([X, Z], [CLS, REG]))).to.equal(true);
  await model.fit({ x: X, z: Z }, { cls: CLS, reg: REG }, { epochs: 1, batchSize: 4, verbose: 0 });
  expect(model.optimizer.iterations).to.equal(iterations + 3);
}

describe('bad graphs are refused by model(), naming what is wrong', () => {
  it('an input the outputs do not depend on', () => {
    const { x, z } = graph();
    const onlyX = my.layers.dense({ units: 2 }).apply(x);
    expect(() => my.model({ inputs: [x, z], outputs: onlyX })).to.throw(my.ArgumentRangeError, /Expected an input the outputs depend on for inputs\[1\] but received 'z', which no output is computed from/);
    expect(my.model({ inputs: x, outputs: onlyX }).predict(X)).to.be.instanceOf(my.Tensor);
  });

  it('an output that depends on an input not given (another graph\'s tensor)', () => {
    const { x, cls } = graph();
    expect(() => my.model({ inputs: x, outputs: cls })).to.throw(my.ArgumentRangeError, /Expected outputs computed from the inputs given \('x'\) for outputs but received outputs that depend on the input 'z', which is not among them/);
    const stranger = my.input({ shape: [3], name: 'stranger' });
    const elsewhere = my.layers.dense({ units: 2 }).apply(stranger);
    expect(() => my.model({ inputs: x, outputs: my.layers.add().apply([elsewhere, my.layers.dense({ units: 2 }).apply(x)]) })).to.throw(my.ArgumentRangeError, /depend on the input 'stranger'/);
  });

  it('a tensor given twice, as inputs or as outputs', () => {
    const { x, z, cls } = graph();
    expect(() => my.model({ inputs: [x, z, x], outputs: cls })).to.throw(my.ArgumentRangeError, /Expected distinct tensors for inputs but received one tensor given twice/);
    expect(() => my.model({ inputs: [x, z], outputs: [cls, cls] })).to.throw(my.ArgumentRangeError, /Expected distinct tensors for outputs but received one tensor given twice/);
  });

  it('an input as an output, and a layer output as an input', () => {
    const { x, z, cls, trunk } = graph();
    expect(() => my.model({ inputs: [x, z], outputs: [cls, z] })).to.throw(my.ShapeError, /Expected a layer's output for outputs\[1\] but received the input 'z' itself/);
    expect(() => my.model({ inputs: trunk, outputs: cls })).to.throw(my.ArgumentTypeError, /Expected a tensor from input\(\{ shape \}\) for inputs\[0\] but received the output of layer 'trunk'\. Cut a model from a layer output/);
  });

  it('two layers of one name, and two inputs of one name', () => {
    const x = my.input({ shape: [3], name: 'x' });
    const first = my.layers.dense({ units: 2, name: 'twin' }).apply(x);
    const second = my.layers.dense({ units: 2, name: 'twin' }).apply(x);
    expect(() => my.model({ inputs: x, outputs: [first, second] })).to.throw(my.ArgumentRangeError, /Expected layers of distinct names in the graph for outputs but received two layers named 'twin'/);
    const alsoX = my.input({ shape: [3], name: 'x' });
    const merged = my.layers.add().apply([my.layers.dense({ units: 2 }).apply(x), my.layers.dense({ units: 2 }).apply(alsoX)]);
    expect(() => my.model({ inputs: [x, alsoX], outputs: merged })).to.throw(my.ArgumentRangeError, /Expected inputs of distinct names for inputs but received two inputs named 'x'/);
    // Each of the twins still makes a model of its own.
    expect(my.model({ inputs: x, outputs: first }).predict(X)).to.be.instanceOf(my.Tensor);
    expect(my.model({ inputs: x, outputs: second }).predict(X)).to.be.instanceOf(my.Tensor);
  });

  it('empty lists, non-tensors and unknown options', () => {
    const { x, cls } = graph();
    expect(() => my.model({ inputs: [], outputs: cls })).to.throw(my.ArgumentRangeError, /at least one symbolic tensor for inputs but received an empty array/);
    expect(() => my.model({ inputs: x, outputs: [] })).to.throw(my.ArgumentRangeError, /at least one symbolic tensor for outputs but received an empty array/);
    expect(() => my.model({ inputs: [x, X as never], outputs: cls })).to.throw(my.ArgumentTypeError, /symbolic tensor .* for inputs\[1\] but received a Tensor/);
    expect(() => my.model({ inputs: x, outputs: 'cls' as never })).to.throw(my.ArgumentTypeError, /for outputs but received 'cls'/);
    expect(() => my.model({ inputs: x, outputs: cls, input: x } as never)).to.throw(my.ArgumentRangeError, /input/);
    expect(() => my.input({ shape: [3, 2] })).to.throw(my.ArgumentTypeError, /\[features\]: a sample is a row of features for shape but received an array of length 2/);
    expect(() => my.input({ shape: [0] })).to.throw(my.ArgumentRangeError, /positive integer for shape\[0\] but received 0/);
  });
});

describe('bad applies are refused by layer.apply(), naming the layer', () => {
  it('apply() of a non-tensor', () => {
    const dense = my.layers.dense({ units: 2, name: 'picky' });
    expect(() => dense.apply(X as never)).to.throw(my.ArgumentTypeError, /Expected a symbolic tensor .* for 'picky' for inputs but received a Tensor/);
    expect(() => dense.apply([[1, 2, 3]] as never)).to.throw(my.ArgumentTypeError, /for 'picky' for inputs\[0\] but received an array of length 3/);
    expect(() => dense.apply([])).to.throw(my.ArgumentTypeError, /at least one symbolic tensor for 'picky'/);
    // Nothing was built: it takes its first real input after.
    expect(dense.apply(my.input({ shape: [5] })).shape).to.deep.equal([null, 2]);
  });

  it('a layer that is not a merge given two tensors', () => {
    const x = my.input({ shape: [3] });
    expect(() => my.layers.dense({ units: 2, name: 'single' }).apply([x, my.input({ shape: [3] })])).to.throw(my.ArgumentTypeError, /Expected one tensor \(Dense is not a merge layer\) for inputs of 'single' but received 2 tensors/);
  });

  it('a shared layer applied to a different width, and a layer whose inputShape the input does not match', () => {
    const shared = my.layers.dense({ units: 2, name: 'sharedDense' });
    shared.apply(my.input({ shape: [3] }));
    expect(() => shared.apply(my.input({ shape: [4] }))).to.throw(my.ShapeError, /Expected \[null, 3\], as it was first applied to \(a shared layer takes inputs of the same shapes\) for inputs of 'sharedDense' but received \[null, 4\]/);
    expect(shared.apply(my.input({ shape: [3] })).shape).to.deep.equal([null, 2]);
    expect(() => my.layers.dense({ units: 2, inputShape: [5], name: 'declared' }).apply(my.input({ shape: [3] }))).to.throw(my.ShapeError, /Expected \[null, 5\], its inputShape for inputs of 'declared' but received \[null, 3\]/);
  });

  it('a model applied to another number of tensors than it has inputs, or of other widths', () => {
    my.seed(82);
    const { x, z, cls, reg } = graph();
    const inner = my.model({ inputs: [x, z], outputs: [cls, reg], name: 'twoInputs' });
    const p = my.input({ shape: [3] });
    const q = my.input({ shape: [2] });
    expect(() => inner.apply(p)).to.throw(my.ArgumentRangeError, /Expected 2 tensors, one per input of 'twoInputs' for inputs but received 1/);
    expect(() => inner.apply([q, p])).to.throw(my.ShapeError, /'fromX'/);
    expect((inner.apply([p, q]) as SymbolicTensor[]).map((t) => t.shape)).to.deep.equal([[null, 3], [null, 2]]);
  });

  it('layer.output of a layer applied twice, or never', () => {
    const shared = my.layers.dense({ units: 3, name: 'reused' });
    const x = my.input({ shape: [3] });
    shared.apply(shared.apply(x));
    expect(() => shared.output).to.throw(my.ModelStateError, /'reused'\.output: the layer has been applied 2 times/);
    expect(() => my.layers.dense({ units: 3, name: 'idle' }).output).to.throw(my.ModelStateError, /'idle'\.output: the layer has been applied 0 times, so it has no output yet/);
  });
});

describe('bad compile arguments and data are refused before any step, and leave the model usable', () => {
  it('loss, lossWeights and metrics for an output that does not exist, or arrays of the wrong length', async () => {
    const model = compiled();
    const refusals: [Partial<my.CompileArgs>, RegExp][] = [
      [{ loss: { cls: 'sparseCategoricalCrossentropy', reg: 'mse', regr: 'mse' } as never }, /Expected keys that name outputs \(cls, reg\) for loss but received 'regr'/],
      [{ loss: { cls: 'sparseCategoricalCrossentropy' } as never }, /Expected an entry for every output \(cls, reg\) for loss but received none for 'reg'/],
      [{ loss: ['sparseCategoricalCrossentropy'] }, /Expected one entry per output \(2: cls, reg\) for loss but received an array of 1/],
      [{ lossWeights: { clss: 1 } }, /Expected keys that name outputs \(cls, reg\) for lossWeights but received 'clss'/],
      [{ lossWeights: [1, 2, 3] }, /Expected 2 weights, one per output \(cls, reg\) for lossWeights but received 3/],
      [{ lossWeights: { cls: -1 } }, /lossWeights\.cls/],
      [{ metrics: { rg: 'mae' } }, /Expected keys that name outputs \(cls, reg\) for metrics but received 'rg'/],
      [{ metrics: [['accuracy'], ['mae'], ['mae']] as never }, /Expected one entry per output \(2: cls, reg\) for metrics but received an array of 3/],
      [{ loss: ['sparseCategoricalCrossentropy', 'meanSquaredErr'] as never }, /for loss\[1\]/],
      [{ metrics: { reg: 'accuracyy' } as never }, /metrics/],
    ];
    for (const [args, pattern] of refusals) {
      expect(() => model.compile({ optimizer: 'adam', loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'], ...args }), pattern.source).to.throw(pattern);
    }
    // The compile before the refusals holds.
    expect(Object.keys(model.evaluate([X, Z], [CLS, REG])).sort()).to.deep.equal(['cls_accuracy', 'cls_loss', 'loss', 'reg_loss']);
    await expectUsable(model);
  });

  it('labels missing for an output, for an unknown output, of the wrong length or shape', async () => {
    const model = compiled();
    const refusals: [unknown, RegExp][] = [
      [{ cls: CLS }, /Expected a tensor for every output \(cls, reg\) for y but received none for 'reg'/],
      [{ cls: CLS, reg: REG, extra: REG }, /Expected keys that name the model's outputs \(cls, reg\) for y but received 'extra'/],
      [[CLS], /Expected one tensor per output \(2: cls, reg\), in that order for y but received an array of 1/],
      [[CLS, REG, REG], /received an array of 3/],
      [[REG, CLS], /for y\[0\]/],
      [{ cls: CLS, reg: CLS }, /Expected 2 targets per sample \(shape \[n, 2\]\) for y\.reg but received shape \[6, 1\]/],
      [{ cls: [0, 1, 2, 3, 0, 1], reg: REG }, /Expected a class index from 0 to 2 for y\.cls\[3\] but received 3/],
      [[CLS.slice([0, 0], [5, 1]), REG], /Expected 6 samples, as many as x has for y\[0\] but received 5/],
      [CLS, /an array of 2 tensors \(one per output: cls, reg\) or an object keyed by output name for y but received a Tensor/],
    ];
    for (const [y, pattern] of refusals) {
      expect(() => model.evaluate([X, Z], y as never), `evaluate ${pattern.source}`).to.throw(pattern);
      expect(() => model.trainOnBatch([X, Z], y as never), `trainOnBatch ${pattern.source}`).to.throw(pattern);
      expect(() => model.computeGradients([X, Z], y as never), `computeGradients ${pattern.source}`).to.throw(pattern);
      expect((await rejects(model.fit([X, Z], y as never, { verbose: 0 }))).message, `fit ${pattern.source}`).to.match(pattern);
      expect((await rejects(model.fit([X, Z], [CLS, REG], { verbose: 0, validationData: [[X, Z], y as never] }))).message.replace('validationData[1]', 'y'), `validationData ${pattern.source}`).to.match(pattern);
    }
    expect(model.optimizer.iterations).to.equal(0);
    await expectUsable(model);
  });

  it('inputs of the wrong width, count or rows, naming the input', async () => {
    const model = compiled();
    const refusals: [unknown, RegExp][] = [
      [[X, X], /Expected samples of 2 features \(shape \[n, 2\]\) for x\[1\] but received shape \[6, 3\]/],
      [{ x: Z, z: Z }, /Expected samples of 3 features \(shape \[n, 3\]\) for x\.x but received shape \[6, 2\]/],
      [[X], /Expected one tensor per input \(2: x, z\), in that order for x but received an array of 1/],
      [{ x: X }, /Expected a tensor for every input \(x, z\) for x but received none for 'z'/],
      [{ x: X, z: Z, w: Z }, /Expected keys that name the model's inputs \(x, z\) for x but received 'w'/],
      [[X, Z.slice([0, 0], [4, 2])], /Expected 6 samples, as many as x\[0\] for x\[1\] but received 4/],
      [X, /Expected an array of 2 tensors \(one per input: x, z\) or an object keyed by input name for x but received a Tensor/],
      [[X, my.tensor2d([NaN, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11], [N, 2])], /finite.*x\[1\]/],
    ];
    for (const [x, pattern] of refusals) {
      expect(() => model.predict(x as never), `predict ${pattern.source}`).to.throw(pattern);
      expect(() => model.evaluate(x as never, [CLS, REG]), `evaluate ${pattern.source}`).to.throw(pattern);
      expect(() => model.trainOnBatch(x as never, [CLS, REG]), `trainOnBatch ${pattern.source}`).to.throw(pattern);
      expect((await rejects(model.predictAsync(x as never))).message, `predictAsync ${pattern.source}`).to.match(pattern);
      expect((await rejects(model.fit(x as never, [CLS, REG], { verbose: 0 }))).message, `fit ${pattern.source}`).to.match(pattern);
    }
    expect(model.optimizer.iterations).to.equal(0);
    await expectUsable(model);
  });

  it('sample weights per output of the wrong kind are refused before any step', async () => {
    const model = compiled();
    const weights = new Float32Array(N).fill(1);
    for (const [sampleWeight, pattern] of [
      [[weights, weights, weights], /one tensor per output \(2: cls, reg\).* for sampleWeight but received an array of 3/],
      [{ cls: weights, regr: weights }, /keys that name outputs \(cls, reg\) for sampleWeight but received 'regr'/],
      [{ cls: [1, 1, 1, 1, 1, -1] }, /a finite weight >= 0 for sampleWeight\.cls\[5\]/],
      [[weights, 'ones'], /sampleWeight\[1\]/],
    ] as [unknown, RegExp][]) {
      expect((await rejects(model.fit([X, Z], [CLS, REG], { verbose: 0, sampleWeight: sampleWeight as never }))).message, pattern.source).to.match(pattern);
    }
    expect(model.optimizer.iterations).to.equal(0);
    await expectUsable(model);
  });
});
