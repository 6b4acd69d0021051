/** Files that are not regular files, made for the tests that check the library refuses them. */
import { execFileSync, spawn } from 'node:child_process';
import * as fs from 'node:fs';

/** Makes a FIFO (named pipe) at `file`. */
export function makeFifo(file: string): void {
  execFileSync('mkfifo', [file]);
}

/**
 * Makes a FIFO at `file` with a writer process that opens it again and again, so that a reader
 * which blocks in open() (what the library must not do) meets a writer and goes on instead of
 * hanging the test. Returns a function that ends the writer.
 */
export function fifoWithWriter(file: string): () => void {
  makeFifo(file);
  const writer = spawn('sh', ['-c', 'while :; do printf x > "$1"; done', 'sh', file], { stdio: 'ignore' });
  return () => {
    writer.kill();
  };
}

/** A file of `bytes` bytes that takes no room on disk and no time to make (ftruncate leaves a hole). */
export function sparseFile(file: string, bytes: number): void {
  const fd = fs.openSync(file, 'w');
  try {
    fs.ftruncateSync(fd, bytes);
  } finally {
    fs.closeSync(fd);
  }
}
