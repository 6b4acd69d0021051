/**
 * Fashion-MNIST (Xiao, Rasul & Vollgraf, 2017): 70000 grayscale 28x28 images of clothing in 10
 * classes, as Debian's dataset-fashion-mnist package installs them (IDX files, gzip-compressed).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { ArgumentTypeError, DataFormatError, MyelinError } from '../errors';
import type { Tensor } from '../tensor';
import { describe, knownOptions, plainObject } from '../validate';
import { loadIdx } from './idx';

export interface LoadFashionMnistArgs {
  /** Where the four IDX files are (default /usr/share/datasets/fashion-mnist). */
  dir?: string;
}

export interface FashionMnist {
  /** [60000, 784] pixels scaled to [0, 1]. */
  readonly xTrain: Tensor;
  /** [60000, 1] class indices 0..9. */
  readonly yTrain: Tensor;
  /** [10000, 784] pixels scaled to [0, 1]. */
  readonly xTest: Tensor;
  /** [10000, 1] class indices 0..9. */
  readonly yTest: Tensor;
  /** The names of classes 0..9. */
  readonly classes: string[];
}

const DEFAULT_DIR = '/usr/share/datasets/fashion-mnist';
const PIXEL_MAX = 255;
const classes = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];
const files = {
  xTrain: 'train-images-idx3-ubyte.gz',
  yTrain: 'train-labels-idx1-ubyte.gz',
  xTest: 't10k-images-idx3-ubyte.gz',
  yTest: 't10k-labels-idx1-ubyte.gz',
};

function images(file: string): Tensor {
  const x = loadIdx(file);
  for (let i = 0; i < x.data.length; i++) x.data[i] = (x.data[i] as number) / PIXEL_MAX;
  return x;
}

function samePairs(x: Tensor, y: Tensor, file: string): void {
  if (x.shape[0] !== y.shape[0]) throw new DataFormatError({ file }, `expected ${x.shape[0]} labels, one per image, but found ${y.shape[0]}`);
}

/** Loads Fashion-MNIST's training and test sets from `dir`. */
export function loadFashionMnist(args?: LoadFashionMnistArgs): FashionMnist {
  const o = args === undefined ? {} : plainObject(args, 'args');
  knownOptions(o, 'args', ['dir']);
  const dir = o['dir'] ?? DEFAULT_DIR;
  if (typeof dir !== 'string') throw new ArgumentTypeError({ argument: 'dir', expected: 'a directory path (string)', received: describe(dir) });
  const missing = Object.values(files).filter((f) => !fs.existsSync(path.join(dir, f)));
  if (missing.length > 0) {
    throw new MyelinError(
      `Fashion-MNIST is not in ${dir} (missing ${missing.join(', ')}). On Debian or Ubuntu install it with ` +
        "'sudo apt-get install dataset-fashion-mnist', or pass { dir } naming a directory with the four IDX files.",
    );
  }
  const at = (f: string): string => path.join(dir, f);
  const data = {
    xTrain: images(at(files.xTrain)),
    yTrain: loadIdx(at(files.yTrain)),
    xTest: images(at(files.xTest)),
    yTest: loadIdx(at(files.yTest)),
  };
  samePairs(data.xTrain, data.yTrain, at(files.yTrain));
  samePairs(data.xTest, data.yTest, at(files.yTest));
  return { ...data, classes: [...classes] };
}
