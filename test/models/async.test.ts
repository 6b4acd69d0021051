/**
 * Off the event loop (issue 6): fit's steps and predictAsync run their native work on a libuv
 * thread, one plan at a time; AbortSignal; one model under many callers; the fit/predict policy.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';

import { native } from '../../lib/backend';
import * as my from '../../lib/index';
import { globalRandom } from '../../lib/random';
import { randomArray } from '../helpers/data';
import { rejects } from '../helpers/rejects';
import { timeLimit } from '../helpers/time';

const FEATURES = 64;

function mlp(seed = 5): my.Sequential {
  my.seed(seed);
  const model = my.sequential([
    my.layers.dense({ inputShape: [FEATURES], units: 48, activation: 'relu' }),
    my.layers.dropout({ rate: 0.1 }),
    my.layers.batchNormalization(),
    my.layers.dense({ units: 5, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: my.optimizers.adam({ learningRate: 0.01 }), loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  return model;
}

function data(samples: number, seed = 3): { x: my.Tensor; y: Float32Array } {
  const x = randomArray(samples * FEATURES, seed);
  const y = Float32Array.from({ length: samples }, (_, i) => Math.abs(Math.floor((x[i * FEATURES] as number) * 5)) % 5);
  return { x: my.tensor2d(x, [samples, FEATURES]), y };
}

const flat = (model: my.Sequential): Float32Array => Float32Array.from(model.getWeights().flatMap((w) => Array.from(w.data)));

describe('off the event loop', function () {
  this.timeout(timeLimit(60_000));

  it("fit's steps leave the event loop free: a 1 ms timer keeps firing during one long step, unlike trainOnBatch's", async () => {
    const { x, y } = data(6000);
    const model = my.sequential([my.layers.dense({ inputShape: [FEATURES], units: 1024, activation: 'relu' }), my.layers.dense({ units: 5, activation: 'softmax' })]);
    model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
    model.trainOnBatch(x, y); // first touch: buffers and workers made before timing
    const ticksDuring = async (work: () => Promise<unknown>): Promise<{ ticks: number; ms: number }> => {
      let ticks = 0;
      const timer = setInterval(() => void ticks++, 1);
      const began = performance.now();
      await work();
      const ms = performance.now() - began;
      clearInterval(timer);
      return { ticks, ms };
    };
    const viaFit = await ticksDuring(() => model.fit(x, y, { batchSize: 6000, epochs: 2, verbose: 0 }));
    const viaSync = await ticksDuring(async () => {
      model.trainOnBatch(x, y);
      model.trainOnBatch(x, y);
    });
    // Two steps of several ms each: the timer fires throughout fit, not once during the sync pair.
    expect(viaFit.ticks, `${viaFit.ticks} ticks in ${viaFit.ms.toFixed(1)} ms`).to.be.at.least(Math.min(10, Math.floor(viaFit.ms / 4)));
    expect(viaSync.ticks).to.be.at.most(1);
  });

  it('fit off the main thread trains exactly as the same steps run on it (trainOnBatch)', async () => {
    const { x, y } = data(96);
    const viaFit = mlp();
    await viaFit.fit(x, y, { batchSize: 32, epochs: 2, shuffle: false, verbose: 0 });
    const viaSteps = mlp();
    for (let epoch = 0; epoch < 2; epoch++) {
      for (let start = 0; start < 96; start += 32) {
        viaSteps.trainOnBatch(my.tensor2d(x.data.subarray(start * FEATURES, (start + 32) * FEATURES), [32, FEATURES]), y.subarray(start, start + 32));
      }
    }
    expect(flat(viaFit)).to.deep.equal(flat(viaSteps));
    expect(viaFit.optimizer.iterations).to.equal(6);
  });

  it('a shuffled fit, which gathers the next batch while a step runs, trains exactly as the same steps run one by one', async () => {
    const samples = 100; // a short last batch: its gather buffer is a shorter view
    const { x, y } = data(samples);
    const viaFit = mlp();
    viaFit.getWeights(); // the weights draw from the generator before the shuffles, in both runs
    await viaFit.fit(x, y, { batchSize: 32, epochs: 3, verbose: 0 });
    const viaSteps = mlp();
    viaSteps.getWeights();
    const order = new Uint32Array(samples);
    for (let epoch = 0; epoch < 3; epoch++) {
      order.forEach((_, i) => (order[i] = i));
      globalRandom.shuffle(order);
      for (let start = 0; start < samples; start += 32) {
        const picked = order.subarray(start, Math.min(samples, start + 32));
        const batchX = new Float32Array(picked.length * FEATURES);
        native.gatherRows(batchX, x.data, picked, FEATURES);
        viaSteps.trainOnBatch(my.tensor2d(batchX, [picked.length, FEATURES]), Float32Array.from(picked, (i) => y[i] as number));
      }
    }
    expect(flat(viaFit)).to.deep.equal(flat(viaSteps));
    expect(viaFit.optimizer.iterations).to.equal(12);
  });

  it('a step stopped by a non-finite loss leaves the weights and the step count as they were', async () => {
    const model = my.sequential([my.layers.dense({ inputShape: [1], units: 1 })]);
    model.compile({ optimizer: my.optimizers.adam({ learningRate: 1e30 }), loss: 'meanSquaredError' });
    const counted: number[] = [];
    const kept: Float32Array[] = [];
    // The step on x = 1 takes the weights to about 1e30; the forward pass on x = 1e10 then
    // overflows the loss. (An update that would make a weight non-finite is refused instead.)
    const error = await rejects(
      model.fit([[1], [1e10]], [[1], [2]], { epochs: 20, batchSize: 1, shuffle: false, verbose: 0, callbacks: { onBatchEnd: () => void (counted.push(model.optimizer.iterations), kept.push(flat(model))) } }),
    );
    expect(error).to.be.instanceOf(my.TrainingError);
    const lastGood = counted.length - 2; // the last onBatchEnd saw the bad step's (unchanged) state
    expect(model.optimizer.iterations).to.equal(counted[lastGood]);
    expect(flat(model)).to.deep.equal(kept[lastGood]);
  });

  it('hundreds of concurrent predictAsync calls return what predict returns, one plan at a time', async () => {
    const model = mlp();
    await model.fit(data(64).x, data(64).y, { epochs: 1, verbose: 0 });
    const inputs = Array.from({ length: 300 }, (_, i) => my.tensor2d(randomArray(((i % 7) + 1) * FEATURES, 100 + i), [(i % 7) + 1, FEATURES]));
    const runsBefore = native.planStats().runs;
    const results = await Promise.all(inputs.map((x) => model.predictAsync(x)));
    results.forEach((r, i) => expect(r.data).to.deep.equal(model.predict(inputs[i] as my.Tensor).data));
    const stats = native.planStats();
    expect(stats.runs - runsBefore).to.equal(300);
    expect(stats.mostAtOnce).to.equal(1);
    expect(stats.running).to.equal(0);
  });

  it('leaves libuv\'s other threads to the rest of the process: a file read completes while predictions queue', async () => {
    // 20 predictions of several milliseconds each: the read must not wait for them all.
    const model = my.sequential([my.layers.dense({ inputShape: [FEATURES], units: 2048, activation: 'relu' }), my.layers.dense({ units: 5 })]);
    const x = my.tensor2d(randomArray(2000 * FEATURES, 9), [2000, FEATURES]);
    let predictionsDone = 0;
    const predictions = Array.from({ length: 20 }, () => model.predictAsync(x).then(() => void predictionsDone++));
    await fs.promises.readFile(__filename);
    expect(predictionsDone).to.be.below(20);
    await Promise.all(predictions);
  });

  it('predictAsync during fit reads the weights between two steps', async () => {
    const { x, y } = data(160);
    const model = mlp();
    const probe = my.tensor2d(randomArray(3 * FEATURES, 77), [3, FEATURES]);
    const between: Float32Array[] = [];
    const pending: Promise<my.Tensor>[] = [];
    await model.fit(x, y, {
      batchSize: 16,
      epochs: 2,
      verbose: 0,
      callbacks: {
        onTrainBegin: () => void between.push(model.predict(probe).data),
        // Sent while the step is queued or running: it must see the weights before or after it.
        onBatchBegin: () => void setImmediate(() => pending.push(model.predictAsync(probe))),
        onBatchEnd: () => void between.push(model.predict(probe).data),
      },
    });
    const seen = await Promise.all(pending);
    expect(seen.length).to.equal(20);
    for (const t of seen) expect(between.some((b) => b.every((v, i) => v === t.data[i]))).to.equal(true);
  });

  it('predict and other synchronous calls are refused while a step runs, and work from callbacks', async () => {
    const { x, y } = data(64);
    const model = mlp();
    const refused: string[] = [];
    let fromCallback = 0;
    await model.fit(x, y, {
      batchSize: 16,
      verbose: 0,
      callbacks: {
        onBatchBegin: () =>
          void setImmediate(() => {
            for (const call of [() => model.predict(x), () => model.getWeights(), () => model.evaluate(x, y), () => model.setWeights(model.getWeights())]) {
              try {
                call();
              } catch (error) {
                expect(error).to.be.instanceOf(my.ModelStateError);
                refused.push((error as Error).message);
              }
            }
          }),
        onBatchEnd: () => void (fromCallback += model.predict(x).shape[0] as number),
      },
    });
    expect(refused.length).to.equal(16);
    expect(refused[0]).to.match(/predict\(\) cannot run now: a training step of fit\(\) is updating this model's weights on another thread\. Use await model\.predictAsync\(x\)/);
    expect(fromCallback).to.equal(4 * 64);
    expect(() => model.predict(x)).to.not.throw();
  });

  it('setWeights and trainOnBatch wait for the predictAsync calls that read the weights', async () => {
    const model = mlp();
    const { x, y } = data(64);
    const weights = model.getWeights();
    const pending = [model.predictAsync(x), model.predictAsync(x)];
    expect(() => model.setWeights(weights)).to.throw(my.ModelStateError, /setWeights\(\) cannot run now: 2 predictAsync\(\) call\(s\) on this model are queued or running/);
    expect(() => model.trainOnBatch(x, y)).to.throw(my.ModelStateError, /trainOnBatch\(\) cannot run now/);
    expect(model.predict(x).data).to.deep.equal((await pending[0])?.data); // reading is fine
    await Promise.all(pending);
    model.setWeights(weights);
    expect(Number.isFinite(model.trainOnBatch(x, y))).to.equal(true);
  });

  it('a second fit, compile or add while fit runs is refused', async () => {
    const { x, y } = data(64);
    const model = mlp();
    const first = model.fit(x, y, { epochs: 2, verbose: 0 });
    expect((await rejects(model.fit(x, y, { verbose: 0 }))).message).to.match(/fit\(\) is already running on this model/);
    expect(() => model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' })).to.throw(my.ModelStateError, /compile\(\) cannot run while fit\(\) is training/);
    expect(() => model.add(my.layers.dense({ units: 2 }))).to.throw(my.ModelStateError, /add\(\) cannot run while fit\(\) is training/);
    await first;
  });
});

describe('AbortSignal', function () {
  this.timeout(timeLimit(60_000));

  it('fit stops between two steps with an AbortError and the weights of the last completed step', async () => {
    const { x, y } = data(160);
    const model = mlp();
    const controller = new AbortController();
    let atAbort: Float32Array | null = null;
    let iterations = -1;
    const error = await rejects(
      model.fit(x, y, {
        batchSize: 16,
        epochs: 3,
        verbose: 0,
        signal: controller.signal,
        callbacks: {
          onBatchEnd: (batch) => {
            if (batch !== 3) return;
            atAbort = flat(model);
            iterations = model.optimizer.iterations;
            controller.abort();
          },
        },
      }),
    );
    expect(error).to.be.instanceOf(my.AbortError);
    expect(error.name).to.equal('AbortError');
    expect((error as my.AbortError).code).to.equal('ABORT_ERR');
    expect(error.message).to.match(/fit\(\) was aborted through its AbortSignal/);
    expect(model.optimizer.iterations).to.equal(iterations);
    expect(flat(model)).to.deep.equal(atAbort);
    expect(() => model.predict(x)).to.not.throw(); // the model is usable, and a new fit can start
    await model.fit(x, y, { epochs: 1, verbose: 0 });
  });

  it('fit aborted from a timer mid-training keeps consistent weights: those of a completed step', async () => {
    const { x, y } = data(2000);
    const model = mlp();
    const snapshots: Float32Array[] = [];
    const signal = AbortSignal.timeout(30);
    const error = await rejects(model.fit(x, y, { batchSize: 8, epochs: 50, verbose: 0, signal, callbacks: { onBatchEnd: () => void snapshots.push(flat(model)) } }));
    expect(error).to.be.instanceOf(my.AbortError);
    expect((error.cause as Error).name).to.equal('TimeoutError');
    expect(flat(model)).to.deep.equal(snapshots[snapshots.length - 1]);
  });

  it('an already aborted signal rejects fit and predictAsync before any work', async () => {
    const model = mlp();
    const before = flat(model);
    const { x, y } = data(32);
    const signal = AbortSignal.abort('no');
    const fitError = await rejects(model.fit(x, y, { verbose: 0, signal }));
    expect(fitError).to.be.instanceOf(my.AbortError);
    expect(fitError.cause).to.equal('no');
    expect(model.optimizer.iterations).to.equal(0);
    expect(flat(model)).to.deep.equal(before);
    expect(await rejects(model.predictAsync(x, { signal }))).to.be.instanceOf(my.AbortError);
  });

  it('predictAsync aborted while it waits its turn, or while it runs, rejects; the others complete', async () => {
    // Wide enough that the cut call runs for tens of milliseconds: the abort lands while it runs.
    const model = my.sequential([my.layers.dense({ inputShape: [FEATURES], units: 2048, activation: 'relu' }), my.layers.dense({ units: 5 })]);
    const big = my.tensor2d(randomArray(20000 * FEATURES, 4), [20000, FEATURES]);
    const small = my.tensor2d(big.data.subarray(0, 500 * FEATURES), [500, FEATURES]);
    const first = model.predictAsync(small);
    const waiting = new AbortController();
    const queued = model.predictAsync(big, { signal: waiting.signal });
    waiting.abort();
    expect(await rejects(queued)).to.be.instanceOf(my.AbortError);
    const running = new AbortController();
    const cut = model.predictAsync(big, { batchSize: 64, signal: running.signal });
    await first; // cut starts as first completes
    setImmediate(() => running.abort());
    const error = await rejects(cut);
    expect(error).to.be.instanceOf(my.AbortError);
    expect(error.message).to.match(/predictAsync\(\) was aborted/);
    expect((await model.predictAsync(small)).data).to.deep.equal(model.predict(small).data);
  });

  it('bad signal and options are named', async () => {
    const model = mlp();
    const { x, y } = data(8);
    expect((await rejects(model.fit(x, y, { verbose: 0, signal: 'stop' as never }))).message).to.match(/Expected an AbortSignal .* for signal but received/);
    expect((await rejects(model.predictAsync(x, { signal: {} as never }))).message).to.match(/Expected an AbortSignal .* for signal/);
    expect((await rejects(model.predictAsync(x, { batch: 2 } as never))).message).to.match(/batch/);
    expect((await rejects(model.predictAsync(x, { batchSize: 0 }))).message).to.match(/Expected a positive integer for batchSize but received 0/);
    expect((await rejects(model.predictAsync([[1, 2]]))).message).to.match(/samples of 64 features/);
  });
});
