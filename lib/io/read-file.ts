/**
 * Reading a whole input file (a model, a CSV or IDX file) safely: the path is opened once, with
 * O_NONBLOCK so that opening a FIFO returns at once instead of waiting for a writer, and the
 * descriptor is fstat-ed before anything is read: only a regular file of at most `maxBytes` is
 * read, from that same descriptor (no window between a check and an open). /dev/zero, a FIFO, a
 * directory or a file past the limit is refused with the caller's error. The bytes are read in
 * chunks into one buffer, since fs.readFile stops at 2 GiB and a model file may reach 4 GiB.
 */
import * as fs from 'node:fs';
import { promisify } from 'node:util';

import { formatBytes } from '../limits';
import { fileKind } from './file-kind';
import { runAsync, runSync, type AsyncOps, type Procedure } from './file-steps';

/** The operations the reader uses. */
interface ReadOps {
  /** Opens for reading without blocking (on a FIFO) and returns the descriptor. */
  open(file: string): number;
  fstat(fd: number): fs.Stats;
  /** Reads up to `length` bytes at `position` into buffer[offset...]; returns how many (0 at the end). */
  read(fd: number, buffer: Uint8Array, offset: number, length: number, position: number): number;
  close(fd: number): void;
}

/** Windows has no O_NONBLOCK (and no FIFOs to open by path). */
const READ_FLAGS = fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0);

/** The most bytes asked of one read call (the system's limit is 2 GiB - 1). */
const CHUNK_BYTES = 64 * 2 ** 20;

const nodeReadOps: ReadOps = {
  open: (file) => fs.openSync(file, READ_FLAGS),
  fstat: (fd) => fs.fstatSync(fd),
  read: (fd, buffer, offset, length, position) => fs.readSync(fd, buffer, offset, length, position),
  close: (fd) => fs.closeSync(fd),
};

const openAsync = promisify(fs.open);
const fstatAsync = promisify(fs.fstat);
const readAsync = promisify(fs.read);
const closeAsync = promisify(fs.close);

const nodeAsyncReadOps: AsyncOps<ReadOps> = {
  open: (file) => openAsync(file, READ_FLAGS),
  fstat: (fd) => fstatAsync(fd),
  read: async (fd, buffer, offset, length, position) => (await readAsync(fd, buffer, offset, length, position)).bytesRead,
  close: (fd) => closeAsync(fd),
};

/** Builds the error for a file that is refused, from what is wrong with it ('not a regular file (a FIFO)'). */
export type Refusal = (problem: string) => Error;

function* reading(file: string, maxBytes: number, refuse: Refusal): Procedure<ReadOps, Buffer> {
  const fd = (yield { op: 'open', args: [file] }) as number;
  let bytes: Buffer;
  try {
    const stat = (yield { op: 'fstat', args: [fd] }) as fs.Stats;
    if (!stat.isFile()) throw refuse(`not a regular file (${fileKind(stat)})`);
    if (stat.size > maxBytes) throw refuse(`${stat.size} bytes, more than the limit of ${formatBytes(maxBytes)}`);
    bytes = Buffer.allocUnsafe(stat.size);
    let filled = 0;
    while (filled < bytes.length) {
      const count = (yield { op: 'read', args: [fd, bytes, filled, Math.min(CHUNK_BYTES, bytes.length - filled), filled] }) as number;
      // The file shrank since fstat: what was read is the file.
      if (count === 0) break;
      filled += count;
    }
    bytes = bytes.subarray(0, filled);
  } catch (error) {
    try {
      yield { op: 'close', args: [fd] };
    } catch {
      // The first error is the one to report.
    }
    throw error;
  }
  yield { op: 'close', args: [fd] };
  return bytes;
}

/** The bytes of `file`, a regular file of at most `maxBytes`; anything else is refused with refuse(problem). */
export function readRegularFileSync(file: string, maxBytes: number, refuse: Refusal): Buffer {
  return runSync(reading(file, maxBytes, refuse), nodeReadOps);
}

/** readRegularFileSync with non-blocking file operations. */
export function readRegularFile(file: string, maxBytes: number, refuse: Refusal): Promise<Buffer> {
  return runAsync(reading(file, maxBytes, refuse), nodeAsyncReadOps);
}
