import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { expect } from 'chai';
import { onnx } from '../../lib/onnx/proto/onnx';

import * as my from '../../lib/index';
import { IR_VERSION, OPSET } from '../../lib/onnx/graph';
import { toOnnx } from '../../lib/onnx/export';
import { globalRandom } from '../../lib/random';
import { expectClose } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { expectOnnxMatchesPredict, ONNX_TOLERANCE, randomizeWeights, runOnnx, session } from './helpers';

/** The Fashion-MNIST example's shape: 784-256-128-10 with batch normalization and dropout. */
function fashionSized(): my.Sequential {
  my.seed(7);
  const model = my.sequential([
    my.layers.dense({ inputShape: [784], units: 256 }),
    my.layers.batchNormalization(),
    my.layers.activation({ activation: 'relu' }),
    my.layers.dropout({ rate: 0.3 }),
    my.layers.dense({ units: 128, activation: 'relu' }),
    my.layers.batchNormalization(),
    my.layers.dropout({ rate: 0.3 }),
    my.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  randomizeWeights(model, 7);
  return model;
}

function small(): my.Sequential {
  my.seed(3);
  const model = my.sequential([my.layers.dense({ inputShape: [4], units: 3, activation: 'relu' }), my.layers.batchNormalization(), my.layers.dense({ units: 2 })]);
  randomizeWeights(model, 3);
  return model;
}

function operators(bytes: Uint8Array): string[] {
  return onnx.ModelProto.decode(bytes).graph?.node?.map((n) => n.opType ?? '') ?? [];
}

describe('toOnnx()', () => {
  it('writes a standard ModelProto: opset 17, IR 8, input [N, features] and output [N, outputs]', () => {
    const model = onnx.ModelProto.decode(toOnnx(small()));
    expect(Number(model.irVersion)).to.equal(IR_VERSION);
    expect(model.opsetImport.map((o) => [o.domain, Number(o.version)])).to.deep.equal([['', OPSET]]);
    expect(model.producerName).to.equal('myelin');
    expect(model.producerVersion).to.equal(my.version);
    const graph = model.graph as onnx.GraphProto;
    const dims = (info: onnx.IValueInfoProto | undefined): unknown[] => info?.type?.tensorType?.shape?.dim?.map((d) => d.dimParam || Number(d.dimValue)) ?? [];
    expect(graph.input.map((i) => i.name)).to.deep.equal(['input']);
    expect(dims(graph.input[0])).to.deep.equal(['N', 4]);
    expect(graph.output.map((o) => o.name)).to.deep.equal(['output']);
    expect(dims(graph.output[0])).to.deep.equal(['N', 2]);
    expect(graph.input[0]?.type?.tensorType?.elemType).to.equal(onnx.TensorProto.DataType.FLOAT);
  });

  it('folds a BatchNormalization after a linear Dense into its Gemm by default, and keeps the operator with foldBatchNorm: false', () => {
    my.seed(4);
    const model = my.sequential([my.layers.dense({ inputShape: [4], units: 3 }), my.layers.batchNormalization(), my.layers.dense({ units: 2 })]);
    expect(operators(toOnnx(model))).to.deep.equal(['Gemm', 'Gemm']);
    expect(operators(toOnnx(model, { foldBatchNorm: true }))).to.deep.equal(['Gemm', 'Gemm']);
    expect(operators(toOnnx(model, { foldBatchNorm: false }))).to.deep.equal(['Gemm', 'BatchNormalization', 'Gemm']);
    // After an activation there is nothing to fold into.
    expect(operators(toOnnx(small()))).to.deep.equal(['Gemm', 'Relu', 'BatchNormalization', 'Gemm']);
  });

  it('drops dropout and noise, and ends a graph of them alone with an Identity', () => {
    expect(operators(toOnnx(fashionSized()))).to.deep.equal(['Gemm', 'Relu', 'Gemm', 'Relu', 'BatchNormalization', 'Gemm', 'Softmax']);
    expect(operators(toOnnx(my.sequential([my.layers.dropout({ inputShape: [3], rate: 0.5 })])))).to.deep.equal(['Identity']);
  });

  for (const foldBatchNorm of [true, false]) {
    it(`a Fashion-MNIST-sized model (784-256-128-10, batch normalization, dropout) matches predict in onnxruntime, foldBatchNorm ${foldBatchNorm}`, async () => {
      await expectOnnxMatchesPredict(fashionSized(), 8, { foldBatchNorm }, 1, 100);
    });
  }

  it('leaves the random generator as it was, so an export changes nothing a later fit draws', () => {
    for (const foldBatchNorm of [true, false]) {
      const model = fashionSized();
      const before = globalRandom.getState();
      toOnnx(model, { foldBatchNorm });
      expect(globalRandom.getState()).to.deep.equal(before);
    }
  });

  it('throws on bad options', () => {
    const model = small();
    expect(() => toOnnx(model, { foldBatchnorm: true } as never)).to.throw(my.ArgumentRangeError, /foldBatchnorm/);
    expect(() => toOnnx(model, { foldBatchNorm: 'yes' } as never)).to.throw(my.ArgumentTypeError, /boolean for foldBatchNorm/);
    expect(() => toOnnx(model, 3 as never)).to.throw(my.ArgumentTypeError, /exportOnnx options/);
  });

  it('throws ModelStateError for a model without layers', () => {
    expect(() => toOnnx(my.sequential())).to.throw(my.ModelStateError, /no layers/);
  });
});

describe('Sequential#exportOnnx() and exportOnnxSync()', () => {
  let dir = '';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-onnx-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  for (const sync of [false, true]) {
    const name = sync ? 'exportOnnxSync' : 'exportOnnx';
    it(`${name} writes a file onnxruntime loads by path, replacing an old one and leaving no temporary file`, async () => {
      const model = small();
      const file = path.join(dir, 'model.onnx');
      fs.writeFileSync(file, 'old');
      if (sync) model.exportOnnxSync(file);
      else await model.exportOnnx(file);
      expect(fs.readdirSync(dir)).to.deep.equal(['model.onnx']);
      expect(new Uint8Array(fs.readFileSync(file))).to.deep.equal(toOnnx(model));
      const x = randomArray(8, 5);
      expectClose(await runOnnx(await session(file), x, 2), model.predict(my.tensor2d(x, [2, 4])).data, ONNX_TOLERANCE, 'onnxruntime vs predict');
    });

    it(`${name} checks everything before touching the file`, async () => {
      const file = path.join(dir, 'model.onnx');
      fs.writeFileSync(file, 'old');
      const model = small();
      const run = (target: unknown, options?: unknown): Promise<void> | void =>
        sync ? model.exportOnnxSync(target as string, options as never) : model.exportOnnx(target as string, options as never);
      const rejection = async (target: unknown, options?: unknown): Promise<unknown> => {
        try {
          await run(target, options);
        } catch (error) {
          return error;
        }
        return expect.fail('no error');
      };
      expect(await rejection('')).to.be.instanceOf(my.ArgumentTypeError).with.property('message').match(/file path .* for path/);
      expect(await rejection(42)).to.be.instanceOf(my.ArgumentTypeError).with.property('message').match(/received 42/);
      expect(await rejection(file, { opset: 18 })).to.be.instanceOf(my.ArgumentRangeError).with.property('message').match(/opset/);
      expect(fs.readFileSync(file, 'utf8')).to.equal('old');
      expect(fs.readdirSync(dir)).to.deep.equal(['model.onnx']);
    });

    it(`${name} refuses a missing folder, naming it, and writes nothing`, async () => {
      const file = path.join(dir, 'missing', 'model.onnx');
      const model = small();
      const pattern = /for path but received '.*missing\/model\.onnx', whose folder .*missing does not exist$/;
      if (sync) expect(() => model.exportOnnxSync(file)).to.throw(my.ArgumentRangeError, pattern);
      else {
        let error: unknown = null;
        await model.exportOnnx(file).catch((e: unknown) => (error = e));
        expect(error).to.be.instanceOf(my.ArgumentRangeError).with.property('message').match(pattern);
      }
      expect(fs.readdirSync(dir)).to.deep.equal([]);
    });
  }
});
