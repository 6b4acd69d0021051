/** The addon as a Node module: loadable in worker threads, ISA override from the environment. */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
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

describe('loading without a binary', () => {
  it('throws a NativeLoadError naming the prebuilt platforms, what was tried, what a build needs and the fix', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-noaddon-'));
    try {
      fs.cpSync(path.join(root, 'lib'), path.join(dir, 'lib'), { recursive: true });
      fs.copyFileSync(path.join(root, 'package.json'), path.join(dir, 'package.json'));
      fs.symlinkSync(path.join(root, 'node_modules'), path.join(dir, 'node_modules'));
      const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', "require('./lib/backend')"], { cwd: dir, encoding: 'utf8' });
      expect(result.status).to.not.equal(0);
      const target = `${process.platform}-${process.arch}`;
      expect(result.stderr).to.contain(`NativeLoadError: myelin could not load its native addon for ${target}`);
      expect(result.stderr).to.contain(`The package ships a prebuilt binary for ${target} (glibc 2.34 or later)`);
      expect(result.stderr).to.contain(`build/Release/myelin.node, build/Debug/myelin.node and prebuilds/${target}/*.node`);
      expect(result.stderr).to.contain('A source build on linux needs python3, make and a C++17 compiler');
      expect(result.stderr).to.contain('npm install-scripts approve myelin && npm rebuild myelin');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
