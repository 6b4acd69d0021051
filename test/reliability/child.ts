/**
 * Runs a fixture script of test/reliability/fixtures in a child process: a crash there (an abort,
 * a segmentation fault) fails the test that ran it instead of killing mocha. The fixtures load
 * the compiled package (dist/, which `npm test` builds before mocha runs).
 */
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { timeLimit } from '../helpers/time';

export interface ChildRun {
  readonly status: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

export function runFixture(script: string, args: readonly string[], nodeFlags: readonly string[] = [], timeoutMs = 60_000): ChildRun {
  const run = spawnSync(process.execPath, [...nodeFlags, path.join(__dirname, 'fixtures', script), ...args], { encoding: 'utf8', timeout: timeLimit(timeoutMs) });
  return { status: run.status, signal: run.signal, stdout: run.stdout, stderr: run.stderr };
}

/** How a run ended, for an assertion message. */
export function describeRun(run: ChildRun): string {
  return `exit ${run.status}, signal ${run.signal}; stdout: ${run.stdout.slice(-500)}; stderr: ${run.stderr.slice(-2000)}`;
}
