/** serving.batcher(): concurrent single-sample requests gathered into batches, each caller its own row. */
import { expect } from 'chai';

import * as my from '../../lib/index';
import { expectClose } from '../helpers/compare';
import { randomArray } from '../helpers/data';

const FEATURES = 12;
const OUTPUTS = 5;
/** A row's result may differ in the last bits between batch sizes (a GEMM sums in blocks). */
const ROW = { atol: 1e-5, rtol: 0 };

function makeModel(): my.Sequential {
  my.seed(5);
  return my.sequential([
    my.layers.dense({ inputShape: [FEATURES], units: 16, activation: 'relu' }),
    my.layers.dense({ units: OUTPUTS, activation: 'softmax' }),
  ]);
}

function sample(seed: number): Float32Array {
  return randomArray(FEATURES, seed, 2);
}

function expected(model: my.Sequential, x: Float32Array): Float32Array {
  return model.predict(my.tensor2d(x, [1, FEATURES])).data;
}

/** Records the rows of every batch the model is asked to predict (predictOffThread: the batcher's batches are its own, not copied). */
function spyBatches(model: my.Sequential): number[] {
  const sizes: number[] = [];
  const original = model.predictOffThread.bind(model);
  model.predictOffThread = (x, batchSize) => {
    sizes.push(x.shape[0] as number);
    return original(x, batchSize);
  };
  return sizes;
}

interface Deferred {
  promise: Promise<my.Tensor>;
  resolve(t: my.Tensor): void;
  reject(e: unknown): void;
}

function deferred(): Deferred {
  const d = {} as Deferred;
  d.promise = new Promise((resolve, reject) => Object.assign(d, { resolve, reject }));
  return d;
}

/** Replaces the model's batch prediction with calls the test answers by hand; returns the pending calls. */
function holdBatches(model: my.Sequential): { x: my.Tensor; call: Deferred }[] {
  const held: { x: my.Tensor; call: Deferred }[] = [];
  model.predictOffThread = (x) => {
    const call = deferred();
    held.push({ x, call });
    return call.promise;
  };
  return held;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Whether the promise has settled after the microtasks already queued have run. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(() => (done = true), () => (done = true));
  await sleep(0);
  return done;
}

describe('serving.batcher()', () => {
  it('gives each of 300 concurrent requests its own row, in batches of at most maxBatchSize', async () => {
    const model = makeModel();
    const sizes = spyBatches(model);
    const b = my.serving.batcher(model, { maxBatchSize: 16, maxDelayMs: 2 });
    const samples = Array.from({ length: 300 }, (_, i) => sample(100 + i));
    // Half as Float32Array, half as number[]: both forms land in the same batches.
    const rows = await Promise.all(samples.map((x, i) => b.predict(i % 2 === 0 ? x : Array.from(x))));
    rows.forEach((row, i) => expectClose(row, expected(model, samples[i] as Float32Array), ROW, `request ${i}`));
    expect(new Set(rows.map((r) => r.buffer)).size, 'every row is its own copy').to.equal(300);
    expect(sizes.reduce((a, n) => a + n, 0)).to.equal(300);
    expect(sizes.length).to.be.below(300);
    expect(Math.max(...sizes)).to.be.at.most(16);
    expect(b.stats).to.deep.equal({ requests: 300, batches: sizes.length, largestBatch: Math.max(...sizes) });
    await b.close();
  });

  it('sends a full batch at once, without waiting for maxDelayMs', async () => {
    const model = makeModel();
    const b = my.serving.batcher(model, { maxBatchSize: 4, maxDelayMs: 60_000 });
    const rows = await Promise.all([1, 2, 3, 4].map((s) => b.predict(sample(s))));
    expect(rows).to.have.length(4);
    expect(b.stats).to.deep.equal({ requests: 4, batches: 1, largestBatch: 4 });
  });

  it('sends a lone request once maxDelayMs has passed', async () => {
    const model = makeModel();
    const b = my.serving.batcher(model, { maxBatchSize: 8, maxDelayMs: 40 });
    const x = sample(1);
    const pending = b.predict(x);
    await sleep(5);
    expect(b.stats.batches, 'sent before maxDelayMs').to.equal(0);
    expectClose(await pending, expected(model, x), ROW);
    expect(b.stats).to.deep.equal({ requests: 1, batches: 1, largestBatch: 1 });
  });

  it('runs a batch while an earlier one is still in flight', async () => {
    const model = makeModel();
    const held = holdBatches(model);
    const b = my.serving.batcher(model, { maxBatchSize: 2, maxDelayMs: 60_000 });
    const first = [b.predict(sample(1)), b.predict(sample(2))];
    const second = [b.predict(sample(3)), b.predict(sample(4))];
    expect(held).to.have.length(2);
    held.forEach(({ x, call }) => call.resolve(model.predict(x)));
    const rows = await Promise.all([...first, ...second]);
    rows.forEach((row, i) => expectClose(row, expected(model, sample(i + 1)), ROW, `request ${i}`));
  });

  it('rejects only the caller of a bad sample, naming it, and leaves it out of the batch', async () => {
    const model = makeModel();
    const sizes = spyBatches(model);
    const b = my.serving.batcher(model, { maxBatchSize: 64, maxDelayMs: 5 });
    const good = [sample(1), sample(2), sample(3)];
    const nan = Array.from(sample(4));
    nan[3] = NaN;
    const text: unknown[] = Array.from(sample(5));
    text[7] = '0.5';
    const bad: [unknown, new (...args: never[]) => Error, RegExp][] = [
      [sample(6).subarray(1), my.ShapeError, /Expected 12 features, the model's inputUnits for sample but received 11 values/],
      [nan, my.ArgumentRangeError, /Expected a finite number for sample\[3\] but received NaN/],
      [[...Array.from(sample(7)).slice(1), 1e39], my.ArgumentRangeError, /finite number for sample\[11\] but received 1e\+39/],
      [text, my.ArgumentTypeError, /Expected a number for sample\[7\] but received '0.5' \(string\)/],
      [new Float64Array(FEATURES), my.ArgumentTypeError, /Float32Array or number\[\] of 12 features for sample but received Float64Array/],
      [undefined, my.ArgumentTypeError, /for sample but received undefined/],
    ];
    const goodRows = [b.predict(good[0] as Float32Array)];
    const badResults = bad.map(([x]) => b.predict(x as number[]).then(() => null, (e: unknown) => e));
    goodRows.push(b.predict(good[1] as Float32Array), b.predict(good[2] as Float32Array));
    const errors = await Promise.all(badResults);
    errors.forEach((error, i) => {
      const [, cls, pattern] = bad[i] as [unknown, new (...args: never[]) => Error, RegExp];
      expect(error, `bad sample ${i}`).to.be.instanceOf(cls);
      expect((error as Error).message).to.match(pattern);
    });
    (await Promise.all(goodRows)).forEach((row, i) => expectClose(row, expected(model, good[i] as Float32Array), ROW, `good ${i}`));
    expect(sizes).to.deep.equal([3]);
  });

  it('rejects every caller of a batch whose prediction fails, then goes on', async () => {
    const model = makeModel();
    const held = holdBatches(model);
    const b = my.serving.batcher(model, { maxBatchSize: 3, maxDelayMs: 60_000 });
    const failing = [1, 2, 3].map((s) => b.predict(sample(s)).then(() => null, (e: unknown) => e));
    const boom = new Error('native failure');
    held[0]?.call.reject(boom);
    expect(await Promise.all(failing)).to.deep.equal([boom, boom, boom]);
    const next = [4, 5, 6].map((s) => b.predict(sample(s)));
    held[1]?.call.resolve(model.predict(held[1].x));
    (await Promise.all(next)).forEach((row, i) => expectClose(row, expected(model, sample(i + 4)), ROW));
  });

  describe('abort', () => {
    it('removes a waiting request: it rejects with an AbortError and the others keep their rows', async () => {
      const model = makeModel();
      const sizes = spyBatches(model);
      const b = my.serving.batcher(model, { maxBatchSize: 4, maxDelayMs: 60_000 });
      const controller = new AbortController();
      const first = b.predict(sample(1));
      const aborted = b.predict(sample(2), { signal: controller.signal });
      const third = b.predict(sample(3));
      controller.abort();
      const error = await aborted.then(() => null, (e: unknown) => e);
      expect(error).to.have.property('name', 'AbortError');
      // The abort freed a row: two more requests fill the batch of 4 and send it.
      const rest = [b.predict(sample(4)), b.predict(sample(5))];
      const rows = await Promise.all([first, third, ...rest]);
      [1, 3, 4, 5].forEach((s, i) => expectClose(rows[i] as Float32Array, expected(model, sample(s)), ROW, `sample ${s}`));
      expect(sizes).to.deep.equal([4]);
    });

    it("rejects with an AbortError caused by the signal's reason, and at once when the signal is already aborted", async () => {
      const b = my.serving.batcher(makeModel(), { maxDelayMs: 60_000 });
      const reason = new Error('client went away');
      const controller = new AbortController();
      const waiting = b.predict(sample(1), { signal: controller.signal });
      controller.abort(reason);
      const error = (await waiting.then(() => null, (e: unknown) => e)) as Error;
      expect(error).to.be.instanceOf(my.AbortError);
      expect(error.message).to.match(/batcher\.predict\(\) was aborted/);
      expect(error.cause).to.equal(reason);
      const early = b.predict(sample(2), { signal: AbortSignal.abort(reason) });
      expect(((await early.then(() => null, (e: unknown) => e)) as Error).cause).to.equal(reason);
      expect(b.stats.batches, 'nothing was left to send').to.equal(0);
      await b.close();
      expect(b.stats.batches).to.equal(0);
    });

    it('completes a request whose batch was sent before the abort', async () => {
      const model = makeModel();
      const held = holdBatches(model);
      const b = my.serving.batcher(model, { maxBatchSize: 1 });
      const controller = new AbortController();
      const pending = b.predict(sample(1), { signal: controller.signal });
      controller.abort();
      held[0]?.call.resolve(model.predict(held[0].x));
      expectClose(await pending, expected(model, sample(1)), ROW);
    });
  });

  describe('close()', () => {
    it('sends what waits, resolves after in-flight batches are answered, then refuses requests', async () => {
      const model = makeModel();
      const held = holdBatches(model);
      const b = my.serving.batcher(model, { maxBatchSize: 2, maxDelayMs: 60_000 });
      const requests = [1, 2, 3].map((s) => b.predict(sample(s)));
      const closing = b.close();
      expect(held.map(({ x }) => x.shape[0]), 'the waiting request is sent').to.deep.equal([2, 1]);
      held[0]?.call.resolve(model.predict(held[0].x));
      expect(await settled(closing), 'close() waits for the second batch').to.equal(false);
      held[1]?.call.resolve(model.predict(held[1].x));
      await closing;
      expect(await Promise.all(requests)).to.have.length(3);
      const late = await b.predict(sample(4)).then(() => null, (e: unknown) => e);
      expect(late).to.be.instanceOf(my.ModelStateError);
      expect((late as Error).message).to.match(/batcher is closed/);
      await b.close();
    });
  });

  describe('options', () => {
    const model = makeModel();
    const cases: [unknown, new (...args: never[]) => Error, RegExp][] = [
      [{ maxBatchSize: 0 }, my.ArgumentRangeError, /positive integer for maxBatchSize but received 0/],
      [{ maxBatchSize: 2.5 }, my.ArgumentRangeError, /positive integer for maxBatchSize/],
      [{ maxBatchSize: '8' }, my.ArgumentTypeError, /positive integer for maxBatchSize but received '8'/],
      [{ maxDelayMs: -1 }, my.ArgumentRangeError, /number in \[0, 2147483647\] for maxDelayMs but received -1/],
      [{ maxDelayMs: NaN }, my.ArgumentRangeError, /maxDelayMs but received NaN/],
      [{ maxDelayMs: Infinity }, my.ArgumentRangeError, /maxDelayMs but received Infinity/],
      [{ max_batch_size: 8 }, my.ArgumentRangeError, /unknown option 'max_batch_size'. Did you mean 'maxBatchSize'\?/],
      [[], my.ArgumentTypeError, /an object for batcher options/],
    ];
    cases.forEach(([options, cls, pattern]) => {
      it(`rejects ${JSON.stringify(options)}`, () => {
        expect(() => my.serving.batcher(model, options as my.serving.BatcherOptions)).to.throw(cls, pattern);
      });
    });

    it('accepts maxDelayMs 0 and defaults to 32 and 1 ms', () => {
      expect(my.serving.batcher(model, { maxDelayMs: 0 }).maxDelayMs).to.equal(0);
      const b = my.serving.batcher(model);
      expect([b.maxBatchSize, b.maxDelayMs]).to.deep.equal([32, 1]);
    });

    it('rejects a value that is not a model, or a model with no layers', () => {
      expect(() => my.serving.batcher({} as my.Sequential)).to.throw(my.ArgumentTypeError, /Expected a model \(sequential\(\[\.\.\.\]\) or loadModel\(\)\) for model but received/);
      expect(() => my.serving.batcher(my.sequential())).to.throw(my.ArgumentRangeError, /a model with layers/);
    });

    it("rejects a predict call's bad options without touching the batch", async () => {
      const b = my.serving.batcher(model);
      const cases2: [unknown, RegExp][] = [
        [{ signal: 5 }, /Expected an AbortSignal .* for signal but received 5/],
        [{ sginal: new AbortController().signal }, /unknown option 'sginal'/],
      ];
      for (const [options, pattern] of cases2) {
        const error = await b.predict(sample(1), options as my.serving.BatcherPredictOptions).then(() => null, (e: unknown) => e);
        expect((error as Error).message).to.match(pattern);
      }
      expect(b.stats.requests).to.equal(0);
    });
  });
});
