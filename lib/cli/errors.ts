/**
 * How the command line turns an error into one line on stderr and an exit code scripts can
 * trust: 0 success, 1 a failure while running (training diverged, a disk full), 2 a usage error
 * (an unknown option, a missing file, a bad column, a data file that cannot be read as data,
 * naming its line, a model that does not fit the data).
 */
import { CommanderError } from 'commander';

import { ArgumentRangeError, ArgumentTypeError, DataFormatError, ModelFormatError, MyelinError } from '../errors';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** Something wrong with what the user asked for; the message says what and, where it can, how to fix it. */
export class UsageError extends MyelinError {
  override readonly name = 'UsageError';
}

/** File-system errors about the path the user gave, not about the machine. */
const pathErrors: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or directory',
  ENOTDIR: 'a part of the path is not a directory',
  EISDIR: 'is a directory',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
};

interface SystemError extends Error {
  readonly code?: string;
  readonly path?: string;
}

export interface Outcome {
  readonly code: number;
  /** The line to print, or null when commander has printed it already. */
  readonly message: string | null;
}

/** The exit code and message for an error that ended a command. */
export function outcomeOf(error: unknown): Outcome {
  if (error instanceof CommanderError) {
    // --help and --version end through here with exit code 0; commander has printed its message.
    const done = error.code === 'commander.helpDisplayed' || error.code === 'commander.version';
    return { code: done ? EXIT_OK : EXIT_USAGE, message: null };
  }
  if (error instanceof UsageError || error instanceof ArgumentTypeError || error instanceof ArgumentRangeError || error instanceof ModelFormatError || error instanceof DataFormatError) {
    return { code: EXIT_USAGE, message: error.message };
  }
  const code = (error as SystemError | null)?.code;
  if (error instanceof Error && code !== undefined && code in pathErrors) {
    const where = (error as SystemError).path;
    return { code: EXIT_USAGE, message: where === undefined ? error.message : `${where}: ${pathErrors[code]}` };
  }
  // A system error (ENOSPC, EIO) or one of ours: the message is the whole story.
  if (error instanceof MyelinError || (error instanceof Error && code !== undefined)) return { code: EXIT_FAILURE, message: error.message };
  // Not an error a user can cause: keep the stack, it is what a bug report needs.
  return { code: EXIT_FAILURE, message: error instanceof Error ? (error.stack ?? error.message) : String(error) };
}
