/**
 * A graph model of several inputs and outputs as callers use it: fit, evaluate, predict,
 * predictAsync and trainOnBatch take arrays in order or objects keyed by name, alike; evaluate's
 * and fit's logs (loss, <output>_loss, <output>_<metric>, val_ versions) checked by hand from
 * predict's outputs; callbacks watching them; sampleWeight and classWeight per output.
 */
import { expect } from 'chai';

import * as my from '../../lib/index';
import { expectClose, expectScalarClose, VALUES } from '../helpers/compare';
import { randomArray, randomClasses } from '../helpers/data';
import { lossRef } from '../helpers/reference';

const N = 13;
const xData = randomArray(N * 3, 201, 2);
const zData = randomArray(N * 2, 202, 2);
const clsData = randomClasses(N, 3, 203);
const regData = randomArray(N * 2, 204);
const X = my.tensor2d(xData, [N, 3]);
const Z = my.tensor2d(zData, [N, 2]);
const CLS = my.tensor2d(clsData, [N, 1]);
const REG = my.tensor2d(regData, [N, 2]);

/** Inputs x [3] and z [2]; outputs 'cls' (softmax over 3, sparse cross-entropy) and 'reg' (2, mse), weighted 1 and 0.5. */
function twoByTwo(compile: Partial<my.CompileArgs> = {}): my.Functional {
  my.seed(31);
  const x = my.input({ shape: [3], name: 'x' });
  const z = my.input({ shape: [2], name: 'z' });
  const a = my.layers.dense({ units: 6, activation: 'tanh' }).apply(x);
  const b = my.layers.dense({ units: 6, activation: 'relu' }).apply(z);
  const trunk = my.layers.add().apply([a, b]);
  const cls = my.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(my.layers.concatenate().apply([trunk, a]));
  const reg = my.layers.dense({ units: 2, name: 'reg' }).apply(trunk);
  const model = my.model({ inputs: [x, z], outputs: [cls, reg] });
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 0.01 }), loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'], lossWeights: [1, 0.5], metrics: { cls: 'accuracy', reg: ['mae'] }, ...compile });
  model.getWeights(); // weights drawn now, before any shuffle draws
  return model;
}

const flat = (model: my.Model): number[] => model.getWeights().flatMap((w) => Array.from(w.data));
const outputs = (model: my.Model, x: my.ModelInputs): Float64Array[] => (model.predict(x) as my.Tensor[]).map((t) => Float64Array.from(t.data));

/** Each output's loss from predictions, in float64: sparse cross-entropy for cls, mse for reg. */
function headLosses(predicted: readonly Float64Array[], rows: number, weights: { cls?: ArrayLike<number>; reg?: ArrayLike<number> } = {}, labels = { cls: clsData, reg: regData }): { cls: number; reg: number } {
  return {
    cls: lossRef('sparseCategoricalCrossentropy', predicted[0] as Float64Array, labels.cls, rows, 3, weights.cls === undefined ? {} : { weights: weights.cls }),
    reg: lossRef('meanSquaredError', predicted[1] as Float64Array, labels.reg, rows, 2, weights.reg === undefined ? {} : { weights: weights.reg }),
  };
}

describe('graph models of several inputs and outputs: arrays and objects', () => {
  it('fit, evaluate, predict, predictAsync and trainOnBatch give the same for arrays in order and objects keyed by name', async () => {
    const byArray = twoByTwo();
    const byName = twoByTwo();
    const fitArgs = { epochs: 3, batchSize: 4, shuffle: false, verbose: 0 } as const;
    const h1 = await byArray.fit([X, Z], [CLS, REG], fitArgs);
    const h2 = await byName.fit({ z: Z, x: X }, { reg: REG, cls: CLS }, fitArgs);
    expect(h2.history).to.deep.equal(h1.history);
    expect(flat(byName)).to.deep.equal(flat(byArray));
    expect(byName.evaluate({ x: X, z: Z }, { cls: clsData, reg: REG })).to.deep.equal(byArray.evaluate([X, Z], [CLS, REG]));
    const predicted = byArray.predict([X, Z]) as my.Tensor[];
    expect(predicted.map((t) => t.shape)).to.deep.equal([[N, 3], [N, 2]]);
    for (const other of [byName.predict({ x: X, z: Z }), await byArray.predictAsync([X, Z]), await byName.predictAsync({ z: Z, x: X })] as my.Tensor[][]) {
      expect(other.map((t) => Array.from(t.data))).to.deep.equal(predicted.map((t) => Array.from(t.data)));
    }
    // In batches of 3 (the kernels may sum in another order for another number of rows).
    (byArray.predict([X, Z], { batchSize: 3 }) as my.Tensor[]).forEach((t, j) => expectClose(t.data, (predicted[j] as my.Tensor).data, VALUES, `output ${j} in batches of 3`));
    // number[][] rows work as tensors do.
    const rowsOf = (t: my.Tensor): number[][] => Array.from({ length: t.shape[0] as number }, (_, r) => Array.from(t.data.subarray(r * (t.shape[1] as number), (r + 1) * (t.shape[1] as number))));
    expect((byArray.predict([rowsOf(X), rowsOf(Z)]) as my.Tensor[]).map((t) => Array.from(t.data))).to.deep.equal(predicted.map((t) => Array.from(t.data)));
    const l1 = byArray.trainOnBatch([X, Z], [CLS, REG]);
    const l2 = byName.trainOnBatch({ x: X, z: Z }, { cls: CLS, reg: REG });
    expect(l2).to.equal(l1);
    expect(flat(byName)).to.deep.equal(flat(byArray));
  });

  it('predict of one sample per input (flat arrays, a Float32Array, by name) gives one row per output, equal to the batch of one', async () => {
    const model = twoByTwo();
    const x0 = Array.from(xData.subarray(0, 3));
    const z0 = Array.from(zData.subarray(0, 2));
    const batch = (model.predict([my.tensor2d(x0, [1, 3]), my.tensor2d(z0, [1, 2])]) as my.Tensor[]).map((t) => Array.from(t.data));
    for (const one of [model.predict([x0, z0]), model.predict({ z: z0, x: Float32Array.from(x0) }), await model.predictAsync([Float32Array.from(x0), z0]), await model.predictAsync({ x: x0, z: z0 })] as my.Tensor[][]) {
      expect(one.map((t) => t.shape)).to.deep.equal([[1, 3], [1, 2]]);
      expect(one.map((t) => Array.from(t.data))).to.deep.equal(batch);
    }
    expect(() => model.predict([x0, [1, 2, 3]])).to.throw(my.ShapeError, /Expected 2 features.* for x\[1\] but received 3 values/);
    expect(() => model.predict({ x: x0, z: [1] })).to.throw(my.ShapeError, /for x\.z but received 1 values/);
    expect(() => model.predict([x0, [1, NaN]])).to.throw(my.ArgumentRangeError, /finite number for x\[1\]\[1\]/);
    // One sample of one input beside a batch of another: the rows differ, and the error says so.
    expect(() => model.predict([x0, Z])).to.throw(my.ShapeError, /Expected 1 samples, as many as x\[0\] for x\[1\] but received 13/);
  });

  it('evaluate logs loss, <output>_loss and <output>_<metric>; loss is the lossWeights-weighted sum, each checked by hand', () => {
    const model = twoByTwo();
    const logs = model.evaluate([X, Z], [CLS, REG], { batchSize: 5 });
    expect(Object.keys(logs).sort()).to.deep.equal(['cls_accuracy', 'cls_loss', 'loss', 'reg_loss', 'reg_mae']);
    const predicted = outputs(model, [X, Z]);
    const own = headLosses(predicted, N);
    expectScalarClose(logs['cls_loss'] as number, own.cls, VALUES, 'cls_loss');
    expectScalarClose(logs['reg_loss'] as number, own.reg, VALUES, 'reg_loss');
    expectScalarClose(logs['loss'] as number, own.cls + 0.5 * own.reg, VALUES, 'loss');
    let right = 0;
    for (let r = 0; r < N; r++) {
      const row = Array.from((predicted[0] as Float64Array).subarray(r * 3, r * 3 + 3));
      if (row.indexOf(Math.max(...row)) === clsData[r]) right++;
    }
    expect(logs['cls_accuracy']).to.equal(right / N);
    const mae = (predicted[1] as Float64Array).reduce((s, p, i) => s + Math.abs(p - (regData[i] as number)), 0) / (N * 2);
    expectScalarClose(logs['reg_mae'] as number, mae, VALUES, 'reg_mae');
    // lossWeights by name; an output left out weighs 1.
    const byName = twoByTwo({ lossWeights: { reg: 3 } });
    expectScalarClose(byName.evaluate([X, Z], [CLS, REG])['loss'] as number, own.cls + 3 * own.reg, VALUES, 'loss with lossWeights { reg: 3 }');
  });

  it('metrics given once apply to every output, each logged under its output\'s name', () => {
    const model = twoByTwo({ metrics: ['accuracy'] });
    expect(Object.keys(model.evaluate([X, Z], [CLS, REG])).sort()).to.deep.equal(['cls_accuracy', 'cls_loss', 'loss', 'reg_accuracy', 'reg_loss']);
  });

  it('fit logs each output\'s loss and metrics every epoch; one batch\'s logged loss is the loss before its step, by hand', async () => {
    const model = twoByTwo();
    const before = outputs(model, [X, Z]);
    const history = await model.fit([X, Z], [CLS, REG], { epochs: 2, batchSize: N, verbose: 0 });
    expect(Object.keys(history.history).sort()).to.deep.equal(['cls_accuracy', 'cls_loss', 'loss', 'reg_loss', 'reg_mae']);
    const own = headLosses(before, N);
    expectScalarClose(history.history['cls_loss']?.[0] as number, own.cls, VALUES, 'cls_loss');
    expectScalarClose(history.history['reg_loss']?.[0] as number, own.reg, VALUES, 'reg_loss');
    expectScalarClose(history.history['loss']?.[0] as number, own.cls + 0.5 * own.reg, VALUES, 'loss');
  });

  it('validationSplit and validationData give val_loss, val_<output>_loss and val_<output>_<metric>, equal to evaluate on the held-out rows', async () => {
    const held = 4;
    const cut = N - held;
    const tail = (t: my.Tensor): my.Tensor => t.slice([cut, 0], [held, t.shape[1] as number]);
    const head = (t: my.Tensor): my.Tensor => t.slice([0, 0], [cut, t.shape[1] as number]);
    const split = twoByTwo();
    const h1 = await split.fit([X, Z], [CLS, REG], { epochs: 1, batchSize: 4, validationSplit: held / N + 1e-9, verbose: 0 });
    const expected = split.evaluate([tail(X), tail(Z)], [tail(CLS), tail(REG)]);
    for (const key of ['loss', 'cls_loss', 'reg_loss', 'cls_accuracy', 'reg_mae']) {
      expect(h1.history[`val_${key}`]?.[0], `val_${key}`).to.be.closeTo(expected[key] as number, 1e-6 * (1 + Math.abs(expected[key] as number)));
    }
    // The same held-out rows given as validationData train and validate the same.
    const given = twoByTwo();
    const h2 = await given.fit({ x: head(X), z: head(Z) }, { cls: head(CLS), reg: head(REG) }, { epochs: 1, batchSize: 4, validationData: [{ x: tail(X), z: tail(Z) }, [tail(CLS), tail(REG)]], verbose: 0 });
    expect(flat(given)).to.deep.equal(flat(split));
    for (const key of Object.keys(h1.history)) expect(h2.history[key]?.[0], key).to.be.closeTo(h1.history[key]?.[0] as number, 1e-6);
  });

  it('callbacks see every output\'s logs; earlyStopping monitors val_<output>_loss, and names what it can monitor when the name is wrong', async () => {
    const seen: string[][] = [];
    const batchKeys: string[][] = [];
    const model = twoByTwo();
    const history = await model.fit([X, Z], [CLS, REG], {
      epochs: 6,
      batchSize: 4,
      validationSplit: 0.3,
      verbose: 0,
      // mode 'max' on a loss that falls: the second epoch does not improve, and patience 1 stops there.
      callbacks: [my.callbacks.earlyStopping({ monitor: 'val_reg_loss', mode: 'max', patience: 1 }), { onEpochEnd: (_epoch, logs) => void seen.push(Object.keys(logs ?? {}).sort()), onBatchEnd: (_batch, logs) => void batchKeys.push(Object.keys(logs ?? {}).sort()) }],
    });
    const valReg = history.history['val_reg_loss'] as number[];
    expect(valReg.length).to.equal(2);
    expect(valReg[1]).to.be.below(valReg[0] as number);
    expect(history.epoch).to.deep.equal([0, 1]);
    expect(seen[0]).to.deep.equal(['cls_accuracy', 'cls_loss', 'loss', 'reg_loss', 'reg_mae', 'val_cls_accuracy', 'val_cls_loss', 'val_loss', 'val_reg_loss', 'val_reg_mae']);
    expect(batchKeys[0]).to.include.members(['batch', 'size', 'loss', 'cls_loss', 'reg_loss', 'cls_accuracy', 'reg_mae']);
    const wrong = await model.fit([X, Z], [CLS, REG], { epochs: 2, verbose: 0, validationSplit: 0.3, callbacks: my.callbacks.earlyStopping({ monitor: 'val_regr_loss' }) }).then(
      () => null,
      (error: unknown) => error as Error,
    );
    expect(wrong).to.be.instanceOf(my.ArgumentRangeError);
    expect(wrong?.message).to.match(/'val_reg_loss'.*received 'val_regr_loss'/s);
  });
});

describe('graph models: sampleWeight and classWeight per output', () => {
  const wCls = Float32Array.from({ length: N }, (_, i) => (i % 4) * 0.5);
  const wReg = Float32Array.from({ length: N }, (_, i) => 1 + (i % 3));

  /** The first epoch's logs of one step over every sample: the losses before the step. */
  async function firstLogs(model: my.Functional, args: my.FitArgs): Promise<Record<string, number>> {
    const history = await model.fit([X, Z], [CLS, REG], { epochs: 1, batchSize: N, verbose: 0, ...args });
    return Object.fromEntries(Object.entries(history.history).map(([k, v]) => [k, v[0] as number]));
  }

  function expectLosses(logs: Record<string, number>, own: { cls: number; reg: number }): void {
    expectScalarClose(logs['cls_loss'] as number, own.cls, VALUES, 'cls_loss');
    expectScalarClose(logs['reg_loss'] as number, own.reg, VALUES, 'reg_loss');
    expectScalarClose(logs['loss'] as number, own.cls + 0.5 * own.reg, VALUES, 'loss');
  }

  it('sampleWeight per output, as an array of arrays and as an object keyed by output name (a missing output weighs 1)', async () => {
    const model = twoByTwo();
    const own = headLosses(outputs(model, [X, Z]), N, { cls: wCls, reg: wReg });
    expectLosses(await firstLogs(model, { sampleWeight: [wCls, Array.from(wReg)] }), own);
    const byName = twoByTwo();
    expectLosses(await firstLogs(byName, { sampleWeight: { reg: wReg, cls: wCls } }), own);
    const partly = twoByTwo();
    const partlyOwn = headLosses(outputs(partly, [X, Z]), N, { reg: wReg });
    expectLosses(await firstLogs(partly, { sampleWeight: { reg: wReg } }), partlyOwn);
    // The same training: the weights of the two runs given the same weights agree.
    expect(flat(byName)).to.deep.equal(flat(model));
  });

  it('one sampleWeight array weighs every output', async () => {
    const model = twoByTwo();
    const own = headLosses(outputs(model, [X, Z]), N, { cls: wReg, reg: wReg });
    expectLosses(await firstLogs(model, { sampleWeight: wReg }), own);
  });

  it('classWeight per output, keyed by output name or as an array, multiplied by sampleWeight', async () => {
    const table = { 0: 2, 2: 0.25 };
    const byClass = Float32Array.from(clsData, (c) => (table as Record<number, number>)[c] ?? 1);
    const model = twoByTwo();
    const own = headLosses(outputs(model, [X, Z]), N, { cls: byClass });
    expectLosses(await firstLogs(model, { classWeight: { cls: table } }), own);
    const asArray = twoByTwo();
    expectLosses(await firstLogs(asArray, { classWeight: [table, {}] }), own);
    const withSamples = twoByTwo();
    const product = byClass.map((w, i) => w * (wCls[i] as number));
    const weighted = headLosses(outputs(withSamples, [X, Z]), N, { cls: product, reg: wReg });
    expectLosses(await firstLogs(withSamples, { classWeight: { cls: table }, sampleWeight: { cls: wCls, reg: wReg } }), weighted);
  });

  it('per-output weights of the wrong length or for an unknown output are refused, naming them', async () => {
    const model = twoByTwo();
    const refused = async (args: Record<string, unknown>): Promise<Error> => model.fit([X, Z], [CLS, REG], { verbose: 0, ...args } as my.FitArgs).then(() => { throw new Error('fit did not refuse'); }, (e: unknown) => e as Error);
    expect(await refused({ sampleWeight: [wCls] })).to.match(/one tensor per output \(2: cls, reg\).*for sampleWeight but received an array of 1/);
    expect(await refused({ sampleWeight: { cls: wCls.subarray(1) } })).to.match(/Expected 13 weights, one per sample of x for sampleWeight\.cls/);
    expect(await refused({ sampleWeight: { clss: wCls } })).to.match(/keys that name outputs \(cls, reg\) for sampleWeight but received 'clss'/);
    expect(await refused({ classWeight: { cls: { 0: 2 }, regg: {} } })).to.match(/keys that name outputs \(cls, reg\) for classWeight but received 'regg'/);
    expect(await refused({ classWeight: [{ 0: 2 }] })).to.match(/classWeight/);
    expect(model.optimizer.iterations).to.equal(0);
  });
});

describe('graph models of one output', () => {
  function oneOutput(): { model: my.Functional; out: my.SymbolicTensor } {
    my.seed(41);
    const x = my.input({ shape: [3], name: 'x' });
    const out = my.layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(my.layers.dense({ units: 4, activation: 'tanh' }).apply(x));
    return { model: my.model({ inputs: x, outputs: out }), out };
  }

  it('log as a Sequential does (loss, accuracy) and predict one tensor', () => {
    const { model } = oneOutput();
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    expect(Object.keys(model.evaluate(X, CLS)).sort()).to.deep.equal(['accuracy', 'loss']);
    expect(model.predict(X)).to.be.instanceOf(my.Tensor);
    expect(model.outputNames).to.deep.equal(['out']);
  });

  it('take loss as an array of one or an object keyed by the output\'s name, as Keras does', () => {
    const reference = oneOutput().model;
    reference.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    const expected = reference.evaluate(X, CLS);
    for (const loss of [['sparseCategoricalCrossentropy'], { out: 'sparseCategoricalCrossentropy' }] as const) {
      const { model } = oneOutput();
      model.compile({ optimizer: 'sgd', loss: loss as never, lossWeights: { out: 2 } });
      expectClose([model.evaluate(X, CLS)['loss'] as number], [2 * (expected['loss'] as number)], VALUES, 'loss');
    }
    const { model } = oneOutput();
    expect(() => model.compile({ optimizer: 'sgd', loss: ['mse', 'mse'] })).to.throw(my.ArgumentRangeError, /one entry per output \(1: out\) for loss but received an array of 2/);
    expect(() => model.compile({ optimizer: 'sgd', loss: { name: 'mse' } as never })).to.throw(my.ArgumentTypeError, /loss name .* for loss but received an object/);
  });
});
