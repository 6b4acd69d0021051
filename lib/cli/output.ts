/**
 * Where a command's words go: results on stdout (one JSON document with --json, readable lines
 * otherwise), notes and progress on stderr, so `myelin ... --json | jq` always parses.
 */

export interface Output {
  readonly json: boolean;
  /** No notes, no progress: only the result. */
  readonly quiet: boolean;
  /** A line for the person watching (what was chosen, what was written), on stderr. */
  note(line: string): void;
  /** The command's result: `value` as JSON with --json, else `lines`. */
  result(value: unknown, lines: readonly string[]): void;
}

export function output(json: boolean, quiet: boolean): Output {
  return {
    json,
    quiet,
    note: (line) => {
      if (!quiet) process.stderr.write(`${line}\n`);
    },
    result: (value, lines) => {
      process.stdout.write(json ? `${JSON.stringify(value, null, 2)}\n` : lines.map((l) => `${l}\n`).join(''));
    },
  };
}

/** Logs as 'loss 0.1234, accuracy 0.9800'. */
export function formatLogs(logs: Readonly<Record<string, number>>): string {
  return Object.entries(logs)
    .map(([name, value]) => `${name} ${value.toFixed(4)}`)
    .join(', ');
}
