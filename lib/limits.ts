/**
 * The largest things myelin accepts, in one place, so that the constructors, the loaders and the
 * README's "Limits" paragraph agree. A size past one of these is refused with an
 * ArgumentRangeError (or a ModelFormatError for a file) before anything is allocated, instead of
 * failing later inside V8 ("Array buffer allocation failed") or the kernels.
 */
import * as os from 'node:os';

/**
 * The most floats in one buffer: the kernels index rows and columns with 32-bit ints, so one
 * weight matrix, one arena and one batch's activations each stay below 2^31 floats (8 GiB).
 */
export const MAX_BUFFER_FLOATS = 2 ** 31 - 1;

/** The most bytes a model's or a call's buffers may take together: the machine's memory. */
export const MEMORY_BUDGET_BYTES = os.totalmem();

/** The most layers in one model: a loader's work grows with them, and no network needs more. */
export const MAX_LAYERS = 10_000;

/** The largest model file the loaders read (checked with fstat before reading). */
export const MAX_MODEL_FILE_BYTES = 4 * 2 ** 30;

/** The longest CSV text, after gunzip: V8's longest string (buffer.constants.MAX_STRING_LENGTH). */
export const MAX_CSV_BYTES = 0x1fffffe8;

/** The largest IDX file, after gunzip. */
export const MAX_IDX_BYTES = 2 * 2 ** 30;

/** The most requests one batch of serving.batcher gathers. */
export const MAX_BATCHER_BATCH = 65_536;

/** Bytes as a person reads them: '512 B', '3.8 MiB', '4.0 GiB'. */
export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1)} ${units[unit]}`;
}
