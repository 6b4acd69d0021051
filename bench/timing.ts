// Clock and garbage-collector helpers shared by the suites.

import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Milliseconds from a monotonic clock. */
export function now(): number {
  return performance.now();
}

// `npm run bench` is `tsx bench/run.ts`, so we cannot pass --expose-gc on the command line.
// Turning the flag on at run time and fetching `gc` from a fresh context is the documented
// V8 way around that. Collecting between trials keeps one implementation's garbage from
// being paid for inside the next one's timed window.
setFlagsFromString('--expose-gc');
const gcFn: unknown = runInNewContext('gc');

export function collectGarbage(): void {
  if (typeof gcFn === 'function') (gcFn as () => void)();
}
