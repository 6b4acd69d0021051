/** The addon as a Node module: loadable in worker threads, ISA override from the environment. */
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import { Worker } from 'node:worker_threads';

const root = path.resolve(__dirname, '..');

describe('native addon', () => {
  it('loads and runs in worker threads beside the main thread', async () => {
    const script = `
      const { parentPort } = require('node:worker_threads');
      const native = require('node-gyp-build')(${JSON.stringify(root)});
      const c = new Float32Array(4);
      native.sgemm(c, Float32Array.from([1, 2, 3, 4]), Float32Array.from([1, 0, 0, 1]), 2, 2, 2, false, false, 1, 0);
      parentPort.postMessage(Array.from(c));
    `;
    const results = await Promise.all(
      [0, 1].map(
        () =>
          new Promise<number[]>((resolve, reject) => {
            const worker = new Worker(script, { eval: true });
            worker.once('message', resolve);
            worker.once('error', reject);
          }),
      ),
    );
    results.forEach((r) => expect(r).to.deep.equal([1, 2, 3, 4]));
  });

  it('MYELIN_ISA=generic forces the generic path, MYELIN_NUM_THREADS sets the threads', () => {
    const out = execFileSync(process.execPath, ['-e', `console.log(JSON.stringify(require('node-gyp-build')(${JSON.stringify(root)}).backendInfo()))`], {
      env: { ...process.env, MYELIN_ISA: 'generic', MYELIN_NUM_THREADS: '1' },
      encoding: 'utf8',
    });
    expect(JSON.parse(out)).to.deep.include({ isa: 'generic', threads: 1 });
  });
});
