/**
 * Issue 12, item 1: a worker thread that ends while myelin works in it (terminated, or calling
 * process.exit()) must not take the process with it. Each scenario runs many rounds in a child
 * process (fixtures/worker-end.js); before the fix the child aborted with "terminate called
 * after throwing an instance of 'Napi::Error'" (exit 134).
 */
import { expect } from 'chai';

import { describeRun, runFixture } from './child';
import { timeLimit } from '../helpers/time';

describe('reliability: worker threads that end while myelin works (item 1)', function () {
  this.timeout(timeLimit(120_000));

  for (const scenario of ['terminate-fit', 'terminate-predict', 'exit-predict', 'exit-fit', 'main-exit-predict']) {
    it(`survives ${scenario}`, () => {
      const run = runFixture('worker-end.js', [scenario, '6']);
      expect(run.status, describeRun(run)).to.equal(0);
      expect(run.stdout.trim(), describeRun(run)).to.equal('ok');
    });
  }
});
