/**
 * Fuzzing the model reader with fast-check: truncations, byte flips, preamble edits and header
 * edits (JSON mutations re-sealed with a fresh checksum, so they get past it to the validation),
 * of a Sequential's file and of a graph model's (its graph and per-output compile config).
 * Every case must load a valid model or throw ModelFormatError: never another error, a crash, a
 * hang or an allocation beyond the file's size.
 */
import { expect } from 'chai';
import fc from 'fast-check';

import * as my from '../../lib/index';
import { decodeContainer, encodeContainer } from '../../lib/io/container';
import { crc32 } from '../../lib/io/crc32';
import { decodeModel, encodeModel } from '../../lib/io/model-file';
import { randomArray, randomClasses } from '../helpers/data';

const FILE = 'fuzz.myelin';

/** A small checkpoint with every section: topology with state (batch norm), compile config, Nadam's slots and scalar, training state. */
function seedFile(): Buffer {
  my.seed(11);
  const model = my.sequential([
    my.layers.dense({ inputShape: [3], units: 4, activation: 'relu', kernelRegularizer: 'l2' }),
    my.layers.batchNormalization(),
    my.layers.dense({ units: 2, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: my.optimizers.nadam({ learningRate: my.schedules.stepDecay({ initialLearningRate: 0.1, dropEvery: 2, factor: 0.5 }) }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  model.trainOnBatch(new my.Tensor(randomArray(15, 1), [5, 3]), Array.from(randomClasses(5, 2, 2)));
  return Buffer.concat(encodeModel(model, { includeOptimizer: true }, { nextEpoch: 3, random: { words: [1, 2, 3, 4], spareNormal: 0.5 } }));
}

/**
 * A small graph checkpoint: two inputs, a Dense shared by both, a merge with batch normalization
 * after it, two outputs with a loss, weight and metrics each (format version 2's topology and
 * compile config).
 */
function graphSeedFile(): Buffer {
  my.seed(12);
  const a = my.input({ shape: [3], name: 'a' });
  const b = my.input({ shape: [2], name: 'b' });
  const shared = my.layers.dense({ units: 3, activation: 'tanh', name: 'shared' });
  const lifted = my.layers.dense({ units: 3, name: 'lift' }).apply(b);
  const merged = my.layers.batchNormalization({ name: 'bn' }).apply(my.layers.add({ name: 'sum' }).apply([shared.apply(a), shared.apply(lifted)]));
  const cls = my.layers.dense({ units: 2, activation: 'softmax', name: 'cls' }).apply(my.layers.concatenate({ name: 'cat' }).apply([merged, a]));
  const reg = my.layers.dense({ units: 1, name: 'reg' }).apply(merged);
  const model = my.model({ inputs: [a, b], outputs: [cls, reg], name: 'g' });
  model.compile({ optimizer: 'adam', loss: { cls: 'sparseCategoricalCrossentropy', reg: 'meanSquaredError' }, lossWeights: [1, 0.5], metrics: [['accuracy'], ['mae']] });
  model.trainOnBatch([new my.Tensor(randomArray(15, 3), [5, 3]), new my.Tensor(randomArray(10, 4), [5, 2])], [Array.from(randomClasses(5, 2, 5)), new my.Tensor(randomArray(5, 6), [5, 1])]);
  return Buffer.concat(encodeModel(model, { includeOptimizer: true }, { nextEpoch: 1, random: { words: [5, 6, 7, 8], spareNormal: null } }));
}

const SEED = seedFile();
const { header: HEADER, body: BODY } = decodeContainer(SEED, FILE);
const GRAPH_SEED = graphSeedFile();
const { header: GRAPH_HEADER, body: GRAPH_BODY } = decodeContainer(GRAPH_SEED, FILE);

/** Loads, or throws ModelFormatError; anything else fails the property with the case's error. */
function loadsOrRefuses(bytes: Uint8Array): void {
  try {
    decodeModel(bytes, FILE, {});
  } catch (error) {
    if (!(error instanceof my.ModelFormatError)) throw error;
    expect(error.message.startsWith(`${FILE}: `)).to.equal(true);
  }
}

/** The bytes of a file with `header` and the seed's body, sealed with a correct checksum. */
function reseal(header: unknown, body: Uint8Array = BODY): Buffer {
  const floats = new Float32Array(Math.floor(body.length / 4));
  new Uint8Array(floats.buffer).set(body.subarray(0, floats.length * 4));
  return Buffer.concat(encodeContainer(header, [floats]));
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** Every path into a JSON value: [] is the root. */
function paths(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  const here = [prefix];
  if (Array.isArray(value)) return here.concat(...value.map((v, i) => paths(v, [...prefix, i])));
  if (value !== null && typeof value === 'object') return here.concat(...Object.entries(value).map(([k, v]) => paths(v, [...prefix, k])));
  return here;
}

type Edit = 'replace' | 'delete' | 'add';

/** A copy of `root` with the value at `path` replaced, deleted, or given a new key / element. */
function mutate(root: Json, path: (string | number)[], edit: Edit, value: Json): Json {
  const copy = structuredClone(root) as Json;
  if (path.length === 0) return edit === 'replace' ? value : copy;
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1] as string | number;
  const target = parent[last];
  if (edit === 'replace') parent[last] = value;
  else if (edit === 'delete') {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else if (Array.isArray(target)) target.push(value);
  else if (target !== null && typeof target === 'object') target['extra'] = value;
  else parent[last] = [target ?? null, value];
  return copy;
}

/** Values that probe the checks: boundaries, wrong kinds, huge sizes, names of real things. */
const probe: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(-1, 0, 1, 2, 3, 0.5, 1e9, 2 ** 31, 2 ** 32, 2 ** 53, -0, 1e308, '', 'Dense', 'BatchNormalization', 'Adam', 'kernel', 'dense_1', null, true, false, [], {}, [1], [1e9, 1e9]),
  fc.jsonValue({ maxDepth: 2 }) as fc.Arbitrary<Json>,
);

const RUNS = { numRuns: 1000 };

describe('the model reader under fuzzing', function () {
  this.timeout(60_000);
  const allPaths = paths(HEADER as Json);

  it('loads the untouched file (the cases below start from a valid one)', () => {
    expect(decodeModel(SEED, FILE, {}).model.layers).to.have.length(3);
  });

  it('refuses every truncation with ModelFormatError', () => {
    fc.assert(fc.property(fc.nat(SEED.length - 1), (end) => {
      expect(() => decodeModel(SEED.subarray(0, end), FILE, {})).to.throw(my.ModelFormatError);
    }), RUNS);
  });

  it('refuses every byte flip with ModelFormatError', () => {
    fc.assert(fc.property(fc.nat(SEED.length - 1), fc.integer({ min: 1, max: 255 }), (at, xor) => {
      const bytes = Buffer.from(SEED);
      bytes[at] = (bytes[at] as number) ^ xor;
      expect(() => decodeModel(bytes, FILE, {})).to.throw(my.ModelFormatError);
    }), RUNS);
  });

  it('survives preamble edits and appended or removed body bytes, checksum recomputed', () => {
    fc.assert(fc.property(fc.nat(15), fc.integer({ min: 0, max: 255 }), fc.integer({ min: -12, max: 12 }), (at, byte, bodyDelta) => {
      const body = bodyDelta >= 0 ? Buffer.concat([BODY, Buffer.alloc(bodyDelta * 4, 7)]) : BODY.subarray(0, BODY.length + bodyDelta * 4);
      const bytes = reseal(HEADER, body);
      bytes[at] = byte;
      // The checksum covers the preamble: recompute it so the edit meets the preamble's own checks.
      bytes.writeUInt32LE(crc32(bytes.subarray(0, bytes.length - 4)), bytes.length - 4);
      loadsOrRefuses(bytes);
    }), RUNS);
  });

  it('survives header edits re-sealed with a valid checksum: loads or throws ModelFormatError', () => {
    fc.assert(fc.property(fc.nat(allPaths.length - 1), fc.constantFrom<Edit>('replace', 'delete', 'add'), probe, (index, edit, value) => {
      loadsOrRefuses(reseal(mutate(HEADER as Json, allPaths[index] as (string | number)[], edit, value)));
    }), { numRuns: 3000 });
  });

  it('survives two header edits at once', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.nat(allPaths.length - 1), fc.constantFrom<Edit>('replace', 'delete', 'add'), probe), { minLength: 2, maxLength: 2 }), (edits) => {
      let header = HEADER as Json;
      for (const [index, edit, value] of edits) {
        const valid = paths(header);
        header = mutate(header, valid[index % valid.length] as (string | number)[], edit, value);
      }
      loadsOrRefuses(reseal(header));
    }), RUNS);
  });

  describe('a graph model (format version 2)', () => {
    const graphPaths = paths(GRAPH_HEADER as Json);

    it('loads the untouched file', () => {
      expect(decodeModel(GRAPH_SEED, FILE, {}).model.outputNames).to.deep.equal(['cls', 'reg']);
    });

    it('survives header edits of its graph and per-output compile config, re-sealed: loads or throws ModelFormatError', () => {
      // Edits where the graph and compile config are, most of the paths: the rest is the Sequential's case above.
      const graphOnly = graphPaths.filter((p) => p[0] === 'topology' || p[0] === 'compile');
      fc.assert(fc.property(fc.nat(graphOnly.length - 1), fc.constantFrom<Edit>('replace', 'delete', 'add'), fc.oneof(probe, fc.constantFrom<Json>(['a', 0, 0], ['shared', 1, 0], ['cls', 0, 0], 'InputLayer', 'Add', 'Functional', [[['a', 0, 0]]])), (index, edit, value) => {
        loadsOrRefuses(reseal(mutate(GRAPH_HEADER as Json, graphOnly[index] as (string | number)[], edit, value), GRAPH_BODY));
      }), { numRuns: 2000 });
    });

    it('survives two edits at once, and swapped references', () => {
      // topology.config.layers[i].inboundNodes[j][k]: each tensor an application reads.
      const refs = graphPaths.filter((p) => p.length === 7 && p[4] === 'inboundNodes');
      expect(refs.length).to.be.above(8);
      fc.assert(fc.property(fc.nat(refs.length - 1), fc.nat(refs.length - 1), fc.array(fc.tuple(fc.nat(graphPaths.length - 1), fc.constantFrom<Edit>('replace', 'delete', 'add'), probe), { maxLength: 1 }), (i, j, edits) => {
        // Two tensor references exchanged: shapes that no longer fit, cycles, layers left unused.
        let header = structuredClone(GRAPH_HEADER) as Json;
        const get = (root: Json, p: (string | number)[]): Json => p.reduce<Json>((v, k) => (v as Record<string | number, Json>)[k] as Json, root);
        const first = get(header, refs[i] as (string | number)[]);
        const second = get(header, refs[j] as (string | number)[]);
        header = mutate(mutate(header, refs[i] as (string | number)[], 'replace', second), refs[j] as (string | number)[], 'replace', first);
        for (const [index, edit, value] of edits) {
          const valid = paths(header);
          header = mutate(header, valid[index % valid.length] as (string | number)[], edit, value);
        }
        loadsOrRefuses(reseal(header, GRAPH_BODY));
      }), RUNS);
    });
  });

  it('names the fault: a header claiming gigabytes, a wrong magic, a newer version', () => {
    const huge = Buffer.from(SEED);
    huge.writeUInt32LE(0xfffffff0, 12);
    expect(() => decodeModel(huge, FILE, {})).to.throw(my.ModelFormatError, /^fuzz\.myelin: the header claims 4294967280 bytes, more than the limit/);
    expect(() => decodeModel(Buffer.from('PK\x03\x04 a zip file'), FILE, {})).to.throw(my.ModelFormatError, /not a myelin model file/);
    const newer = Buffer.from(SEED);
    newer.writeUInt32LE(3, 8);
    expect(() => decodeModel(newer, FILE, {})).to.throw(my.ModelFormatError, /format version 3, but this myelin reads versions 1 to 2: upgrade/);
    const flipped = Buffer.from(SEED);
    flipped[SEED.length - 10] = (flipped[SEED.length - 10] as number) ^ 1;
    expect(() => decodeModel(flipped, FILE, {})).to.throw(my.ModelFormatError, /damaged: the checksum/);
    const units = mutate(HEADER as Json, ['topology', 0, 'config', 'units'], 'replace', 100000);
    expect(() => decodeModel(reseal(units), FILE, {})).to.throw(my.ModelFormatError, /the topology has \d+ trainable/);
    const shape = mutate(HEADER as Json, ['weights', 0, 'shape', 0], 'replace', 'x');
    expect(() => decodeModel(reseal(shape), FILE, {})).to.throw(my.ModelFormatError, /header\.weights\[0\]\.shape\[0\] should be an integer/);
  });
});
