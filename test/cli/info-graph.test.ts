/**
 * The command line on graph model files: `info` describes the graph (inputs and outputs by name
 * and width, each layer's inbound layers, each output's loss), predict and evaluate run a graph of
 * one input and one output, and the commands that read one table of features refuse a model of
 * several inputs or outputs with a clear usage error instead of failing inside.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as my from '../../lib/index';
import { expectUsageError, json, runMyelin, type Run } from '../helpers/cli';
import { randomArray, randomClasses } from '../helpers/data';
import { twoHeadData, twoHeadModel } from '../helpers/graph-model';
import { timeLimit } from '../helpers/time';

let dir = '';

function myelin(...args: string[]): Run {
  return runMyelin(dir, args);
}

describe('myelin (command line) on graph models', function () {
  this.timeout(timeLimit(60_000));

  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-cli-graph-'));
    const model = twoHeadModel();
    model.compile({ optimizer: 'adam', loss: { cls: 'sparseCategoricalCrossentropy', reg: 'meanSquaredError' }, lossWeights: { reg: 0.5 }, metrics: { cls: ['accuracy'] } });
    const data = twoHeadData(16, 3);
    await model.fit([data.x, data.z], [data.cls, data.reg], { epochs: 1, verbose: 0 });
    await model.save(path.join(dir, 'graph.myelin'));

    // One input, one output, a skip connection: x and its hidden features concatenated.
    my.seed(4);
    const x = my.input({ shape: [4], name: 'features' });
    const hidden = my.layers.dense({ units: 6, activation: 'relu', name: 'hidden' }).apply(x);
    const out = my.layers.dense({ units: 3, activation: 'softmax', name: 'out' }).apply(my.layers.concatenate({ name: 'skip' }).apply([hidden, x]));
    const single = my.model({ inputs: x, outputs: out, name: 'skip_net' });
    single.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
    const features = randomArray(40 * 4, 5);
    const labels = randomClasses(40, 3, 6);
    await single.fit(new my.Tensor(features, [40, 4]), Array.from(labels), { epochs: 2, verbose: 0 });
    await single.save(path.join(dir, 'single.myelin'));
    const rows = Array.from({ length: 40 }, (_, r) => [...Array.from(features.subarray(r * 4, r * 4 + 4)).map((v) => v.toFixed(4)), String(labels[r])].join(','));
    fs.writeFileSync(path.join(dir, 'four.csv'), ['a,b,c,d,label', ...rows].join('\n'));
  });

  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("info prints the inputs and outputs by name and width, each layer's inbound layers and each output's loss", () => {
    const text = myelin('info', '--model', 'graph.myelin');
    expect(text.code, text.stderr).to.equal(0);
    const lines = text.stdout.split('\n');
    expect(lines[0]).to.equal('graph.myelin: myelin model, format version 2');
    expect(lines[1]).to.equal("graph model 'two_heads': inputs x [null, 4], z [null, 3]; outputs cls [null, 3], reg [null, 2]");
    expect(text.stdout).to.match(/Layer \(type\)\s+Output shape\s+Param #\s+Connected to/);
    expect(text.stdout).to.match(/\nz \(InputLayer\)\s+\[null, 3\]\s+0\n/);
    expect(text.stdout).to.match(/\nshared \(Dense\)\s+\[null, 6\]\s+30\s+x\[0\]\[0\]\n\s+lift\[0\]\[0\]\n/);
    expect(text.stdout).to.match(/\nsum \(Add\)\s+\[null, 6\]\s+0\s+shared\[0\]\[0\], shared\[1\]\[0\]\n/);
    expect(text.stdout).to.match(/Total params: 123\n/);
    expect(text.stdout).to.contain('compiled with optimizer Adam; cls: loss sparseCategoricalCrossentropy, weight 1, metrics accuracy; reg: loss meanSquaredError, weight 0.5\n');
  });

  it('info --json gives the graph: className, name, inputs and outputs, each layer\'s inbound nodes, each output\'s compile settings', () => {
    const result = json(myelin('info', '--model', 'graph.myelin', '--json'));
    expect(result).to.deep.include({ formatVersion: 2, className: 'Functional', name: 'two_heads', inputs: 7, outputs: 5 });
    expect(result['inputLayers']).to.deep.equal([{ name: 'x', units: 4 }, { name: 'z', units: 3 }]);
    expect(result['outputLayers']).to.deep.equal([{ name: 'cls', units: 3 }, { name: 'reg', units: 2 }]);
    expect(result['params']).to.deep.equal({ total: 123, trainable: 111, nonTrainable: 12 });
    const layers = result['layers'] as { name: string; className: string; inboundNodes: unknown }[];
    expect(layers.map((l) => l.name)).to.deep.equal(['shared', 'lift', 'sum', 'bn', 'drop', 'cat', 'cls', 'reg']);
    expect(layers[0]).to.deep.include({ className: 'Dense', inboundNodes: [[['x', 0, 0]], [['lift', 0, 0]]], activation: 'relu', params: 30 });
    expect(layers[5]).to.deep.include({ className: 'Concatenate', inboundNodes: [[['drop', 0, 0], ['shared', 0, 0]]] });
    expect(result['compile']).to.deep.equal({
      optimizer: 'Adam',
      outputs: { cls: { loss: 'sparseCategoricalCrossentropy', weight: 1, metrics: ['accuracy'] }, reg: { loss: 'meanSquaredError', weight: 0.5, metrics: [] } },
    });
  });

  it('predict and evaluate refuse a model of several inputs and outputs, naming them; export-onnx writes it, naming its tensors', () => {
    const data = ['--data', 'four.csv', '--label-column', 'label'];
    expectUsageError(myelin('predict', '--model', 'graph.myelin', ...data), /^error: the model graph\.myelin has 2 inputs \(x, z\) and 2 outputs \(cls, reg\); myelin predict takes models of one input and one output: use the library's predict\(\) for it\n/);
    expectUsageError(myelin('evaluate', '--model', 'graph.myelin', ...data), /myelin evaluate takes models of one input and one output: use the library's evaluate\(\)/);
    const exported = myelin('export-onnx', '--model', 'graph.myelin', '--out', 'g.onnx');
    expect(exported.code).to.equal(0);
    expect(exported.stdout).to.match(/input 'x' \[N, \d+\], input 'z' \[N, \d+\], output 'cls' \[N, \d+\], output 'reg' \[N, \d+\]/);
    expect(fs.statSync(path.join(dir, 'g.onnx')).size).to.be.above(0);
  });

  it('a graph of one input and one output: info, predict, evaluate and export-onnx run', () => {
    const text = myelin('info', '--model', 'single.myelin');
    expect(text.stdout).to.contain("graph model 'skip_net': inputs features [null, 4]; outputs out [null, 3]\n");
    expect(text.stdout).to.contain('compiled with loss sparseCategoricalCrossentropy, optimizer Adam, metrics accuracy\n');
    expect(text.stdout).to.match(/\nskip \(Concatenate\)\s+\[null, 10\]\s+0\s+hidden\[0\]\[0\], features\[0\]\[0\]\n/);

    const predicted = json(myelin('predict', '--model', 'single.myelin', '--data', 'four.csv', '--label-column', 'label', '--json'));
    const predictions = predicted['predictions'] as { class: number; outputs: number[] }[];
    expect(predictions).to.have.length(40);
    // The class column comes from the output layer's softmax, wherever that layer is in the list.
    expect(predictions.every((p) => p.outputs.length === 3 && p.class === p.outputs.indexOf(Math.max(...p.outputs)))).to.equal(true);

    const evaluated = json(myelin('evaluate', '--model', 'single.myelin', '--data', 'four.csv', '--label-column', 'label', '--json'));
    expect(evaluated).to.have.keys('model', 'data', 'samples', 'loss', 'accuracy');
    expect(evaluated['samples']).to.equal(40);

    const exported = myelin('export-onnx', '--model', 'single.myelin', '--out', 'single.onnx');
    expect(exported.code).to.equal(0);
    expect(fs.statSync(path.join(dir, 'single.onnx')).size).to.be.above(0);
  });
});
