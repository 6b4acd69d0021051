/** The readers' one way to report a bad config: the builder's argument error, as a ModelFormatError about the file and the entry. */
import { ArgumentRangeError, ArgumentTypeError, ModelFormatError } from '../errors';

/** Runs `make`, turning an argument error (a bad config) into a ModelFormatError about `where` in `source`. */
export function asFormatError<T>(source: string, where: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof ArgumentTypeError || error instanceof ArgumentRangeError) throw new ModelFormatError(source, `${where}: ${error.message}`, { cause: error });
    throw error;
  }
}
