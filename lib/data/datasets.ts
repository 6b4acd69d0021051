/** Loaders for the small real datasets the package ships in data/ (see data/README.md). */
import * as path from 'node:path';

import { DataFormatError } from '../errors';
import type { Tensor } from '../tensor';
import { loadCsv } from './csv';

const dataDir = path.resolve(__dirname, '..', '..', 'data');

/** The files of data/ by the names the command line's --data knows them: usable right after npm install. */
export const shippedDatasets: Readonly<Record<string, string>> = {
  digits: path.join(dataDir, 'digits.csv.gz'),
  'breast-cancer': path.join(dataDir, 'breast-cancer.csv'),
};

export interface Dataset {
  readonly x: Tensor;
  readonly y: Tensor;
}

const DIGIT_PIXELS = 64;
const DIGIT_MAX = 16;

/**
 * Optical Recognition of Handwritten Digits (UCI): 1797 images of 8x8 pixels. x is [1797, 64]
 * scaled to [0, 1]; y is [1797, 1], the digit 0..9.
 */
export function loadDigits(): Dataset {
  const file = shippedDatasets['digits'] as string;
  const { x, y } = loadCsv(file, { header: false });
  if (x.shape[1] !== DIGIT_PIXELS) throw new DataFormatError({ file }, `expected ${DIGIT_PIXELS} pixels and a label per line but found ${x.shape[1]} features`);
  for (let i = 0; i < x.data.length; i++) x.data[i] = (x.data[i] as number) / DIGIT_MAX;
  return { x, y };
}
