/** model.save / loadModel, toJSON / modelFromJSON, named weights, and every layer's config round trip. */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as my from '../../lib/index';
import { decodeContainer, encodeContainer } from '../../lib/io/container';
import { layerFromConfig } from '../../lib/layers/registry';
import { globalRandom } from '../../lib/random';
import { randomArray, randomClasses } from '../helpers/data';

const N = 24;
const X = new my.Tensor(randomArray(N * 4, 31), [N, 4]);
const Y = Array.from(randomClasses(N, 3, 32));

/** A model with every layer class, options with configs, a regularized and constrained Dense. */
function everyLayer(): my.Sequential {
  my.seed(3);
  const norm = my.layers.normalization({ inputShape: [4] });
  norm.adapt(X);
  return my.sequential([
    norm,
    my.layers.gaussianNoise({ stddev: 0.05 }),
    my.layers.dense({
      units: 6,
      kernelInitializer: my.initializers.varianceScaling({ scale: 1.5, mode: 'fanAvg', distribution: 'uniform' }),
      biasInitializer: my.initializers.constant({ value: 0.1 }),
      kernelRegularizer: my.regularizers.l1l2({ l1: 1e-4, l2: 1e-3 }),
      biasRegularizer: 'l2',
      activityRegularizer: my.regularizers.l1({ l1: 1e-5 }),
      kernelConstraint: my.constraints.maxNorm({ maxValue: 3, axis: 0 }),
      biasConstraint: 'nonNeg',
      dropConnect: 0.1,
    }),
    my.layers.batchNormalization({ momentum: 0.9, epsilon: 1e-2, gammaInitializer: my.initializers.randomNormal({ mean: 1, stddev: 0.02 }) }),
    my.layers.prelu({ alphaInitializer: my.initializers.constant({ value: 0.25 }) }),
    my.layers.dropout({ rate: 0.2 }),
    my.layers.rrelu({ lower: 0.1, upper: 0.2 }),
    my.layers.leakyReLU({ alpha: 0.1 }),
    my.layers.activation({ activation: 'elu', alpha: 0.5 }),
    my.layers.dense({ units: 3, activation: 'softmax', useBias: false, kernelInitializer: 'lecunNormal' }),
  ]);
}

const bytesOf = (t: my.Tensor): Buffer => Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);

describe('model.save() and loadModel()', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-io-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('gives a model that predicts bit-identically, compiled with its optimizer state, and trains on identically', async () => {
    const model = everyLayer();
    model.compile({ optimizer: my.optimizers.adamw({ learningRate: 0.01, clipNorm: 1, amsgrad: true }), loss: my.losses.sparseCategoricalCrossentropy({ labelSmoothing: 0 }), metrics: ['accuracy', 'sparseTopKCategoricalAccuracy'] });
    await model.fit(X, Y, { epochs: 2, batchSize: 8, verbose: 0 });
    const file = path.join(dir, 'm.myelin');
    await model.save(file);
    const loaded = await my.loadModel(file);

    expect(bytesOf(loaded.predict(X) as my.Tensor).equals(bytesOf(model.predict(X)))).to.equal(true);
    expect(loaded.toJSON()).to.deep.equal(model.toJSON());
    expect(loaded.optimizer).to.be.instanceOf(my.optimizers.AdamW);
    expect(loaded.optimizer.iterations).to.equal(model.optimizer.iterations);
    expect(loaded.evaluate(X, Y)).to.deep.equal(model.evaluate(X, Y));
    // The same next step from the same generator state: equal weights after it.
    my.seed(50);
    model.trainOnBatch(X, Y);
    my.seed(50);
    loaded.trainOnBatch(X, Y);
    expect(loaded.getWeights().map(bytesOf)).to.deep.equal(model.getWeights().map(bytesOf));
  });

  it('saveSync / loadModelSync round-trip; includeOptimizer: false restarts the optimizer', () => {
    const model = everyLayer();
    model.compile({ optimizer: 'rmsprop', loss: 'sparseCategoricalCrossentropy' });
    model.trainOnBatch(X, Y);
    const file = path.join(dir, 'm.myelin');
    model.saveSync(file, { includeOptimizer: false });
    const loaded = my.loadModelSync(file);
    expect(loaded.optimizer).to.be.instanceOf(my.optimizers.RMSprop);
    expect(loaded.optimizer.iterations).to.equal(0);
    expect(bytesOf(loaded.predict(X) as my.Tensor).equals(bytesOf(model.predict(X)))).to.equal(true);
    const full = path.join(dir, 'full.myelin');
    model.saveSync(full);
    // Three RMSprop slots... here one (velocity): the full file holds one more parameter arena.
    expect(fs.statSync(full).size - fs.statSync(file).size).to.be.above(4 * model.countParams() - 200);
  });

  it('leaves the global random generator where it was', () => {
    const model = everyLayer();
    const file = path.join(dir, 'm.myelin');
    model.saveSync(file);
    my.seed(8);
    const before = globalRandom.getState();
    my.loadModelSync(file); // its arena is made, and initialized, before the file's weights replace them
    expect(globalRandom.getState()).to.deep.equal(before);
  });

  it('loads an uncompiled model uncompiled, and a compiled one uncompiled with compile: false', () => {
    const model = everyLayer();
    const file = path.join(dir, 'u.myelin');
    model.saveSync(file);
    expect(() => my.loadModelSync(file).optimizer).to.throw(my.ModelStateError, /not compiled/);
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    model.saveSync(file);
    expect(() => my.loadModelSync(file, { compile: false }).optimizer).to.throw(my.ModelStateError, /not compiled/);
  });

  it('asks for a custom loss and for metrics it cannot rebuild, and takes them as options', () => {
    my.seed(1);
    const model = my.sequential([my.layers.dense({ inputShape: [4], units: 3 })]);
    const mine = my.losses.custom({ name: 'meanSquaredError', forward: (_p, _t, _n, _c, out) => out.fill(0), gradient: (_p, _t, _n, _c, d) => d.fill(0) });
    model.compile({ optimizer: 'sgd', loss: mine, metrics: [my.metrics.precision({ name: 'p' })] });
    const file = path.join(dir, 'c.myelin');
    model.saveSync(file);
    expect(() => my.loadModelSync(file)).to.throw(my.ModelFormatError, /custom loss 'meanSquaredError'.*loadModel\(path, \{ loss \}\)/);
    expect(() => my.loadModelSync(file, { loss: mine })).to.throw(my.ModelFormatError, /metric 'p'.*\{ metrics \}/);
    const loaded = my.loadModelSync(file, { loss: mine, metrics: [my.metrics.precision({ name: 'p' })] });
    expect(Object.keys(loaded.evaluate(X, new my.Tensor(randomArray(N * 3, 2), [N, 3])))).to.deep.equal(['loss', 'p']);
  });

  it('refuses to save a learning rate that is a plain function, and bad arguments', () => {
    my.seed(1);
    const model = my.sequential([my.layers.dense({ inputShape: [4], units: 3 })]);
    model.compile({ optimizer: my.optimizers.sgd({ learningRate: () => 0.1 }), loss: 'mse' });
    expect(() => model.saveSync(path.join(dir, 'f.myelin'))).to.throw(my.ArgumentTypeError, /plain function/);
    expect(fs.readdirSync(dir)).to.deep.equal([]);
    expect(() => model.saveSync('')).to.throw(my.ArgumentRangeError, /non-empty file path/);
    expect(() => model.saveSync(path.join(dir, 'g'), { includeOptimiser: true } as never)).to.throw(my.ArgumentRangeError, /includeOptimiser/);
    expect(() => my.loadModelSync(path.join(dir, 'missing.myelin'))).to.throw(/ENOENT.*missing\.myelin/);
  });
});

describe('model.classNames in the model file', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-classes-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  function classifier(units: number, activation: 'softmax' | 'sigmoid'): my.Sequential {
    my.seed(4);
    return my.sequential([my.layers.dense({ inputShape: [4], units, activation })]);
  }

  it('are written in the header and restored by loadModel, loadModelSync and foldBatchNorm', async () => {
    const model = classifier(3, 'softmax');
    expect(model.classNames).to.equal(null);
    model.classNames = ['class_0', 'class_1', 'class_2'];
    const file = path.join(dir, 'wine.myelin');
    await model.save(file);
    const { header } = decodeContainer(fs.readFileSync(file), file) as { header: Record<string, unknown> };
    expect(header['classNames']).to.deep.equal(['class_0', 'class_1', 'class_2']);
    expect((await my.loadModel(file)).classNames).to.deep.equal(['class_0', 'class_1', 'class_2']);
    expect(my.loadModelSync(file).classNames).to.deep.equal(['class_0', 'class_1', 'class_2']);
    expect(model.foldBatchNorm().classNames).to.deep.equal(['class_0', 'class_1', 'class_2']);
    const binary = classifier(1, 'sigmoid');
    binary.classNames = ['benign', 'malignant'];
    binary.saveSync(path.join(dir, 'binary.myelin'));
    expect(my.loadModelSync(path.join(dir, 'binary.myelin')).classNames).to.deep.equal(['benign', 'malignant']);
  });

  it('a model without them writes no field, and loads with classNames null', () => {
    const file = path.join(dir, 'plain.myelin');
    classifier(3, 'softmax').saveSync(file);
    const { header } = decodeContainer(fs.readFileSync(file), file) as { header: Record<string, unknown> };
    expect(header).to.not.have.property('classNames');
    expect(my.loadModelSync(file).classNames).to.equal(null);
  });

  it('save() refuses names that do not fit the model, naming model.classNames', () => {
    const model = classifier(3, 'softmax');
    const file = path.join(dir, 'bad.myelin');
    for (const [names, error, pattern] of [
      [['a', 'b'], my.ArgumentRangeError, /Expected 3 class names, one per class of the model's 3 outputs for model\.classNames but received an array of length 2/],
      [['a', 'b', 'a'], my.ArgumentRangeError, /a name not given before \(it repeats 'a'\) for model\.classNames\[2\]/],
      [['a', '', 'c'], my.ArgumentRangeError, /non-empty string .* for model\.classNames\[1\]/],
      ['abc', my.ArgumentTypeError, /null or an array of 3 class names for model\.classNames/],
    ] as const) {
      model.classNames = names as never;
      expect(() => model.saveSync(file), String(names)).to.throw(error, pattern);
      expect(fs.existsSync(file)).to.equal(false);
    }
    const binary = classifier(1, 'sigmoid');
    binary.classNames = ['yes'];
    expect(() => binary.saveSync(file)).to.throw(my.ArgumentRangeError, /2 class names, one per class of the model's 1 output/);
  });

  it('loadModel refuses a header whose classNames do not fit, naming the field', () => {
    const model = classifier(3, 'softmax');
    const file = path.join(dir, 'edited.myelin');
    model.saveSync(file);
    const { header, body } = decodeContainer(fs.readFileSync(file), file);
    const write = (classNames: unknown): void => {
      const bytes = Buffer.concat(encodeContainer({ ...(header as object), classNames }, [new Float32Array(new Uint8Array(body).buffer)]));
      fs.writeFileSync(file, bytes);
    };
    write(['a', 'b']);
    expect(() => my.loadModelSync(file)).to.throw(my.ModelFormatError, /header\.classNames lists 2 names but the model's 3 outputs take 3/);
    write(['a', 7, 'c']);
    expect(() => my.loadModelSync(file)).to.throw(my.ModelFormatError, /header\.classNames\[1\] should be a non-empty string of at most 1000 characters but is 7 \(number\)/);
    write('a,b,c');
    expect(() => my.loadModelSync(file)).to.throw(my.ModelFormatError, /header\.classNames should be an array/);
  });
});

describe('named weights', () => {
  it("getNamedWeights() keys each weight 'layer/weight'; setWeights() takes that object back", () => {
    my.seed(4);
    const model = my.sequential([my.layers.dense({ inputShape: [2], units: 3, name: 'd' }), my.layers.batchNormalization({ name: 'bn' })]);
    const named = model.getNamedWeights();
    expect(Object.keys(named)).to.deep.equal(['d/kernel', 'd/bias', 'bn/gamma', 'bn/beta', 'bn/movingMean', 'bn/movingVariance']);
    expect(named['d/kernel']?.shape).to.deep.equal([2, 3]);
    const changed = Object.fromEntries(Object.entries(named).map(([k, t]) => [k, new my.Tensor(t.data.map((v, i) => v + i + 1), t.shape)]));
    model.setWeights(changed);
    expect(Object.values(model.getNamedWeights()).map((t) => Array.from(t.data))).to.deep.equal(Object.values(changed).map((t) => Array.from(t.data)));
  });

  it('refuses unknown, missing and misshapen names without writing anything', () => {
    my.seed(4);
    const model = my.sequential([my.layers.dense({ inputShape: [2], units: 3, name: 'd' })]);
    const before = model.getWeights().map((w) => Array.from(w.data));
    const named = model.getNamedWeights();
    expect(() => model.setWeights({ ...named, 'd/kernal': named['d/kernel'] as my.Tensor })).to.throw(my.ArgumentRangeError, /'d\/kernal'/);
    expect(() => model.setWeights({ 'd/kernel': named['d/kernel'] as my.Tensor })).to.throw(my.ShapeError, /no 'd\/bias'/);
    expect(() => model.setWeights({ ...named, 'd/bias': [[1, 2]] })).to.throw(my.ShapeError, /3 values/);
    expect(model.getWeights().map((w) => Array.from(w.data))).to.deep.equal(before);
  });

  it('refuses a weight array of the wrong length, shape or values without writing anything', () => {
    my.seed(4);
    const model = my.sequential([my.layers.dense({ inputShape: [2], units: 3, name: 'd' })]);
    const before = model.getWeights();
    const [kernel, bias] = before as [my.Tensor, my.Tensor];
    expect(() => model.setWeights([kernel])).to.throw(my.ArgumentTypeError, /Expected an array of 2 tensors, in the order of getWeights\(\) for weights/);
    expect(() => model.setWeights([bias, kernel])).to.throw(my.ShapeError, /Expected 6 values \(shape \[2, 3\]\) for d\/kernel for weights\[0\] but received shape \[3\]/);
    expect(() => model.setWeights([kernel, [[1, NaN, 3]]])).to.throw(my.ArgumentRangeError, /finite numbers for weights\[1\] but received NaN/);
    expect(model.getWeights().map((w) => Array.from(w.data))).to.deep.equal(before.map((w) => Array.from(w.data)));
  });
});

describe('model.toJSON() and modelFromJSON()', () => {
  it('rebuilds the topology and compile config with fresh weights, from the object or its text', () => {
    const model = everyLayer();
    model.compile({ optimizer: my.optimizers.adam({ learningRate: my.schedules.cosineDecay({ initialLearningRate: 0.01, decaySteps: 100 }) }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const json = model.toJSON();
    expect(JSON.parse(JSON.stringify(json))).to.deep.equal(json);
    for (const source of [json, JSON.stringify(json)]) {
      const copy = my.modelFromJSON(source);
      expect(copy.toJSON()).to.deep.equal(json);
      expect(copy.optimizer.currentLearningRate()).to.equal(model.optimizer.currentLearningRate());
    }
  });

  it('throws ModelFormatError naming the field for a bad object', () => {
    const json = everyLayer().toJSON();
    expect(() => my.modelFromJSON({ ...json, topology: [] })).to.throw(my.ModelFormatError, /no layers/);
    expect(() => my.modelFromJSON({ ...json, extra: 1 } as never)).to.throw(my.ModelFormatError, /unknown field 'extra'/);
    const topology = [{ className: 'Dense', config: { units: -1, inputShape: [4] } }];
    expect(() => my.modelFromJSON({ ...json, topology })).to.throw(my.ModelFormatError, /topology\[0\] \(Dense\).*units/);
    expect(() => my.modelFromJSON('{')).to.throw(my.ModelFormatError, /^JSON: not valid JSON/);
  });
});

describe('layer configs', () => {
  it('new Layer(layer.getConfig()) rebuilds an equivalent layer for every layer class', () => {
    const model = everyLayer();
    const classes = new Set<string>();
    for (const layer of model.layers) {
      classes.add(layer.className);
      const copy = layerFromConfig({ className: layer.className, config: JSON.parse(JSON.stringify(layer.getConfig())) }, 'layer');
      expect(copy.getConfig()).to.deep.equal(layer.getConfig());
    }
    expect([...classes].sort()).to.deep.equal(['Activation', 'BatchNormalization', 'Dense', 'Dropout', 'GaussianNoise', 'Normalization', 'PReLU', 'RReLU']);
  });
});
