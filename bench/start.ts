// The start every bench entry point shares: its flags parsed (a usage error prints and exits 2),
// the reporter made, myelin loaded and the machine described in the header.

import { describeMachine } from './machine';
import { loadMyelin, type MyelinHandle } from './myelin';
import { Reporter } from './report';

export interface Started<O> {
  readonly options: O;
  readonly reporter: Reporter;
  /** myelin, or why it could not be loaded. */
  readonly myelin: MyelinHandle | string;
}

/** null after a usage error (already printed, exit code 2). */
export function startBench<O extends { readonly json: boolean }>(parseArgs: (argv: readonly string[]) => O): Started<O> | null {
  let options: O;
  try {
    options = parseArgs(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 2;
    return null;
  }
  const reporter = new Reporter(options.json);
  const myelin = loadMyelin();
  reporter.header(describeMachine(myelin));
  return { options, reporter, myelin };
}
