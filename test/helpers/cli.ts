/**
 * The `myelin` command run as a user runs it: `node bin/myelin.js ...` as a child process, on the
 * compiled dist/ (npm test builds it first), in a folder of the test's.
 */
import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';

import { timeLimit } from './time';

export const root = path.resolve(__dirname, '..', '..');
const bin = path.join(root, 'bin', 'myelin.js');

export interface Run {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `myelin args...` in `cwd`, with `input` on its standard input. */
export function runMyelin(cwd: string, args: readonly string[], input?: string | Buffer): Run {
  const options = { cwd, encoding: 'utf8' as const, timeout: timeLimit(60_000) };
  const run = spawnSync(process.execPath, [bin, ...args], input === undefined ? options : { ...options, input });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

/** The JSON a successful run printed. */
export function json(run: Run): Record<string, unknown> {
  expect(run.code, run.stderr).to.equal(0);
  return JSON.parse(run.stdout) as Record<string, unknown>;
}

/** A usage error: exit code 2 and one clear line (commander may add its "--help" hint), no stack trace. */
export function expectUsageError(run: Run, pattern: RegExp): void {
  expect(run.code, run.stderr).to.equal(2);
  expect(run.stderr).to.match(pattern);
  expect(run.stderr).to.not.match(/\n\s+at /);
  expect(run.stdout).to.equal('');
}
