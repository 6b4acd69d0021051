/**
 * Issue 12, items 2 and 13: an input's ArrayBuffer transferred (detached) while native code may read
 * it. Before the fix, predictAsync read freed memory (SIGSEGV in the addon) and fit read the
 * caller's rows directly when not shuffling; now predictAsync reads a copy taken when called, and
 * fit, which reads x only on the main thread between its native runs, stops with an
 * ArgumentTypeError naming x. Run in a child process (fixtures/detach.js).
 */
import { expect } from 'chai';

import { describeRun, runFixture } from './child';

function outcome(scenario: string): Record<string, unknown> {
  const run = runFixture('detach.js', [scenario], ['--expose-gc']);
  expect(run.status, describeRun(run)).to.equal(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

describe('reliability: detached inputs (items 2 and 13)', function () {
  this.timeout(120_000);

  it('predictAsync gives the prediction of x as it was when called, though x is transferred by structuredClone and collected meanwhile', () => {
    expect(outcome('predict-clone')).to.deep.equal({ resolved: true, detached: true, maxDifference: 0 });
  });

  it('predictAsync gives the prediction of x as it was when called, though x is transferred to a worker that ends', () => {
    expect(outcome('predict-worker')).to.deep.equal({ resolved: true, detached: true, maxDifference: 0 });
  });

  it('fit({ shuffle: false }) whose x is transferred between steps stops with an ArgumentTypeError naming x, weights finite', () => {
    const result = outcome('fit-unshuffled');
    expect(result).to.include({ resolved: false, name: 'ArgumentTypeError', weightsFinite: true });
    expect(result['message']).to.match(/^Expected a Float32Array that stays attached until fit\(\) settles for x but received a detached Float32Array/);
  });

  it('fit whose x is transferred from a timer while its steps run off the main thread stops with an ArgumentTypeError naming x, weights finite', () => {
    const result = outcome('fit-midtrip');
    expect(result).to.include({ resolved: false, name: 'ArgumentTypeError', weightsFinite: true });
    expect(result['message']).to.match(/^Expected a Float32Array that stays attached until fit\(\) settles for x but received a detached Float32Array/);
  });
});
