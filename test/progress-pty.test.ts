/**
 * fit()'s progress bar in a real pseudo-terminal of 80 and of 40 columns: no line the program
 * draws is as wide as the terminal, so none wraps (a wrapped line cannot be redrawn in place:
 * each redraw would leave a line behind). The pseudo-terminal comes from util-linux's `script`,
 * which every Linux with util-linux has; where it is missing (macOS's script takes other
 * arguments) the test is marked pending with that reason, and test/progress.test.ts still checks
 * the same widths on a stream whose columns are 80 and 40.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { screenLines } from './helpers/terminal';

const root = path.resolve(__dirname, '..');

/** A fit with three metrics and validation, slow enough (15 ms a batch) for the bar to redraw. */
const FIT = `
const my = require(${JSON.stringify(path.join(root, 'dist', 'index.js'))});
(async () => {
  my.seed(1);
  const { x, y } = my.data.loadDigits();
  const model = my.sequential([my.layers.dense({ inputShape: [64], units: 16, activation: 'relu' }), my.layers.dense({ units: 10, activation: 'softmax' })]);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy', 'sparseTopKCategoricalAccuracy'] });
  const wait = (ms) => { const end = Date.now() + ms; while (Date.now() < end); };
  console.error('columns ' + process.stdout.columns + ', tty ' + process.stdout.isTTY);
  await model.fit(x, y, { epochs: 2, batchSize: 64, validationSplit: 0.2, callbacks: { onBatchEnd: () => wait(15) } });
})();
`;

function utilLinuxScript(): boolean {
  const run = spawnSync('script', ['--version'], { encoding: 'utf8' });
  return run.status === 0 && /util-linux/.test(run.stdout);
}

describe('fit() progress in a pseudo-terminal', function () {
  this.timeout(60_000);
  let dir: string;
  let script: string;

  before(function () {
    // Pending on a machine without util-linux's script (npm test needs nothing but npm install);
    // CI sets MYELIN_REQUIRE_PTY=1, where its absence is a failure rather than a skip.
    if (!utilLinuxScript()) {
      if (process.env['MYELIN_REQUIRE_PTY'] === '1') throw new Error("MYELIN_REQUIRE_PTY=1 but util-linux's script is not on PATH (Debian: apt-get install -y bsdutils)");
      this.skip();
    }
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-pty-'));
    script = path.join(dir, 'fit.js');
    fs.writeFileSync(script, FIT);
  });
  after(() => {
    if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
  });

  for (const columns of [80, 40]) {
    it(`draws no line as wide as a ${columns}-column terminal, and shows the bar, the time and the ETA`, () => {
      const command = `stty cols ${columns} rows 24 && '${process.execPath}' '${script}'`;
      const run = spawnSync('script', ['-qfec', command, '/dev/null'], { encoding: 'utf8', timeout: 50_000, stdio: ['ignore', 'pipe', 'pipe'] });
      expect(run.status, run.stdout + run.stderr).to.equal(0);
      const lines = screenLines(run.stdout);
      expect(lines[0]).to.equal(`columns ${columns}, tty true`);
      const drawn = lines.slice(1);
      for (const line of drawn) expect(line.length, line).to.be.below(columns);
      expect(drawn.filter((line) => /^Epoch 1\/2 +\d+\/23 \[[=>.]+\] \d+\.\ds ETA \d+\.\ds/.test(line)).length, drawn.join('\n')).to.be.at.least(2);
      expect(drawn.filter((line) => line.startsWith('Epoch 2/2 - 23 steps - '))).to.have.length(1);
    });
  }
});
