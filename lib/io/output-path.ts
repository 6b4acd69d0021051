/**
 * Where a file may be written: a regular file (replaced), a new file in an existing folder, or a
 * symbolic link to either, which is followed to its final target so that the target is
 * replaced and the link kept. A FIFO, a device, a directory, a folder that does not exist or is
 * not a folder is refused with an ArgumentRangeError naming the path as the caller gave it
 * (renaming a file over /dev/full would replace the device, over a link the link).
 *
 * Written once as a generator of file operations (file-steps.ts): the atomic writer runs it
 * before it writes, sync or async, and the CLI runs it before any long work.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { ArgumentRangeError } from '../errors';
import { fileKind } from './file-kind';
import { runSync, type AsyncOps, type Procedure } from './file-steps';

/** The file operations the check uses. @internal */
export interface PathOps {
  lstat(file: string): fs.Stats;
  stat(file: string): fs.Stats;
  readlink(file: string): string;
  /** Throws unless the process may create files in `dir`. */
  access(dir: string): void;
}

export const nodePathOps: PathOps = {
  lstat: (file) => fs.lstatSync(file),
  stat: (file) => fs.statSync(file),
  readlink: (file) => fs.readlinkSync(file),
  access: (dir) => fs.accessSync(dir, fs.constants.W_OK),
};

export const nodeAsyncPathOps: AsyncOps<PathOps> = {
  lstat: (file) => fs.promises.lstat(file),
  stat: (file) => fs.promises.stat(file),
  readlink: (file) => fs.promises.readlink(file),
  access: (dir) => fs.promises.access(dir, fs.constants.W_OK),
};

/** Linux's own limit on the links followed in one path (ELOOP beyond). */
const MAX_LINKS = 40;

const EXPECTED = 'a regular file, a link to one, or a new file in an existing folder';

/** Nothing at the path (or a part of the path that is not a folder). */
function isMissing(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}

function isDenied(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
}

/**
 * The file to write for `file`: itself, or the final target of the links it is; refuses (an
 * ArgumentRangeError about `argument`) what is not a regular file or a new one in a folder the
 * process may write in.
 */
export function* outputTarget(file: string, argument: string): Procedure<PathOps, string> {
  const refuse = (problem: string): ArgumentRangeError => new ArgumentRangeError({ argument, expected: EXPECTED, received: `'${file}', ${problem}` });
  let target = file;
  for (let links = 0; ; links++) {
    let stat: fs.Stats;
    try {
      stat = (yield { op: 'lstat', args: [target] }) as fs.Stats;
    } catch (error) {
      if (isMissing(error)) break;
      throw error;
    }
    if (stat.isSymbolicLink()) {
      if (links === MAX_LINKS) throw refuse(`a chain of more than ${MAX_LINKS} symbolic links`);
      target = path.resolve(path.dirname(target), (yield { op: 'readlink', args: [target] }) as string);
      continue;
    }
    if (!stat.isFile()) throw refuse(`${target === file ? '' : `a link to ${target}, `}${fileKind(stat)}`);
    break;
  }
  // The temporary file is made in the target's folder and renamed over the target.
  const folder = path.dirname(target);
  let stat: fs.Stats;
  try {
    stat = (yield { op: 'stat', args: [folder] }) as fs.Stats;
  } catch (error) {
    if (isMissing(error)) throw refuse(`whose folder ${folder} does not exist`);
    throw error;
  }
  if (!stat.isDirectory()) throw refuse(`whose folder ${folder} is ${fileKind(stat)}, not a folder`);
  try {
    yield { op: 'access', args: [folder] };
  } catch (error) {
    if (isDenied(error)) throw refuse(`whose folder ${folder} this process may not write in`);
    throw error;
  }
  return target;
}

/** outputTarget, now: for a check before long work (the CLI's output options). */
export function checkOutputPathSync(file: string, argument: string): string {
  return runSync(outputTarget(file, argument), nodePathOps);
}
