/**
 * Issue 12, model files read as an attacker writes them: every loader step linear in the file's
 * size with at most MAX_LAYERS layers, only regular files of bounded size, and every value
 * within the rules of the layer that owns it.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as my from '../../lib/index';
import { MAX_LAYERS, MAX_MODEL_FILE_BYTES } from '../../lib/limits';
import { decodeContainer } from '../../lib/io/container';
import type { WeightEntry } from '../../lib/io/header';
import { denseChainFile, withBodyFloat } from '../helpers/model-file';
import { escapeRegExp } from '../helpers/regexp';
import { rejects } from '../helpers/rejects';
import { fifoWithWriter, sparseFile } from '../helpers/special-files';

/** The CPU time `work` takes, in ms: unlike the time on the clock, it does not grow when other processes share the cores. */
function cpuMs(work: () => void): number {
  const start = process.cpuUsage();
  work();
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

describe('reliability: model files', function () {
  this.timeout(30_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-model-files-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  describe('item 5: loading is linear in the number of layers, up to MAX_LAYERS', () => {
    it('item 5: loads MAX_LAYERS one-unit layers in about 4 times the CPU time of a quarter of them (not 16)', () => {
      const quarter = path.join(dir, 'quarter.myelin');
      const full = path.join(dir, 'full.myelin');
      fs.writeFileSync(quarter, denseChainFile(MAX_LAYERS / 4));
      fs.writeFileSync(full, denseChainFile(MAX_LAYERS));
      const loaded = my.loadModelSync(full);
      expect(loaded.layers).to.have.length(MAX_LAYERS);
      // Every layer is y = 0.5 x + 0.5, whose fixed point is 1.
      expect(Array.from((loaded.predict([[1]]) as my.Tensor).data)).to.deep.equal([1]);
      // The least of 4 runs each, taken in turns: what other work on the machine disturbed least.
      let small = Infinity;
      let large = Infinity;
      for (let run = 0; run < 4; run++) {
        small = Math.min(small, cpuMs(() => my.loadModelSync(quarter)));
        large = Math.min(large, cpuMs(() => my.loadModelSync(full)));
      }
      // Linear work gives about 4 times; the quadratic code took 9 times and more.
      expect(large / small, `${MAX_LAYERS / 4} layers in ${small.toFixed(0)} ms, ${MAX_LAYERS} in ${large.toFixed(0)} ms`).to.be.below(6);
    });

    it('item 5: refuses a file of MAX_LAYERS + 1 layers with a ModelFormatError naming the file, before building them', () => {
      const file = path.join(dir, 'too-many.myelin');
      fs.writeFileSync(file, denseChainFile(MAX_LAYERS + 1));
      const start = performance.now();
      expect(() => my.loadModelSync(file)).to.throw(my.ModelFormatError, new RegExp(`^${escapeRegExp(file)}: header\\.topology should be an array of at most ${MAX_LAYERS} entries but is an array of length ${MAX_LAYERS + 1}$`));
      expect(performance.now() - start).to.be.below(1000);
      const json = { formatVersion: 1, myelinVersion: '0.1.0', topology: Array.from({ length: MAX_LAYERS + 1 }, () => ({ className: 'Activation', config: {} })), compile: null };
      expect(() => my.modelFromJSON(json)).to.throw(my.ModelFormatError, /^JSON: json\.topology should be an array of at most 10000 entries/);
    });

    it('item 5: sequential() and model.add() refuse more than MAX_LAYERS layers, as the reader does', () => {
      const layers = [my.layers.dense({ inputShape: [1], units: 1 }), ...Array.from({ length: MAX_LAYERS - 1 }, () => my.layers.activation({ activation: 'relu' }))];
      const model = my.sequential(layers);
      expect(model.layers).to.have.length(MAX_LAYERS);
      expect(() => model.add(my.layers.dense({ units: 1, name: 'one_too_many' }))).to.throw(my.ArgumentRangeError, /^Expected at most 10000 layers in a model for layer but received 'one_too_many', which would be layer 10001$/);
      expect(model.layers).to.have.length(MAX_LAYERS);
      const tooMany = [my.layers.dense({ inputShape: [1], units: 1 }), ...Array.from({ length: MAX_LAYERS }, () => my.layers.activation({ activation: 'relu' }))];
      expect(() => my.sequential(tooMany)).to.throw(my.ArgumentRangeError, /at most 10000 layers in a model for layer .* layer 10001$/);
    });

    it('item 5: a layer config of 300,000 keys is refused at once, not compared key by key with every other', () => {
      const config: Record<string, number> = { units: 1, inputShape: [1] as unknown as number };
      for (let i = 0; i < 300_000; i++) config[`k${i}`] = 0;
      const header = { formatVersion: 1, myelinVersion: '0.1.0', topology: [{ className: 'Dense', config }], compile: null };
      const start = performance.now();
      expect(() => my.modelFromJSON(header)).to.throw(my.ModelFormatError, /topology\[0\] \(Dense\).*unknown option 'k0'/);
      expect(performance.now() - start).to.be.below(2000);
    });
  });

  describe('item 6: only a regular file of at most MAX_MODEL_FILE_BYTES is read', () => {
    /** Each loader's error for `file`: loadModelSync, loadModel and loadCheckpoint. */
    async function everyLoader(file: string): Promise<Error[]> {
      let sync: Error | null = null;
      try {
        my.loadModelSync(file);
      } catch (error) {
        sync = error as Error;
      }
      expect(sync, 'loadModelSync throws').to.not.equal(null);
      return [sync as Error, await rejects(my.loadModel(file)), await rejects(my.loadCheckpoint(file))];
    }

    async function expectRefused(file: string, problem: RegExp): Promise<void> {
      for (const error of await everyLoader(file)) {
        expect(error).to.be.instanceOf(my.ModelFormatError);
        expect(error.message).to.match(new RegExp(`^${escapeRegExp(file)}: ${problem.source}$`));
      }
    }

    it('item 6: refuses /dev/zero and a symlink to it, naming the path given', async () => {
      await expectRefused('/dev/zero', /not a regular file \(a character device\)/);
      const link = path.join(dir, 'zero.myelin');
      fs.symlinkSync('/dev/zero', link);
      await expectRefused(link, /not a regular file \(a character device\)/);
    });

    it('item 6: refuses a FIFO at once instead of waiting for a writer', async () => {
      const fifo = path.join(dir, 'pipe.myelin');
      const stopWriter = fifoWithWriter(fifo);
      try {
        const start = performance.now();
        await expectRefused(fifo, /not a regular file \(a FIFO\)/);
        expect(performance.now() - start).to.be.below(1000);
      } finally {
        stopWriter();
      }
    });

    it('item 6: refuses a directory', async () => {
      await expectRefused(dir, /not a regular file \(a directory\)/);
    });

    it('item 6: refuses a file over MAX_MODEL_FILE_BYTES before reading it', async () => {
      const huge = path.join(dir, 'huge.myelin');
      sparseFile(huge, MAX_MODEL_FILE_BYTES + 1);
      const start = performance.now();
      await expectRefused(huge, /4294967297 bytes, more than the limit of 4\.0 GiB/);
      expect(performance.now() - start).to.be.below(1000);
    });
  });

  describe('item 9: every value obeys the rules of the layer that owns it', () => {
    /** A saved model with a BatchNormalization 'bn' and a Normalization 'norm', each of 3 features. */
    function withStatistics(): my.Sequential {
      my.seed(9);
      const model = my.sequential([
        my.layers.normalization({ inputShape: [3], mean: [1, 2, 3], variance: [1, 4, 9], name: 'norm' }),
        my.layers.dense({ units: 3, name: 'd' }),
        my.layers.batchNormalization({ name: 'bn' }),
      ]);
      model.compile({ optimizer: 'adam', loss: 'mse' });
      return model;
    }

    /** Where a weight's float `index` is in the file's body: state tensors follow the whole parameter arena. */
    function bodyIndex(file: Uint8Array, layer: string, name: string, index: number): number {
      const weights = (decodeContainer(file, 'f').header as { weights: WeightEntry[] }).weights;
      const params = weights.filter((w) => w.trainable).reduce((sum, w) => sum + w.shape.reduce((a, b) => a * b, 1), 0);
      const entry = weights.find((w) => w.layer === layer && w.name === name) as WeightEntry;
      return (entry.trainable ? 0 : params) + entry.offset + index;
    }

    for (const [layer, name] of [['bn', 'movingVariance'], ['norm', 'variance']] as const) {
      it(`item 9: refuses a file whose ${layer}/${name} holds a negative value, naming the weight and the index`, async () => {
        const file = path.join(dir, `negative-${name}.myelin`);
        await withStatistics().save(file);
        fs.writeFileSync(file, withBodyFloat(fs.readFileSync(file), bodyIndex(fs.readFileSync(file), layer, name, 1), -0.5));
        const pattern = new RegExp(`^${escapeRegExp(file)}: ${layer}/${name} holds -0\\.5 at index 1: expected numbers >= 0$`);
        expect(() => my.loadModelSync(file)).to.throw(my.ModelFormatError, pattern);
        expect(await rejects(my.loadModel(file))).to.be.instanceOf(my.ModelFormatError).with.property('message').match(pattern);
      });
    }

    it('item 9: setWeights refuses a negative moving variance or variance (by position or by name) and writes nothing', () => {
      const model = withStatistics();
      const before = model.getWeights().map((w) => Array.from(w.data));
      const order = Object.keys(model.getNamedWeights());
      for (const [weight, argument] of [['bn/movingVariance', 'weights[7]'], ['norm/variance', 'weights[1]']] as const) {
        const i = order.indexOf(weight);
        expect(`weights[${i}]`).to.equal(argument);
        const weights = model.getWeights();
        (weights[i] as my.Tensor).data[2] = -0.25;
        const pattern = new RegExp(`^Expected numbers >= 0 for ${escapeRegExp(argument)} \\(${weight}\\) but received -0\\.25 at flat index 2$`);
        expect(() => model.setWeights(weights)).to.throw(my.ArgumentRangeError, pattern);
        const named = model.getNamedWeights();
        (named[weight] as my.Tensor).data[2] = -0.25;
        expect(() => model.setWeights(named)).to.throw(my.ArgumentRangeError, pattern);
      }
      expect(model.getWeights().map((w) => Array.from(w.data))).to.deep.equal(before);
      expect(Array.from(model.predict([[1, 2, 3]]).data).every(Number.isFinite)).to.equal(true);
    });
  });
});
