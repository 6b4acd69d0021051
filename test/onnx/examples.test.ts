/**
 * The graph examples' trained models export to ONNX that onnxruntime agrees with. Here, under
 * test/onnx/, because onnxruntime is not loaded where it cannot run (the arm64 suite under qemu).
 * The examples' models are the built package's (they load myelin by its name), whose classes this
 * test's own exporter does not know: each model exports itself.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { expect } from 'chai';

import type * as my from '../../lib/index';
import { expectGraphOnnxMatchesPredict } from './helpers';

type Main = (options: { log: (line: string) => void; verbose?: 0 }) => Promise<Record<string, unknown>>;

function example(name: string): Main {
  return (require(`../../examples/${name}.js`) as { main: Main }).main;
}

const quiet = { log: (): void => {}, verbose: 0 as const };

async function expectOnnxAgrees(model: my.Functional, seed: number, inputScale: number): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-example-onnx-'));
  try {
    const file = path.join(dir, 'model.onnx');
    model.exportOnnxSync(file);
    await expectGraphOnnxMatchesPredict(model, seed, { inputScale, bytes: fs.readFileSync(file) });
  } finally {
    fs.rmSync(dir, { recursive: true });
  }
}

describe('the graph examples in ONNX, checked by onnxruntime', function () {
  this.timeout(120_000);

  it('two heads: both outputs, by name', async () => {
    const { model } = (await example('two-heads')(quiet)) as { model: my.Functional };
    await expectOnnxAgrees(model, 7, 1);
  });

  it('wide and deep: the raw features concatenated to the deep branch', async () => {
    const { model } = (await example('wide-and-deep')(quiet)) as { model: my.Functional };
    await expectOnnxAgrees(model, 31, 3);
  });

  it('autoencoders: both autoencoders, and the encoder cut from one', async () => {
    const { models } = (await example('autoencoders')(quiet)) as { models: Record<string, my.Functional> };
    expect(Object.keys(models)).to.deep.equal(['autoencoder', 'encoder', 'denoising']);
    for (const [name, model] of Object.entries(models)) await expectOnnxAgrees(model, name.length, 1);
  });
});
