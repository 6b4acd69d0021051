/**
 * The graph model the io tests save and load: two inputs, a Dense shared by both branches, a
 * merge, batch normalization, dropout, and two outputs. Its data, deterministic per seed.
 */
import * as my from '../../lib/index';
import { randomArray, randomClasses } from './data';

/**
 * x (4 features) and z (3) -> lift(z) to 4 -> `shared` applied to x and to lift(z) -> add ->
 * batch normalization -> dropout -> cls (3 classes, softmax, on it concatenated with shared(x))
 * and reg (2 values, linear).
 */
export function twoHeadModel(seed = 5, name = 'two_heads'): my.Functional {
  my.seed(seed);
  const x = my.input({ shape: [4], name: 'x' });
  const z = my.input({ shape: [3], name: 'z' });
  const lifted = my.layers.dense({ units: 4, activation: 'tanh', name: 'lift' }).apply(z);
  const shared = my.layers.dense({ units: 6, activation: 'relu', name: 'shared' });
  const fromX = shared.apply(x);
  const fromZ = shared.apply(lifted);
  const sum = my.layers.add({ name: 'sum' }).apply([fromX, fromZ]);
  const normed = my.layers.batchNormalization({ name: 'bn' }).apply(sum);
  const dropped = my.layers.dropout({ rate: 0.25, name: 'drop' }).apply(normed);
  const cls = my.layers.dense({ units: 3, activation: 'softmax', name: 'cls' }).apply(my.layers.concatenate({ name: 'cat' }).apply([dropped, fromX]));
  const reg = my.layers.dense({ units: 2, name: 'reg' }).apply(dropped);
  return my.model({ inputs: [x, z], outputs: [cls, reg], name });
}

export interface TwoHeadData {
  readonly x: my.Tensor;
  readonly z: my.Tensor;
  readonly cls: my.Tensor;
  readonly reg: my.Tensor;
}

/** n samples for twoHeadModel: inputs x and z, class labels for cls, targets for reg. */
export function twoHeadData(n: number, seed: number): TwoHeadData {
  return {
    x: new my.Tensor(randomArray(n * 4, seed), [n, 4]),
    z: new my.Tensor(randomArray(n * 3, seed + 1), [n, 3]),
    cls: new my.Tensor(randomClasses(n, 3, seed + 2), [n, 1]),
    reg: new my.Tensor(randomArray(n * 2, seed + 3), [n, 2]),
  };
}

/** Every weight's bytes, in getWeights() order: equal buffers are bit-identical weights. */
export function weightBytes(model: my.Model): Buffer {
  return Buffer.concat(model.getWeights().map((w) => Buffer.from(w.data.buffer, w.data.byteOffset, w.data.byteLength)));
}

/** A tensor's bytes, to compare predictions bit for bit. */
export function tensorBytes(t: my.Tensor): Buffer {
  return Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength);
}
