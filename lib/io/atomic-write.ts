/**
 * Atomic replacement of a file: the bytes go to a temporary file in the same folder (so the
 * rename stays on one file system), which is fsynced, renamed over the target, and the folder
 * fsynced so the rename itself survives a crash. On any failure the temporary file is removed
 * and the target is left as it was: a reader sees the old file or the new one, never a mix.
 *
 * The target is checked first (output-path.ts): a symbolic link is followed, and its final
 * target is the file replaced (the temporary file goes in that target's folder), so the link
 * stays; a FIFO, a device or a directory is refused, never replaced. Errors name the path the
 * caller gave, never the temporary file.
 *
 * The procedure is written once, as a generator of file operations (file-steps.ts); a sync and an
 * async driver run it with node:fs or node:fs/promises (or, in tests, with operations that fail
 * part-way).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';

import { runAsync, runSync, type AsyncOps, type Procedure } from './file-steps';
import { nodeAsyncPathOps, nodePathOps, outputTarget, type PathOps } from './output-path';

/** The file operations the writer uses (those of the target's check, then its own). @internal */
export interface FileOps extends PathOps {
  /** Creates a new file (failing if it exists) and returns its descriptor. */
  open(file: string): number;
  /** Writes some of data; returns how many bytes. */
  write(fd: number, data: Uint8Array): number;
  fsync(fd: number): void;
  close(fd: number): void;
  rename(from: string, to: string): void;
  unlink(file: string): void;
  /** fsyncs a folder, where the system allows it. */
  syncDirectory(dir: string): void;
}

/** FileOps whose operations return promises. @internal */
export type AsyncFileOps = AsyncOps<FileOps>;

/** Folders cannot be opened or fsynced everywhere (Windows, some file systems): the rename is done regardless. */
function ignoreDirectorySyncError(error: unknown): void {
  const code = (error as { code?: unknown }).code;
  if (code !== 'EISDIR' && code !== 'EINVAL' && code !== 'EPERM' && code !== 'EACCES' && code !== 'ENOTSUP') throw error;
}

export const nodeFileOps: FileOps = {
  ...nodePathOps,
  open: (file) => fs.openSync(file, 'wx', 0o644),
  write: (fd, data) => fs.writeSync(fd, data),
  fsync: (fd) => fs.fsyncSync(fd),
  close: (fd) => fs.closeSync(fd),
  rename: (from, to) => fs.renameSync(from, to),
  unlink: (file) => fs.unlinkSync(file),
  syncDirectory: (dir) => {
    try {
      const fd = fs.openSync(dir, 'r');
      try {
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    } catch (error) {
      ignoreDirectorySyncError(error);
    }
  },
};

const openAsync = promisify(fs.open);
const writeAsync = promisify(fs.write);
const fsyncAsync = promisify(fs.fsync);
const closeAsync = promisify(fs.close);

export const nodeAsyncFileOps: AsyncFileOps = {
  ...nodeAsyncPathOps,
  open: (file) => openAsync(file, 'wx', 0o644),
  write: async (fd, data) => (await writeAsync(fd, data)).bytesWritten,
  fsync: (fd) => fsyncAsync(fd),
  close: (fd) => closeAsync(fd),
  rename: (from, to) => fs.promises.rename(from, to),
  unlink: (file) => fs.promises.unlink(file),
  syncDirectory: async (dir) => {
    try {
      const handle = await fs.promises.open(dir, 'r');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
    } catch (error) {
      ignoreDirectorySyncError(error);
    }
  },
};

/** A name next to `target` that no other writer (process or call) picks. */
function temporaryName(target: string): string {
  const random = Math.floor(Math.random() * 0x100000000).toString(16).padStart(8, '0');
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${random}.tmp`);
}

/**
 * A system error while writing, told about the file the caller named: where its message or
 * `path` names the temporary file, they name the target instead, and a message that does not
 * name the target gets it appended in Node's manner ("ENOSPC: no space left on device, write
 * 'model.myelin'"). The caller never learns the temporary file's name.
 */
function aboutTarget(error: unknown, temporary: string, target: string): unknown {
  if (!(error instanceof Error) || typeof (error as NodeJS.ErrnoException).code !== 'string') return error;
  const system = error as NodeJS.ErrnoException;
  system.message = system.message.split(temporary).join(target);
  if (!system.message.includes(`'${target}'`)) system.message += ` '${target}'`;
  system.path = target;
  return error;
}

/** The procedure; each yield is one file operation, resumed with its result (or its error thrown in). */
function* procedure(target: string, chunks: readonly Uint8Array[]): Procedure<FileOps, void> {
  const file = yield* outputTarget(target, 'path');
  const temporary = temporaryName(file);
  let fd: number;
  try {
    fd = (yield { op: 'open', args: [temporary] }) as number;
  } catch (error) {
    throw aboutTarget(error, temporary, target);
  }
  let open = true;
  try {
    for (const chunk of chunks) {
      let written = 0;
      while (written < chunk.length) written += (yield { op: 'write', args: [fd, chunk.subarray(written)] }) as number;
    }
    yield { op: 'fsync', args: [fd] };
    open = false;
    yield { op: 'close', args: [fd] };
    yield { op: 'rename', args: [temporary, file] };
  } catch (error) {
    if (open) {
      try {
        yield { op: 'close', args: [fd] };
      } catch {
        // The first error is the one to report.
      }
    }
    try {
      yield { op: 'unlink', args: [temporary] };
    } catch {
      // Never created, or already gone: nothing to clean.
    }
    throw aboutTarget(error, temporary, target);
  }
  yield { op: 'syncDirectory', args: [path.dirname(file)] };
}

/** Writes the chunks, in order, to `target` atomically (see the file header). */
export function atomicWriteSync(target: string, chunks: readonly Uint8Array[], ops: FileOps = nodeFileOps): void {
  runSync(procedure(target, chunks), ops);
}

/** atomicWriteSync with non-blocking file operations. */
export function atomicWrite(target: string, chunks: readonly Uint8Array[], ops: AsyncFileOps = nodeAsyncFileOps): Promise<void> {
  return runAsync(procedure(target, chunks), ops);
}
