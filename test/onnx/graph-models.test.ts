import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { expect } from 'chai';
import { onnx } from '../../lib/onnx/proto/onnx';

import * as my from '../../lib/index';
import type { Layer } from '../../lib/layers/layer';
import { onnxSignature, toOnnx } from '../../lib/onnx/export';
import { expectClose } from '../helpers/compare';
import { randomArray, randomClasses } from '../helpers/data';
import { Doubling, expectGraphOnnxMatchesPredict, ONNX_TOLERANCE, predictions, randomizeWeights, runOnnxNamed, session } from './helpers';

function graphOf(bytes: Uint8Array): onnx.GraphProto {
  return onnx.ModelProto.decode(bytes).graph as onnx.GraphProto;
}

function operators(bytes: Uint8Array): string[] {
  return graphOf(bytes).node.map((n) => n.opType ?? '');
}

const WIDTH = 5;

/**
 * Input i of a merge of at most 3 inputs: one random base shared by every input, plus an offset of
 * 0, 0.5 or 1 that differs between inputs at every place (it turns with the place, so each input
 * wins somewhere), plus a jitter of at most 0.05 of its own. Two inputs are at least 0.4 apart
 * everywhere: maximum and minimum never meet a tie.
 */
function untiedInputs(i: number, length: number, seed: number): Float32Array {
  const base = randomArray(length, seed, 2);
  const jitter = randomArray(length, seed + 1000 + i, 0.05);
  return base.map((v, k) => v + 0.5 * ((i + k) % 3) + (jitter[k] as number));
}

interface MergeCase {
  readonly name: string;
  readonly make: () => Layer;
  readonly widths: readonly number[];
  /** The ONNX operators the merge becomes. */
  readonly ops: readonly string[];
}

const mergeCases: readonly MergeCase[] = [
  { name: 'add of 2', make: () => my.layers.add(), widths: [WIDTH, WIDTH], ops: ['Add'] },
  { name: 'add of 3 (pairwise Add)', make: () => my.layers.add(), widths: [WIDTH, WIDTH, WIDTH], ops: ['Add', 'Add'] },
  { name: 'subtract', make: () => my.layers.subtract(), widths: [WIDTH, WIDTH], ops: ['Sub'] },
  { name: 'multiply of 3 (pairwise Mul)', make: () => my.layers.multiply(), widths: [WIDTH, WIDTH, WIDTH], ops: ['Mul', 'Mul'] },
  { name: 'average of 3 (Mean)', make: () => my.layers.average(), widths: [WIDTH, WIDTH, WIDTH], ops: ['Mean'] },
  { name: 'average of 2 (Mean)', make: () => my.layers.average(), widths: [WIDTH, WIDTH], ops: ['Mean'] },
  { name: 'maximum of 2', make: () => my.layers.maximum(), widths: [WIDTH, WIDTH], ops: ['Max'] },
  { name: 'maximum of 3 (one Max)', make: () => my.layers.maximum(), widths: [WIDTH, WIDTH, WIDTH], ops: ['Max'] },
  { name: 'minimum of 2', make: () => my.layers.minimum(), widths: [WIDTH, WIDTH], ops: ['Min'] },
  { name: 'minimum of 3 (one Min)', make: () => my.layers.minimum(), widths: [WIDTH, WIDTH, WIDTH], ops: ['Min'] },
  { name: 'concatenate of widths 4, 2, 3 (Concat on axis 1)', make: () => my.layers.concatenate(), widths: [4, 2, 3], ops: ['Concat'] },
];

describe('toOnnx() of graph models, checked by onnxruntime', () => {
  describe('merge layers', () => {
    mergeCases.forEach((c, k) => {
      it(`${c.name}: the merge of the raw inputs, then a Dense`, async () => {
        my.seed(200 + k);
        const inputs = c.widths.map((w, i) => my.input({ shape: [w], name: `in_${i}` }));
        const merged = c.make().apply(inputs);
        const out = my.layers.dense({ units: 3, name: 'out' }).apply(merged);
        const model = my.model({ inputs, outputs: out });
        randomizeWeights(model, 200 + k);
        expect(operators(toOnnx(model))).to.deep.equal([...c.ops, 'Gemm']);
        await expectGraphOnnxMatchesPredict(model, 210 + k, { inputData: untiedInputs });
      });
    });

    it('every input of an untied merge wins somewhere, and none ties (the inputs of the maximum and minimum tests)', () => {
      const n = 33;
      const xs = [0, 1, 2].map((i) => untiedInputs(i, n * WIDTH, 260));
      const winners = new Set<number>();
      for (let p = 0; p < n * WIDTH; p++) {
        const values = xs.map((x) => x[p] as number);
        expect(new Set(values).size, `place ${p}`).to.equal(3);
        winners.add(values.indexOf(Math.max(...values)));
      }
      expect([...winners].sort()).to.deep.equal([0, 1, 2]);
    });

    it('merges of Dense branches of one input, each merge on layer outputs', async () => {
      my.seed(230);
      const x = my.input({ shape: [6], name: 'x' });
      const branches = [0, 1, 2].map((i) => my.layers.dense({ units: WIDTH, activation: i === 0 ? 'relu' : 'tanh' }).apply(x));
      const merges = [my.layers.add(), my.layers.multiply(), my.layers.average(), my.layers.maximum(), my.layers.minimum()].map((m) => m.apply(branches));
      const difference = my.layers.subtract().apply([branches[0] as my.SymbolicTensor, branches[2] as my.SymbolicTensor]);
      const all = my.layers.concatenate().apply([...merges, difference]);
      const model = my.model({ inputs: x, outputs: my.layers.dense({ units: 4, activation: 'softmax' }).apply(all) });
      randomizeWeights(model, 230);
      await expectGraphOnnxMatchesPredict(model, 231);
    });
  });

  describe('graphs', () => {
    /** Dense, BatchNormalization, ReLU, added to the block's input: a residual block. */
    function residualMlp(): my.Functional {
      my.seed(300);
      const x = my.input({ shape: [10], name: 'features' });
      let h = my.layers.dense({ units: 12, activation: 'relu' }).apply(x);
      for (let b = 0; b < 2; b++) {
        const z = my.layers.dense({ units: 12 }).apply(h);
        const r = my.layers.activation({ activation: 'relu' }).apply(my.layers.batchNormalization().apply(z));
        h = my.layers.add().apply([h, r]);
      }
      const model = my.model({ inputs: x, outputs: my.layers.dense({ units: 4, activation: 'softmax', name: 'class' }).apply(h) });
      model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
      randomizeWeights(model, 300);
      return model;
    }

    for (const foldBatchNorm of [true, false]) {
      it(`a residual MLP (Dense, BatchNormalization, ReLU, add to the block input), foldBatchNorm ${foldBatchNorm}`, async () => {
        const model = residualMlp();
        const ops = operators(toOnnx(model, { foldBatchNorm }));
        const block = foldBatchNorm ? ['Gemm', 'Relu', 'Add'] : ['Gemm', 'BatchNormalization', 'Relu', 'Add'];
        expect(ops).to.deep.equal(['Gemm', 'Relu', ...block, ...block, 'Gemm', 'Softmax']);
        await expectGraphOnnxMatchesPredict(model, 301, { onnx: { foldBatchNorm } });
      });
    }

    it('the residual MLP after fit(): probabilities, as predict gives them with the softmax fused into the loss', async () => {
      const model = residualMlp();
      const x = randomArray(64 * 10, 302, 2);
      await model.fit(my.tensor2d(x, [64, 10]), randomClasses(64, 4, 303), { epochs: 2, batchSize: 16, verbose: 0 });
      await expectGraphOnnxMatchesPredict(model, 304);
      const probabilities = predictions(model, [my.tensor2d(x.subarray(0, 40), [4, 10])])[0] as my.Tensor;
      for (let r = 0; r < 4; r++) expect(probabilities.data.subarray(r * 4, r * 4 + 4).reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-5);
    });

    it('a two-branch graph joined by concatenate', async () => {
      my.seed(310);
      const x = my.input({ shape: [7], name: 'x' });
      const wide = my.layers.dense({ units: 6, activation: 'relu' }).apply(x);
      const deep = my.layers.dense({ units: 4, activation: 'tanh' }).apply(my.layers.dense({ units: 8, activation: 'elu' }).apply(x));
      const joined = my.layers.concatenate().apply([wide, deep, x]);
      const model = my.model({ inputs: x, outputs: my.layers.dense({ units: 2, name: 'y' }).apply(my.layers.dropout({ rate: 0.5 }).apply(joined)) });
      randomizeWeights(model, 310);
      expect(operators(toOnnx(model)).filter((op) => op === 'Concat')).to.have.length(1);
      await expectGraphOnnxMatchesPredict(model, 311);
    });

    /** Two inputs of one width read by one shared Dense; a softmax head and a linear head. */
    function twoHeads(): { model: my.Functional; shared: Layer } {
      my.seed(320);
      const x = my.input({ shape: [6], name: 'x' });
      const z = my.input({ shape: [6], name: 'z' });
      const shared = my.layers.dense({ units: 5, activation: 'relu', name: 'shared' });
      const a = shared.apply(x);
      const b = shared.apply(z);
      const both = my.layers.concatenate().apply([a, b]);
      const cls = my.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(both);
      const reg = my.layers.dense({ units: 2, name: 'reg' }).apply(my.layers.subtract().apply([a, b]));
      const model = my.model({ inputs: [x, z], outputs: [cls, reg] });
      model.compile({ optimizer: 'adam', loss: { cls: 'sparseCategoricalCrossentropy', reg: 'mse' }, lossWeights: { cls: 1, reg: 0.5 } });
      randomizeWeights(model, 320);
      return { model, shared };
    }

    it('two inputs, two outputs and a shared layer: outputs named, the shared weights stored once, a node per application', async () => {
      const { model } = twoHeads();
      const bytes = toOnnx(model);
      const graph = graphOf(bytes);
      expect(graph.input.map((i) => i.name)).to.deep.equal(['x', 'z']);
      expect(graph.output.map((o) => o.name)).to.deep.equal(['cls', 'reg']);
      expect(graph.initializer.map((t) => t.name).filter((name) => name?.startsWith('shared/'))).to.deep.equal(['shared/kernel', 'shared/bias']);
      const gemms = graph.node.filter((n) => n.opType === 'Gemm' && n.input?.[1] === 'shared/kernel');
      expect(gemms.map((n) => [n.name, n.input?.[0]])).to.deep.equal([['shared/Gemm', 'x'], ['shared/1/Gemm', 'z']]);
      const nodeNames = graph.node.map((n) => n.name);
      const values = graph.node.flatMap((n) => n.output ?? []);
      expect(new Set(nodeNames).size, 'distinct node names').to.equal(nodeNames.length);
      expect(new Set(values).size, 'distinct values').to.equal(values.length);
      await expectGraphOnnxMatchesPredict(model, 321);
    });

    it('the two-output graph after fit() still agrees, each output read by name', async () => {
      const { model } = twoHeads();
      const n = 48;
      const [x, z] = [randomArray(n * 6, 322), randomArray(n * 6, 323)];
      await model.fit([my.tensor2d(x, [n, 6]), my.tensor2d(z, [n, 6])], { cls: randomClasses(n, 3, 324), reg: my.tensor2d(randomArray(n * 2, 325), [n, 2]) }, { epochs: 2, batchSize: 16, verbose: 0 });
      const got = await runOnnxNamed(await session(toOnnx(model)), { z: z.slice(0, 10 * 6), x: x.slice(0, 10 * 6) }, 10);
      const [cls, reg] = predictions(model, [my.tensor2d(x.slice(0, 60), [10, 6]), my.tensor2d(z.slice(0, 60), [10, 6])]) as [my.Tensor, my.Tensor];
      expectClose(got['cls'] as Float32Array, cls.data, ONNX_TOLERANCE, 'cls');
      expectClose(got['reg'] as Float32Array, reg.data, ONNX_TOLERANCE, 'reg');
    });

    it('an autoencoder and its encoder cut out as a sub-model, which exports only its own layers', async () => {
      my.seed(330);
      const x = my.input({ shape: [8], name: 'pixels' });
      const code = my.layers.dense({ units: 3, activation: 'tanh', name: 'code' }).apply(my.layers.dense({ units: 6, activation: 'relu', name: 'encoder_hidden' }).apply(x));
      const decoded = my.layers.dense({ units: 8, activation: 'sigmoid', name: 'decoded' }).apply(my.layers.dense({ units: 6, activation: 'relu', name: 'decoder_hidden' }).apply(code));
      const autoencoder = my.model({ inputs: x, outputs: decoded });
      autoencoder.compile({ optimizer: 'adam', loss: 'binaryCrossentropy' });
      const data = randomArray(64 * 8, 331).map((v) => (v + 1) / 2);
      await autoencoder.fit(my.tensor2d(data, [64, 8]), my.tensor2d(data, [64, 8]), { epochs: 3, batchSize: 16, verbose: 0 });
      const encoder = my.model({ inputs: x, outputs: code });
      const graph = graphOf(toOnnx(encoder));
      expect(graph.initializer.map((t) => t.name)).to.deep.equal(['encoder_hidden/kernel', 'encoder_hidden/bias', 'code/kernel', 'code/bias']);
      expect(graph.output.map((o) => o.name)).to.deep.equal(['code']);
      await expectGraphOnnxMatchesPredict(encoder, 332, { inputScale: 1 });
      await expectGraphOnnxMatchesPredict(autoencoder, 333, { inputScale: 1 });
    });

    it('an output other layers read, and one that is an input passed through dropout, leave through Identity', async () => {
      my.seed(340);
      const x = my.input({ shape: [4], name: 'x' });
      const hidden = my.layers.dense({ units: 5, activation: 'relu', name: 'hidden' }).apply(x);
      const y = my.layers.dense({ units: 2, name: 'y' }).apply(hidden);
      const passed = my.layers.dropout({ rate: 0.5, name: 'passed' }).apply(x);
      const model = my.model({ inputs: x, outputs: [hidden, y, passed] });
      randomizeWeights(model, 340);
      const graph = graphOf(toOnnx(model));
      expect(graph.output.map((o) => o.name)).to.deep.equal(['hidden', 'y', 'passed']);
      const identities = graph.node.filter((n) => n.opType === 'Identity').map((n) => [n.input?.[0], n.output?.[0]]);
      expect(identities).to.deep.equal([['hidden/Relu', 'hidden'], ['x', 'passed']]);
      await expectGraphOnnxMatchesPredict(model, 341);
    });

    it('an input named as a layer is refused when the model is made, so file names cannot clash', () => {
      const x = my.input({ shape: [3], name: 'value' });
      expect(() => my.model({ inputs: x, outputs: my.layers.dense({ units: 2, name: 'value' }).apply(x) })).to.throw(my.ArgumentRangeError, "an input and a layer both named 'value'");
    });

    it('two outputs of one shared layer are named as their tensors, in the file and in onnxSignature()', async () => {
      my.seed(350);
      const x = my.input({ shape: [3], name: 'x' });
      const shared = my.layers.dense({ units: 3, activation: 'tanh', name: 'shared' });
      const model = my.model({ inputs: x, outputs: [shared.apply(x), shared.apply(shared.apply(x))] });
      expect(model.outputNames).to.deep.equal(['shared', 'shared/2']);
      const signature = onnxSignature(model);
      expect(signature.outputs.map((o) => o.name)).to.deep.equal(['shared', 'shared/2']);
      const s = await session(toOnnx(model));
      const input = randomArray(6, 351);
      const got = await runOnnxNamed(s, { x: input }, 2);
      const [first, second] = model.predict(my.tensor2d(input, [2, 3])) as my.Tensor[];
      expectClose(got['shared'] as Float32Array, (first as my.Tensor).data, ONNX_TOLERANCE, 'shared');
      expectClose(got['shared/2'] as Float32Array, (second as my.Tensor).data, ONNX_TOLERANCE, 'shared/2');
    });

    it('a model nested in a larger one: the larger one exports every layer, the nested one only its own', async () => {
      my.seed(360);
      const a = my.input({ shape: [4], name: 'a' });
      const inner = my.model({ inputs: a, outputs: my.layers.dense({ units: 3, activation: 'tanh', name: 'inner_dense' }).apply(a), name: 'inner' });
      const x = my.input({ shape: [4], name: 'x' });
      const outer = my.model({ inputs: x, outputs: my.layers.dense({ units: 2, name: 'head' }).apply(inner.apply(x) as my.SymbolicTensor) });
      randomizeWeights(outer, 360);
      expect(graphOf(toOnnx(outer)).initializer.map((t) => t.name)).to.deep.equal(['inner_dense/kernel', 'inner_dense/bias', 'head/kernel', 'head/bias']);
      expect(graphOf(toOnnx(inner)).initializer.map((t) => t.name)).to.deep.equal(['inner_dense/kernel', 'inner_dense/bias']);
      await expectGraphOnnxMatchesPredict(outer, 361);
      await expectGraphOnnxMatchesPredict(inner, 362);
    });

    it('a BatchNormalization whose Dense also feeds a merge stays an operator', () => {
      my.seed(370);
      const x = my.input({ shape: [4], name: 'x' });
      const z = my.layers.dense({ units: 4 }).apply(x);
      const model = my.model({ inputs: x, outputs: my.layers.add().apply([z, my.layers.batchNormalization().apply(z)]) });
      expect(operators(toOnnx(model))).to.deep.equal(['Gemm', 'BatchNormalization', 'Add']);
    });

    it('throws ArgumentRangeError naming a layer that has no ONNX equivalent', () => {
      const x = my.input({ shape: [4], name: 'x' });
      const model = my.model({ inputs: x, outputs: my.layers.dense({ units: 2, name: 'out' }).apply(new Doubling().apply(x)) });
      expect(() => toOnnx(model)).to.throw(my.ArgumentRangeError, /ONNX equivalent \(Dense, .*Concatenate\).*received layer 'doubling_1' of class Doubling/);
    });
  });
});

describe('Functional#exportOnnx() and exportOnnxSync()', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-onnx-graph-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const sync of [false, true]) {
    it(`${sync ? 'exportOnnxSync' : 'exportOnnx'} writes the file of toOnnx(), which onnxruntime loads by path`, async () => {
      my.seed(380);
      const x = my.input({ shape: [3], name: 'x' });
      const z = my.input({ shape: [2], name: 'z' });
      const joined = my.layers.concatenate().apply([my.layers.dense({ units: 4, activation: 'relu' }).apply(x), z]);
      const model = my.model({ inputs: [x, z], outputs: [my.layers.dense({ units: 2, name: 'p' }).apply(joined), my.layers.dense({ units: 1, name: 'q' }).apply(joined)] });
      const file = path.join(dir, 'graph.onnx');
      if (sync) model.exportOnnxSync(file);
      else await model.exportOnnx(file);
      expect(new Uint8Array(fs.readFileSync(file))).to.deep.equal(toOnnx(model));
      const [xs, zs] = [randomArray(6, 381), randomArray(4, 382)];
      const got = await runOnnxNamed(await session(file), { x: xs, z: zs }, 2);
      const [p, q] = model.predict([my.tensor2d(xs, [2, 3]), my.tensor2d(zs, [2, 2])]) as my.Tensor[];
      expectClose(got['p'] as Float32Array, (p as my.Tensor).data, ONNX_TOLERANCE, 'p');
      expectClose(got['q'] as Float32Array, (q as my.Tensor).data, ONNX_TOLERANCE, 'q');
    });
  }
});
