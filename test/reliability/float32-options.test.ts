/**
 * Issue 12, items 8 and 9 (the optimizer's part): learningRate and epsilon were checked as doubles
 * but used as float32 (1e300 became Infinity, 1e-50 became 0); hostile files held a negative Adam
 * v slot or a learning rate of 1e300 in their compile config and passed every reader check; and
 * save() wrote a file that loadModel refused. Float options are checked as float32 at
 * construction, the reader checks the same rules, and save() refuses what the reader would.
 */
import { expect } from 'chai';

import * as my from '../../lib/index';
import { decodeContainer, encodeContainer } from '../../lib/io/container';
import { decodeModel, encodeModel } from '../../lib/io/model-file';
import { rejects } from '../helpers/rejects';

const FILE = 'hostile.myelin';

function trained(optimizer: my.optimizers.Optimizer): my.Sequential {
  my.seed(4);
  const model = my.sequential([my.layers.dense({ inputShape: [2], units: 3, activation: 'relu' }), my.layers.dense({ units: 1 })]);
  model.compile({ optimizer, loss: 'meanSquaredError' });
  model.trainOnBatch([[1, 2], [3, 4]], [[1], [2]]);
  return model;
}

/** The model's file with its header changed by `edit` and the float at `bodyIndex` set to `value`, resealed. */
function hostileFile(model: my.Sequential, edit: (header: Record<string, unknown>) => void, patch?: { index: (header: Record<string, unknown>) => number; value: number }): Buffer {
  const { header, body } = decodeContainer(Buffer.concat(encodeModel(model, { includeOptimizer: true })), FILE);
  const h = header as Record<string, unknown>;
  edit(h);
  const floats = new Float32Array(body.length / 4);
  new Uint8Array(floats.buffer).set(body);
  if (patch !== undefined) floats[patch.index(h)] = patch.value;
  return Buffer.concat(encodeContainer(h, [floats]));
}

describe('reliability: float options as float32, hostile optimizer state, save (items 8 and 9)', () => {
  it('refuses learningRate 1e300 and epsilon 1e-50 at construction, naming the float32 value', () => {
    expect(() => my.optimizers.sgd({ learningRate: 1e300 })).to.throw(my.ArgumentRangeError, /Expected a number > 0 that float32 can hold \(magnitude at most 3\.4028e\+38\) for learningRate but received 1e\+300 \(number\), which is Infinity in float32/);
    expect(() => my.optimizers.adam({ epsilon: 1e-50 })).to.throw(my.ArgumentRangeError, /that float32 can hold \(0, or a magnitude of at least 1\.1755e-38\) for epsilon but received 1e-50 \(number\), which is 0 in float32/);
  });

  it('refuses a rate that rounds to its excluded bound in float32, and float options of layers, losses, initializers and regularizers alike', () => {
    expect(() => my.optimizers.adam({ beta2: 0.99999999999 })).to.throw(my.ArgumentRangeError, /Expected a number in \[0, 1\) that float32 can hold \(after rounding to float32\) for beta2 but received 0\.99999999999 \(number\), which is 1 in float32/);
    expect(() => my.layers.dropout({ rate: 0.999999999999 })).to.throw(my.ArgumentRangeError, /for rate/);
    expect(() => my.losses.huber({ delta: 1e39 })).to.throw(my.ArgumentRangeError, /for delta/);
    expect(() => my.initializers.randomNormal({ stddev: 1e300 })).to.throw(my.ArgumentRangeError, /for stddev/);
    expect(() => my.regularizers.l2({ l2: 1e40 })).to.throw(my.ArgumentRangeError, /for l2/);
    expect(() => my.schedules.exponentialDecay({ initialLearningRate: 1e300, decaySteps: 1, decayRate: 0.5 })).to.throw(my.ArgumentRangeError, /for initialLearningRate/);
    expect(() => (my.optimizers.sgd().learningRate = 1e-60)).to.throw(my.ArgumentRangeError, /for learningRate/);
  });

  it('a schedule whose value leaves float32 stops training with an ArgumentRangeError naming the step', () => {
    const model = my.sequential([my.layers.dense({ inputShape: [1], units: 1 })]);
    model.compile({ optimizer: my.optimizers.sgd({ learningRate: (step: number) => (step === 0 ? 0.1 : 1e39) }), loss: 'meanSquaredError' });
    model.trainOnBatch([[1]], [[1]]);
    expect(() => model.trainOnBatch([[1]], [[1]])).to.throw(my.ArgumentRangeError, /for learningRate schedule at step 1 but received 1e\+39/);
  });

  it('an update that would make a weight non-finite stops fit with a TrainingError; the weights and step count are the last applied step\'s, and the model saves', async () => {
    my.seed(6);
    const model = my.sequential([my.layers.dense({ inputShape: [2], units: 3, activation: 'relu' }), my.layers.dense({ units: 1 })]);
    model.compile({ optimizer: my.optimizers.sgd({ learningRate: 1e30 }), loss: 'meanSquaredError' });
    const x = [[1, 2], [3, 4], [5, 6], [7, 8]];
    const y = [[1], [2], [3], [4]];
    const seen: { weights: Float32Array; iterations: number }[] = [];
    const record = (): void => void seen.push({ weights: Float32Array.from(model.getWeights().flatMap((w) => Array.from(w.data))), iterations: model.optimizer.iterations });
    record();
    const error = await rejects(model.fit(x, y, { epochs: 3, batchSize: 2, shuffle: false, verbose: 0, callbacks: { onBatchEnd: record } }));
    expect(error).to.be.instanceOf(my.TrainingError);
    expect(error.message).to.match(/^The optimizer update of epoch \d, batch \d would have made a weight or an optimizer slot NaN or infinite .* so it was not applied: the weights are those of the last step applied/);
    const now = Float32Array.from(model.getWeights().flatMap((w) => Array.from(w.data)));
    expect(now.every(Number.isFinite)).to.equal(true);
    const last = seen[seen.length - 1] as { weights: Float32Array; iterations: number };
    expect(Array.from(now)).to.deep.equal(Array.from(last.weights));
    expect(model.optimizer.iterations).to.equal(last.iterations);
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-refused-')), 'm.myelin');
    await model.save(file);
    expect(((await my.loadModel(file)).predict(x) as my.Tensor).data.every(Number.isFinite)).to.equal(true);
    fs.rmSync(path.dirname(file), { recursive: true, force: true });
  });

  it('trainOnBatch throws the same TrainingError and leaves the weights as they were', () => {
    const model = my.sequential([my.layers.dense({ inputShape: [1], units: 1, kernelInitializer: 'ones' })]);
    model.compile({ optimizer: my.optimizers.sgd({ learningRate: 1e30 }), loss: 'meanSquaredError' });
    const before = model.getWeights().map((w) => Array.from(w.data));
    expect(() => model.trainOnBatch([[1e10]], [[0]])).to.throw(my.TrainingError, /The optimizer update of trainOnBatch\(\) would have made/);
    expect(model.getWeights().map((w) => Array.from(w.data))).to.deep.equal(before);
    expect(model.optimizer.iterations).to.equal(0);
  });

  it('a file whose compile config holds learningRate 1e300 or epsilon 1e-300 is a ModelFormatError', () => {
    const model = trained(my.optimizers.adam());
    for (const [key, value] of [['learningRate', 1e300], ['epsilon', 1e-300]] as const) {
      const bytes = hostileFile(model, (h) => (((h['compile'] as Record<string, Record<string, Record<string, unknown>>>)['optimizer'] as Record<string, Record<string, unknown>>)['config']![key] = value));
      expect(() => decodeModel(bytes, FILE, {})).to.throw(my.ModelFormatError, new RegExp(`${FILE}: compile\\.optimizer: .*for ${key} but received`));
    }
  });

  it("a file whose Adam v slot holds a negative value is a ModelFormatError naming the slot and index", () => {
    const model = trained(my.optimizers.adam());
    const params = model.countParams();
    // The body: the parameter arena, the state array (empty here), then the slots m and v.
    const bytes = hostileFile(model, () => undefined, { index: () => params + params + 3, value: -0.5 });
    expect(() => decodeModel(bytes, FILE, {})).to.throw(my.ModelFormatError, /optimizer slot 'v'\[3\] but received -0\.5/);
    const m = hostileFile(model, () => undefined, { index: () => params + 3, value: -0.5 });
    expect(() => decodeModel(m, FILE, {}), 'm, a running average of gradients, may be negative').to.not.throw();
  });

  it('save() refuses weights that are not finite with a ModelStateError, and leaves the file it would have replaced', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-save-nan-'));
    try {
      const file = path.join(dir, 'model.myelin');
      const model = trained(my.optimizers.sgd());
      await model.save(file);
      const before = fs.readFileSync(file);
      // A custom constraint is JavaScript, and can write anything into the weights.
      const poisoned = my.sequential([my.layers.dense({ inputShape: [2], units: 1, kernelConstraint: { className: 'Poison', apply: (w: Float32Array) => w.fill(NaN), getConfig: () => ({}) } as never })]);
      poisoned.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
      poisoned.trainOnBatch([[1, 2]], [[1]]);
      const error = await rejects(poisoned.save(file));
      expect(error).to.be.instanceOf(my.ModelStateError);
      expect(error.message).to.match(/Cannot save: the parameter arena holds NaN at index 0 \(dense_\d+\/kernel\)/);
      expect(fs.readFileSync(file).equals(before)).to.equal(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
