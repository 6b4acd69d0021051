/**
 * Graph models in the model file and in toJSON(): the graph (inputs, each layer's inbound nodes,
 * outputs) round-trips, so does the compile config of several outputs, a sub-model that borrows
 * its weights is written as a model of its own, and a bad graph is refused naming where.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as my from '../../lib/index';
import { decodeContainer, encodeContainer } from '../../lib/io/container';
import type { GraphTopology, ModelJSON } from '../../lib/io/header';
import { randomArray } from '../helpers/data';
import { escapeRegExp } from '../helpers/regexp';
import { rejects } from '../helpers/rejects';
import { tensorBytes, twoHeadData, twoHeadModel, weightBytes } from '../helpers/graph-model';

const DATA = twoHeadData(24, 40);
const INPUTS = [DATA.x, DATA.z];
const LABELS = { cls: DATA.cls, reg: DATA.reg };

const predictions = (model: my.Model, x: unknown = INPUTS): my.Tensor[] => {
  const out = model.predict(x as my.ModelInputs);
  return Array.isArray(out) ? out : [out];
};

/** What each head of a compiled model computes: its output, loss, weight and metrics. */
const headsOf = (model: my.Model): unknown[] =>
  (model.compileArgs()?.heads ?? []).map((h) => ({ output: h.name, loss: h.loss.name, lossConfig: h.loss.getConfig(), weight: h.weight, metrics: h.metrics.map((m) => m.name) }));

describe('graph models: save() and loadModel()', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-graph-io-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('round-trip two inputs, a shared layer, a merge and two outputs: predictions, compile config and optimizer state, and the next step, bit for bit', async () => {
    const model = twoHeadModel();
    model.compile({ optimizer: my.optimizers.adam({ learningRate: 0.01 }), loss: { cls: 'sparseCategoricalCrossentropy', reg: 'meanSquaredError' }, lossWeights: { cls: 1, reg: 0.5 }, metrics: { cls: ['accuracy'], reg: ['mae'] } });
    await model.fit(INPUTS, LABELS, { epochs: 2, batchSize: 8, verbose: 0 });
    const file = path.join(dir, 'graph.myelin');
    await model.save(file);
    const loaded = await my.loadModel(file);

    expect(loaded).to.be.instanceOf(my.Functional);
    expect((loaded as my.Functional).name).to.equal('two_heads');
    expect(loaded.layers.map((l) => l.name)).to.deep.equal(model.layers.map((l) => l.name));
    expect((loaded as my.Functional).inputs.map((t) => [t.name, t.units])).to.deep.equal([['x', 4], ['z', 3]]);
    expect(loaded.outputNames).to.deep.equal(['cls', 'reg']);
    predictions(loaded).forEach((p, i) => expect(tensorBytes(p).equals(tensorBytes(predictions(model)[i] as my.Tensor)), `output ${i}`).to.equal(true));
    // Inputs by name work on the loaded model as on the saved one.
    expect(tensorBytes(predictions(loaded, { z: DATA.z, x: DATA.x })[1] as my.Tensor).equals(tensorBytes(predictions(model)[1] as my.Tensor))).to.equal(true);
    expect(loaded.toJSON()).to.deep.equal(model.toJSON());
    expect(headsOf(loaded)).to.deep.equal(headsOf(model));
    expect(loaded.optimizer.iterations).to.equal(model.optimizer.iterations);
    expect(loaded.evaluate(INPUTS, LABELS)).to.deep.equal(model.evaluate(INPUTS, LABELS));
    my.seed(50);
    model.trainOnBatch(INPUTS, LABELS);
    my.seed(50);
    loaded.trainOnBatch(INPUTS, LABELS);
    expect(weightBytes(loaded).equals(weightBytes(model))).to.equal(true);
  });

  it("write the graph as Keras's functional config: inputs as InputLayer entries, each application of a layer as an inbound node", () => {
    const model = twoHeadModel();
    const file = path.join(dir, 'g.myelin');
    model.saveSync(file);
    const bytes = fs.readFileSync(file);
    expect(bytes.readUInt32LE(8), 'the preamble').to.equal(2);
    const header = decodeContainer(bytes, file).header as ModelJSON & { weights: { layer: string }[] };
    expect(header.formatVersion).to.equal(2);
    const topology = header.topology as GraphTopology;
    expect(topology.className).to.equal('Functional');
    expect(topology.config.name).to.equal('two_heads');
    const entry = (name: string): unknown => topology.config.layers.find((e) => e.name === name);
    expect(topology.config.layers.slice(0, 2)).to.deep.equal([
      { className: 'InputLayer', name: 'x', config: { name: 'x', batchInputShape: [null, 4] }, inboundNodes: [] },
      { className: 'InputLayer', name: 'z', config: { name: 'z', batchInputShape: [null, 3] }, inboundNodes: [] },
    ]);
    expect(entry('shared')).to.deep.equal({ className: 'Dense', name: 'shared', config: model.getLayer('shared').getConfig(), inboundNodes: [[['x', 0, 0]], [['lift', 0, 0]]] });
    expect(entry('sum')).to.deep.include({ className: 'Add', inboundNodes: [[['shared', 0, 0], ['shared', 1, 0]]] });
    expect(entry('cat')).to.deep.include({ className: 'Concatenate', inboundNodes: [[['drop', 0, 0], ['shared', 0, 0]]] });
    expect(topology.config.inputLayers).to.deep.equal([['x', 0, 0], ['z', 0, 0]]);
    expect(topology.config.outputLayers).to.deep.equal([['cls', 0, 0], ['reg', 0, 0]]);
    // The shared layer's weights are written once.
    expect(header.weights.filter((w) => w.layer === 'shared').map((w) => (w as unknown as { name: string }).name)).to.deep.equal(['kernel', 'bias']);
  });

  it('modelFromJSON() rebuilds the graph with fresh weights, from the object or its text', () => {
    const model = twoHeadModel(5);
    model.compile({ optimizer: 'sgd', loss: ['sparseCategoricalCrossentropy', 'meanAbsoluteError'], lossWeights: [2, 1], metrics: [['accuracy'], []] });
    const json = model.toJSON();
    expect(JSON.parse(JSON.stringify(json))).to.deep.equal(json);
    my.seed(99);
    for (const source of [json, JSON.stringify(json)]) {
      const copy = my.modelFromJSON(source);
      expect(copy.toJSON()).to.deep.equal(json);
      expect(headsOf(copy)).to.deep.equal(headsOf(model));
      expect(weightBytes(copy).equals(weightBytes(model))).to.equal(false);
      expect(predictions(copy).map((p) => p.shape)).to.deep.equal([[24, 3], [24, 2]]);
    }
  });

  it('a Sequential keeps its array topology; toJSON objects and files of format version 1 still load', () => {
    my.seed(1);
    const sequential = my.sequential([my.layers.dense({ inputShape: [4], units: 3, name: 'd' })]);
    const json = sequential.toJSON();
    expect(json.formatVersion).to.equal(2);
    expect(json.topology).to.deep.equal([{ className: 'Dense', config: sequential.getLayer('d').getConfig() }]);
    const old = my.modelFromJSON({ ...json, formatVersion: 1 });
    expect(old).to.be.instanceOf(my.Sequential);
    // A graph needs version 2: a version-1 object with one is refused.
    const graph = twoHeadModel().toJSON();
    expect(() => my.modelFromJSON({ ...graph, formatVersion: 1 })).to.throw(my.ModelFormatError, /^JSON: json\.topology should be an array but is an object$/);
    expect(() => my.modelFromJSON({ ...graph, formatVersion: 3 })).to.throw(my.ModelFormatError, /json\.formatVersion should be an integer in \[1, 2\] but is 3/);
    // A file whose header repeats another version than its preamble's is refused.
    const file = path.join(dir, 's.myelin');
    sequential.saveSync(file);
    const { header, body } = decodeContainer(fs.readFileSync(file), file);
    fs.writeFileSync(file, Buffer.concat(encodeContainer({ ...(header as object), formatVersion: 1 }, [new Float32Array(new Uint8Array(body).buffer)])));
    expect(() => my.loadModelSync(file)).to.throw(my.ModelFormatError, /header\.formatVersion should be 2 \(the preamble's format version\) but is 1/);
  });

  it("a graph model of one output writes its compile config as a Sequential does, and loads", () => {
    my.seed(2);
    const x = my.input({ shape: [4] });
    const hidden = my.layers.dense({ units: 5, activation: 'relu' }).apply(x);
    const out = my.layers.dense({ units: 3, activation: 'softmax' }).apply(my.layers.concatenate().apply([hidden, x]));
    const model = my.model({ inputs: x, outputs: out });
    model.compile({ optimizer: 'rmsprop', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const sequential = my.sequential([my.layers.dense({ inputShape: [4], units: 3, activation: 'softmax' })]);
    sequential.compile({ optimizer: 'rmsprop', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    expect(model.toJSON().compile).to.deep.equal(sequential.toJSON().compile);
    model.trainOnBatch(DATA.x, DATA.cls);
    const file = path.join(dir, 'one.myelin');
    model.saveSync(file);
    const loaded = my.loadModelSync(file);
    expect(tensorBytes(loaded.predict(DATA.x) as my.Tensor).equals(tensorBytes(model.predict(DATA.x) as my.Tensor))).to.equal(true);
    expect(loaded.evaluate(DATA.x, DATA.cls)).to.deep.equal(model.evaluate(DATA.x, DATA.cls));
  });

  it('loads a graph whose entries come in any order: each application is built once what it reads exists', () => {
    // A chain of 2000 Dense layers listed last to first, and a layer shared before its second input exists.
    const chain = 2000;
    const layers = [
      { className: 'InputLayer', name: 'x', config: { name: 'x', batchInputShape: [null, 1] }, inboundNodes: [] },
      ...Array.from({ length: chain }, (_, k) => {
        const i = chain - 1 - k;
        return { className: 'Dense', name: `d${i}`, config: { name: `d${i}`, units: 1, kernelInitializer: 'ones', biasInitializer: 'ones' }, inboundNodes: [[[i === 0 ? 'x' : `d${i - 1}`, 0, 0]]] };
      }),
    ];
    const json = { formatVersion: 2, myelinVersion: '0.1.0', topology: { className: 'Functional' as const, config: { name: 'chain', layers, inputLayers: [['x', 0, 0]], outputLayers: [[`d${chain - 1}`, 0, 0]] } }, compile: null } as unknown as ModelJSON;
    const model = my.modelFromJSON(json);
    expect(model.layers.map((l) => l.name).slice(0, 3)).to.deep.equal(['d0', 'd1', 'd2']);
    // Each layer is y = x + 1.
    expect(Array.from((model.predict([[0.5]]) as my.Tensor).data)).to.deep.equal([chain + 0.5]);
  });

  it('a model with a nested model applied twice is written flat: its layers, with two inbound nodes each', () => {
    my.seed(3);
    const a = my.input({ shape: [3], name: 'a' });
    const inner = my.model({ inputs: a, outputs: my.layers.dense({ units: 3, activation: 'tanh', name: 'inner_dense' }).apply(a), name: 'inner' });
    const x = my.input({ shape: [3], name: 'outer_x' });
    const once = inner.apply(my.layers.dense({ units: 3, name: 'pre' }).apply(x)) as my.SymbolicTensor;
    const outer = my.model({ inputs: x, outputs: my.layers.dense({ units: 2, name: 'post' }).apply(inner.apply(once) as my.SymbolicTensor), name: 'outer' });
    const topology = outer.toJSON().topology as GraphTopology;
    expect(topology.config.layers.map((e) => e.name)).to.deep.equal(['outer_x', 'pre', 'inner_dense', 'post']);
    // Numbered by its applications in this graph: its first one (in inner's own graph) is not among them.
    expect(topology.config.layers[2]?.inboundNodes).to.deep.equal([[['pre', 0, 0]], [['inner_dense', 0, 0]]]);
    const file = path.join(dir, 'nested.myelin');
    outer.saveSync(file);
    const loaded = my.loadModelSync(file);
    const xs = new my.Tensor(randomArray(15, 8), [5, 3]);
    expect(tensorBytes(loaded.predict(xs) as my.Tensor).equals(tensorBytes(outer.predict(xs) as my.Tensor))).to.equal(true);
  });
});

describe('the compile config of a model of several outputs', () => {
  const forms: Record<string, Omit<my.CompileArgs, 'optimizer'>> = {
    'arrays in the outputs\' order': { loss: ['sparseCategoricalCrossentropy', my.losses.huber({ delta: 0.5 })], lossWeights: [0.3, 2], metrics: [['accuracy', 'sparseTopKCategoricalAccuracy'], ['mae']] },
    'objects keyed by output name, some outputs left out': { loss: { reg: 'meanAbsoluteError', cls: my.losses.sparseCategoricalCrossentropy({ labelSmoothing: 0.1 }) }, lossWeights: { reg: 4 }, metrics: { cls: 'accuracy' } },
    'one loss and one metric list for every output': { loss: 'meanSquaredError', metrics: ['mae', 'mse'] },
  };
  for (const [name, args] of Object.entries(forms)) {
    it(`round-trips in the form given: ${name}`, () => {
      const model = twoHeadModel();
      const y = name.startsWith('one loss') ? { cls: new my.Tensor(randomArray(24 * 3, 9), [24, 3]), reg: DATA.reg } : LABELS;
      model.compile({ optimizer: 'adam', ...args });
      model.trainOnBatch(INPUTS, y);
      const json = model.toJSON();
      const loaded = my.modelFromJSON(JSON.stringify(json));
      expect(loaded.toJSON().compile).to.deep.equal(json.compile);
      expect(headsOf(loaded)).to.deep.equal(headsOf(model));
      loaded.setWeights(model.getWeights());
      expect(loaded.evaluate(INPUTS, y)).to.deep.equal(model.evaluate(INPUTS, y));
    });
  }

  it('keeps the form: arrays stay arrays, objects stay objects, and lossWeights appear only when given', () => {
    const model = twoHeadModel();
    model.compile({ optimizer: 'sgd', ...(forms["arrays in the outputs' order"] as Omit<my.CompileArgs, 'optimizer'>) });
    const arrays = model.toJSON().compile;
    expect(arrays?.loss).to.deep.equal([{ name: 'sparseCategoricalCrossentropy', config: { fromLogits: false, labelSmoothing: 0 } }, { name: 'huber', config: { delta: 0.5 } }]);
    expect(arrays?.lossWeights).to.deep.equal([0.3, 2]);
    expect(arrays?.metrics).to.deep.equal([['accuracy', 'sparseTopKCategoricalAccuracy'], ['mae']]);
    model.compile({ optimizer: 'sgd', ...(forms['objects keyed by output name, some outputs left out'] as Omit<my.CompileArgs, 'optimizer'>) });
    const objects = model.toJSON().compile;
    expect(objects?.loss).to.deep.equal({ cls: { name: 'sparseCategoricalCrossentropy', config: { fromLogits: false, labelSmoothing: 0.1 } }, reg: { name: 'meanAbsoluteError', config: {} } });
    expect(objects?.lossWeights).to.deep.equal({ reg: 4 });
    expect(objects?.metrics).to.deep.equal({ cls: ['accuracy'] });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    expect(model.toJSON().compile).to.not.have.property('lossWeights');
  });

  it("asks again for one output's custom loss, naming the output, and takes the losses as an option", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-graph-loss-'));
    try {
      const model = twoHeadModel();
      const mine = my.losses.custom({ name: 'zero', forward: (_p, _t, _n, _c, out) => out.fill(0), gradient: (_p, _t, _n, _c, d) => d.fill(0) });
      model.compile({ optimizer: 'sgd', loss: ['sparseCategoricalCrossentropy', mine], metrics: { reg: [my.metrics.meanAbsoluteError()] } });
      const file = path.join(dir, 'custom.myelin');
      await model.save(file);
      expect(await rejects(my.loadModel(file))).to.be.instanceOf(my.ModelFormatError);
      expect(() => my.loadModelSync(file)).to.throw(my.ModelFormatError, /custom loss 'zero' for the output 'reg'.*loadModel\(path, \{ loss \}\)/);
      const loaded = my.loadModelSync(file, { loss: ['sparseCategoricalCrossentropy', mine] });
      expect(headsOf(loaded)).to.deep.equal(headsOf(model));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses per-output forms that do not fit the model or the format, naming the field', () => {
    const model = twoHeadModel();
    model.compile({ optimizer: 'sgd', loss: ['sparseCategoricalCrossentropy', 'meanSquaredError'], metrics: [['accuracy'], []] });
    const json = model.toJSON() as ModelJSON & { compile: Record<string, unknown> };
    const withCompile = (compile: Record<string, unknown>): ModelJSON => ({ ...json, compile: { ...json.compile, ...compile } }) as ModelJSON;
    expect(() => my.modelFromJSON(withCompile({ metrics: [['accuracy'], ['nope']] }))).to.throw(my.ModelFormatError, /metric 'nope'/);
    expect(() => my.modelFromJSON(withCompile({ metrics: [['accuracy'], 'mae'] }))).to.throw(my.ModelFormatError, /json\.compile\.metrics\[1\] should be an array/);
    expect(() => my.modelFromJSON(withCompile({ loss: [{ name: 'meanSquaredError', config: {} }] }))).to.throw(my.ModelFormatError, /^JSON: compile: .*one entry per output \(2: cls, reg\)/);
    expect(() => my.modelFromJSON(withCompile({ loss: { cls: { name: 'meanSquaredError', config: {} }, rag: { name: 'meanSquaredError', config: {} } } }))).to.throw(my.ModelFormatError, /keys that name outputs \(cls, reg\).*'rag'/);
    expect(() => my.modelFromJSON(withCompile({ lossWeights: [1, -1] }))).to.throw(my.ModelFormatError, /lossWeights\[1\]/);
    expect(() => my.modelFromJSON(withCompile({ lossWeights: [1, 'x'] }))).to.throw(my.ModelFormatError, /json\.compile\.lossWeights\[1\] should be a finite number/);
    // Version 1 knew one loss and one metric list only.
    const sequential = my.sequential([my.layers.dense({ inputShape: [2], units: 2 })]);
    sequential.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const v1 = { ...sequential.toJSON(), formatVersion: 1 };
    expect(() => my.modelFromJSON({ ...v1, compile: { ...v1.compile, lossWeights: [1] } } as ModelJSON)).to.throw(my.ModelFormatError, /json\.compile has an unknown field 'lossWeights'/);
  });
});

describe('a sub-model that borrows its weights', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-borrow-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  /** An autoencoder 6 -> 4 -> 2 (the code) -> 6, trained a little, and its encoder cut from it. */
  async function autoencoder(): Promise<{ ae: my.Functional; encoder: my.Functional; x: my.Tensor }> {
    my.seed(12);
    const input = my.input({ shape: [6], name: 'pixels' });
    const code = my.layers.dense({ units: 2, name: 'code' }).apply(my.layers.dense({ units: 4, activation: 'relu', name: 'enc' }).apply(input));
    const decoded = my.layers.dense({ units: 6, activation: 'sigmoid', name: 'dec' }).apply(my.layers.batchNormalization({ name: 'dec_bn' }).apply(code));
    const ae = my.model({ inputs: input, outputs: decoded, name: 'ae' });
    ae.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const x = new my.Tensor(randomArray(32 * 6, 21).map((v) => (v + 1) / 2), [32, 6]);
    await ae.fit(x, x, { epochs: 2, batchSize: 8, verbose: 0 });
    return { ae, encoder: my.model({ inputs: input, outputs: code, name: 'encoder' }), x };
  }

  it("is written with its own layers' weights only, and loads as a model of its own with them", async () => {
    const { ae, encoder, x } = await autoencoder();
    encoder.compile({ optimizer: 'adam', loss: 'meanSquaredError' });
    const file = path.join(dir, 'encoder.myelin');
    await encoder.save(file);
    const { header: written, body } = decodeContainer(fs.readFileSync(file), file);
    const header = written as { weights: { layer: string; name: string; offset: number }[]; optimizerState: unknown };
    expect(header.weights.map((w) => `${w.layer}/${w.name}@${w.offset}`)).to.deep.equal(['enc/kernel@0', 'enc/bias@24', 'code/kernel@28', 'code/bias@36']);
    expect(header.optimizerState, 'a model that cannot train has no optimizer state of its own').to.equal(null);
    expect(body.length, 'the body: 38 parameters, of the autoencoder\'s ' + ae.countParams()).to.equal(4 * 38);

    const loaded = await my.loadModel(file);
    expect(tensorBytes(loaded.predict(x) as my.Tensor).equals(tensorBytes(encoder.predict(x) as my.Tensor))).to.equal(true);
    expect(loaded.getNamedWeights()).to.have.keys('enc/kernel', 'enc/bias', 'code/kernel', 'code/bias');
    // Independent: the autoencoder training on does not move it, and it trains while the encoder may not.
    const before = tensorBytes(loaded.predict(x) as my.Tensor);
    await ae.fit(x, x, { epochs: 1, batchSize: 8, verbose: 0 });
    expect(tensorBytes(encoder.predict(x) as my.Tensor).equals(before)).to.equal(false);
    expect(tensorBytes(loaded.predict(x) as my.Tensor).equals(before)).to.equal(true);
    const target = new my.Tensor(randomArray(32 * 2, 5), [32, 2]);
    expect(() => encoder.trainOnBatch(x, target)).to.throw(my.ModelStateError, /belong to another model/);
    expect(Number.isFinite(loaded.trainOnBatch(x, target))).to.equal(true);
    expect(tensorBytes(loaded.predict(x) as my.Tensor).equals(before)).to.equal(false);
  });

  it("the copy fit()'s refusal advises works: modelFromJSON(sub.toJSON()), then setWeights(sub.getWeights())", async () => {
    const { encoder, x } = await autoencoder();
    encoder.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const copy = my.modelFromJSON(encoder.toJSON());
    copy.setWeights(encoder.getWeights());
    expect(tensorBytes(copy.predict(x) as my.Tensor).equals(tensorBytes(encoder.predict(x) as my.Tensor))).to.equal(true);
    await copy.fit(x, new my.Tensor(randomArray(64, 4), [32, 2]), { epochs: 1, verbose: 0 });
    expect(tensorBytes(copy.predict(x) as my.Tensor).equals(tensorBytes(encoder.predict(x) as my.Tensor))).to.equal(false);
  });

  it('a model nested in a larger one (which then holds its weights) saves and loads the same way', () => {
    my.seed(13);
    const a = my.input({ shape: [3], name: 'a' });
    const inner = my.model({ inputs: a, outputs: my.layers.dense({ units: 2, name: 'inner_dense' }).apply(a), name: 'inner' });
    const x = my.input({ shape: [3], name: 'x' });
    const outer = my.model({ inputs: x, outputs: my.layers.dense({ units: 1, name: 'head' }).apply(inner.apply(x) as my.SymbolicTensor) });
    outer.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    const xs = new my.Tensor(randomArray(12, 3), [4, 3]);
    outer.trainOnBatch(xs, [[1], [2], [3], [4]]);
    const file = path.join(dir, 'inner.myelin');
    inner.saveSync(file);
    const loaded = my.loadModelSync(file);
    expect(loaded.layers.map((l) => l.name)).to.deep.equal(['inner_dense']);
    expect(tensorBytes(loaded.predict(xs) as my.Tensor).equals(tensorBytes(inner.predict(xs) as my.Tensor))).to.equal(true);
  });
});

describe('a bad graph is refused with a ModelFormatError naming where', () => {
  const JSON_ = twoHeadModel().toJSON();
  const GRAPH = JSON_.topology as GraphTopology;
  type Entry = GraphTopology['config']['layers'][number];

  /** The model's JSON with its graph config edited by `edit` (on a deep copy). */
  function edited(edit: (config: { name: string; layers: Entry[]; inputLayers: unknown[]; outputLayers: unknown[] }) => void): ModelJSON {
    const topology = structuredClone(GRAPH) as unknown as { config: { name: string; layers: Entry[]; inputLayers: unknown[]; outputLayers: unknown[] } };
    edit(topology.config);
    return { ...JSON_, topology: topology as unknown as GraphTopology };
  }
  const at = (config: { layers: Entry[] }, name: string): Entry & { inboundNodes: unknown[][]; config: Record<string, unknown>; name: string } =>
    config.layers.find((e) => e.name === name) as Entry & { inboundNodes: unknown[][]; config: Record<string, unknown>; name: string };
  const index = (name: string): number => GRAPH.config.layers.findIndex((e) => e.name === name);
  const refuses = (json: ModelJSON, pattern: RegExp): void => {
    expect(() => my.modelFromJSON(json)).to.throw(my.ModelFormatError, pattern);
  };

  it('an inbound node naming an unknown layer, or a node the layer does not have', () => {
    refuses(edited((c) => ((at(c, 'sum').inboundNodes[0] as unknown[])[1] = ['nope', 0, 0])), new RegExp(`^JSON: topology\\.config\\.layers\\[${index('sum')}\\] \\(sum\\)\\.inboundNodes\\[0\\]\\[1\\] names the layer 'nope', which the topology does not have$`));
    refuses(edited((c) => ((at(c, 'sum').inboundNodes[0] as unknown[])[1] = ['shared', 2, 0])), /\(sum\)\.inboundNodes\[0\]\[1\] names node 2 of 'shared', which has nodes 0 to 1$/);
    refuses(edited((c) => ((at(c, 'reg').inboundNodes[0] as unknown[])[0] = ['x', 1, 0])), /\(reg\)\.inboundNodes\[0\]\[0\] names node 1 of 'x', which has node 0 only$/);
    refuses(edited((c) => ((at(c, 'reg').inboundNodes[0] as unknown[])[0] = ['drop', 0, 1])), /json\.topology\.config\.layers\[\d+\]\.inboundNodes\[0\]\[0\]\[2\] should be 0 \(a layer has one output tensor\) but is 1/);
  });

  it('a cycle, showing it', () => {
    // lift reads sum, which reads shared's second application, which reads lift.
    refuses(edited((c) => (at(c, 'lift').inboundNodes = [[['sum', 0, 0]]])), /\(shared\)\.inboundNodes\[1\] can never be computed: the graph has a cycle \(shared\[1\], which needs lift\[0\], which needs sum\[0\], which needs shared\[1\]\)$/);
    refuses(edited((c) => (at(c, 'bn').inboundNodes = [[['drop', 0, 0]]])), /\(bn\)\.inboundNodes\[0\] can never be computed: the graph has a cycle \(bn\[0\], which needs drop\[0\], which needs bn\[0\]\)$/);
  });

  it('inputs a layer does not take: a merge of mismatched shapes, a Dense given two tensors', () => {
    refuses(edited((c) => ((at(c, 'sum').inboundNodes[0] as unknown[])[1] = ['lift', 0, 0])), /\(sum\)\.inboundNodes\[0\]: .*inputs of one shape for Add \(inputs\[0\] is \[null, 6\]\).*inputs\[1\] of shape \[null, 4\]/);
    refuses(edited((c) => (at(c, 'reg').inboundNodes = [[['drop', 0, 0], ['x', 0, 0]]])), /\(reg\)\.inboundNodes\[0\]: .*one tensor \(Dense is not a merge layer\)/);
  });

  it('duplicate names: two layers, or a layer and an input', () => {
    refuses(edited((c) => {
      at(c, 'lift').config['name'] = 'shared';
      at(c, 'lift').name = 'shared';
    }), /topology\.config\.layers\[\d+\] reuses the name 'shared' of layers\[\d+\]/);
    refuses(edited((c) => {
      at(c, 'z').config['name'] = 'reg';
      at(c, 'z').name = 'reg';
    }), /reuses the name 'reg'/);
    refuses(edited((c) => (at(c, 'lift').config['name'] = 'lifted')), /\(lift\): its config names the layer 'lifted', not 'lift'/);
  });

  it('an output or input that does not exist, and entries the graph does not use', () => {
    refuses(edited((c) => (c.outputLayers[1] = ['rag', 0, 0])), /^JSON: topology\.config\.outputLayers\[1\] names the layer 'rag', which the topology does not have$/);
    refuses(edited((c) => (c.outputLayers[1] = ['reg', 1, 0])), /topology\.config\.outputLayers\[1\] names node 1 of 'reg', which has node 0 only/);
    refuses(edited((c) => (c.outputLayers = [])), /json\.topology\.config\.outputLayers should be a non-empty array/);
    refuses(edited((c) => (c.inputLayers[1] = ['lift', 0, 0])), /topology\.config\.inputLayers\[1\] names 'lift', a Dense layer: a model's inputs are InputLayer entries/);
    refuses(edited((c) => (c.inputLayers = [['x', 0, 0]])), /\(z\) is an InputLayer that topology\.config\.inputLayers does not list/);
    refuses(edited((c) => c.layers.push({ className: 'Dense', name: 'extra', config: { name: 'extra', units: 2 }, inboundNodes: [[['x', 0, 0]]] })), /\(extra\) is not used: no output of the model is computed from it/);
    refuses(edited((c) => (c.outputLayers[1] = ['z', 0, 0])), /^JSON: topology\.config: .*outputs\[1\]/);
  });

  it('entries of the wrong kind', () => {
    refuses(edited((c) => (at(c, 'x').inboundNodes = [[['z', 0, 0]]])), /\(x\) is an InputLayer, which has no inbound nodes, but lists 1/);
    refuses(edited((c) => (at(c, 'reg').inboundNodes = [])), /\(reg\) has no inbound nodes/);
    refuses(edited((c) => (at(c, 'x').config['batchInputShape'] = [4])), /json\.topology\.config\.layers\[0\]\.config\.batchInputShape should be \[null, features\]/);
    refuses(edited((c) => ((at(c, 'reg') as { className: string }).className = 'Conv2D')), /\(reg\): .*Conv2D/);
    refuses({ ...JSON_, topology: { ...GRAPH, className: 'Sequential' } as unknown as GraphTopology }, /json\.topology\.className should be 'Functional'/);
  });

  it('in a file too: the message starts with its path', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-bad-graph-'));
    try {
      const model = twoHeadModel();
      const file = path.join(dir, 'cycle.myelin');
      model.saveSync(file);
      const { header, body } = decodeContainer(fs.readFileSync(file), file);
      const topology = structuredClone((header as ModelJSON).topology) as unknown as { config: { layers: Entry[] } };
      at(topology.config, 'lift').inboundNodes = [[['sum', 0, 0]]];
      const floats = new Float32Array(new Uint8Array(body).buffer);
      fs.writeFileSync(file, Buffer.concat(encodeContainer({ ...(header as object), topology }, [floats])));
      expect(() => my.loadModelSync(file)).to.throw(my.ModelFormatError, new RegExp(`^${escapeRegExp(file)}: topology\\.config\\.layers\\[\\d+\\] \\(shared\\)\\.inboundNodes\\[1\\] can never be computed`));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('model() and the names a file needs', () => {
  it('refuses an input and a layer of one name, which a saved graph could not tell apart', () => {
    const x = my.input({ shape: [2], name: 'features' });
    const out = my.layers.dense({ units: 1, name: 'features' }).apply(x);
    expect(() => my.model({ inputs: x, outputs: out })).to.throw(my.ArgumentRangeError, /inputs and layers of distinct names .* an input and a layer both named 'features'/);
  });
});
