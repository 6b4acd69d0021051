/** Loaders for the small real datasets the package ships in data/ (see data/README.md). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';

import { MyelinError } from '../errors';
import { Tensor } from '../tensor';

const dataDir = path.resolve(__dirname, '..', '..', 'data');

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
  const file = path.join(dataDir, 'digits.csv.gz');
  const lines = zlib.gunzipSync(fs.readFileSync(file)).toString('utf8').trim().split('\n');
  const x = new Float32Array(lines.length * DIGIT_PIXELS);
  const y = new Float32Array(lines.length);
  lines.forEach((line, r) => {
    const values = line.split(',').map(Number);
    if (values.length !== DIGIT_PIXELS + 1 || values.some((v) => !Number.isFinite(v))) {
      throw new MyelinError(`${file} line ${r + 1}: expected ${DIGIT_PIXELS + 1} numbers but found '${line.slice(0, 60)}'`);
    }
    for (let j = 0; j < DIGIT_PIXELS; j++) x[r * DIGIT_PIXELS + j] = (values[j] as number) / DIGIT_MAX;
    y[r] = values[DIGIT_PIXELS] as number;
  });
  return { x: new Tensor(x, [lines.length, DIGIT_PIXELS]), y: new Tensor(y, [lines.length, 1]) };
}
