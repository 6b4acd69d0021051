/**
 * Issue 12, "keep it that way": random option objects and inputs for the public API (holes, NaN,
 * huge and negative sizes, detached and shared buffers, wrong types) for dense, compile, fit,
 * predict, predictAsync, the batcher and the loaders. The only outcomes allowed are a result or
 * one of the library's errors: never a plain TypeError or RangeError from V8, a crash or a hang.
 *
 * A few thousand cases in `npm test`; MYELIN_PROPERTY_RUNS multiplies them (CI runs more).
 */
import { expect } from 'chai';
import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import * as my from '../../lib/index';

const SCALE = Number(process.env['MYELIN_PROPERTY_RUNS'] ?? '1');

function runs(base: number): number {
  return Math.max(1, Math.round(base * SCALE));
}

/**
 * One of the library's errors (ShapeError is an ArgumentRangeError), or Node's own error for a
 * file that cannot be opened (ENOENT, EACCES, ...), which keeps its code and path so that
 * `error.code === 'ENOENT'` checks work as with any Node API.
 */
function isLibraryError(error: unknown): boolean {
  if (error instanceof my.MyelinError || error instanceof my.ArgumentTypeError || error instanceof my.ArgumentRangeError) return true;
  const system = error as { code?: unknown; syscall?: unknown };
  return error instanceof Error && typeof system.code === 'string' && /^E[A-Z]+$/.test(system.code) && typeof system.syscall === 'string';
}

/** Runs `call`; passes on a result or a library error, fails naming anything else. */
async function allowed(call: () => unknown): Promise<void> {
  try {
    await call();
  } catch (error) {
    if (!isLibraryError(error)) throw new Error(`not one of the library's errors: ${(error as Error)?.stack ?? String(error)}`);
  }
}

function detached(length: number): Float32Array {
  const array = new Float32Array(length);
  structuredClone(array.buffer, { transfer: [array.buffer] });
  return array;
}

function shared(values: readonly number[]): Float32Array {
  const array = new Float32Array(new SharedArrayBuffer(values.length * 4));
  array.set(values);
  return array;
}

const awkwardNumber = fc.oneof(
  fc.constantFrom(NaN, Infinity, -Infinity, 0, -0, -1, 0.5, 1, 2.5, 1e9, 1e12, 2 ** 31, 2 ** 32 + 1, 1e39, 1e300, 1e-50, Number.MAX_SAFE_INTEGER),
  fc.double(),
  fc.integer({ min: -5, max: 40 }),
);

/** Anything a careless or hostile caller might pass where a value goes. */
const anything: fc.Arbitrary<unknown> = fc.oneof(
  awkwardNumber,
  fc.constantFrom(undefined, null, true, '', 'relu', 'adam', 'x', {}, [], Symbol('s'), () => 1, 10n),
  fc.sparseArray(awkwardNumber, { maxLength: 6 }),
  fc.array(fc.sparseArray(awkwardNumber, { maxLength: 4 }), { maxLength: 4 }),
  fc.integer({ min: 0, max: 12 }).map(detached),
  fc.array(fc.double({ noNaN: true, min: -10, max: 10 }), { maxLength: 12 }).map(shared),
  fc.array(fc.double(), { maxLength: 12 }).map((v) => Float32Array.from(v)),
  fc.constantFrom(new Float64Array(4), new Int32Array(4), new Uint8Array(4), new ArrayBuffer(8), new Map(), new Date(0)),
);

/** An object whose keys are some of `keys` (misspelled ones too) with anything for values. */
function options(keys: readonly string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.dictionary(fc.oneof(fc.constantFrom(...keys), fc.constantFrom('unknownOption', keys[0]?.toUpperCase() ?? 'X')), anything, { maxKeys: 4 });
}

/** A tensor argument: a valid one of `features` columns now and then, or anything. */
function tensorArg(features: number): fc.Arbitrary<unknown> {
  return fc.oneof(
    fc.array(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: features, maxLength: features }), { minLength: 1, maxLength: 5 }),
    fc.record({ data: anything, shape: fc.oneof(anything, fc.array(awkwardNumber, { maxLength: 3 })) }),
    anything,
  );
}

/** Samples of 3 features with a class index 0 or 1 each: what fit takes, so that the options are what is tested. */
const validData: fc.Arbitrary<[unknown, unknown]> = fc.integer({ min: 1, max: 6 }).chain((n) =>
  fc.tuple(
    fc.array(fc.array(fc.double({ min: -5, max: 5, noNaN: true }), { minLength: 3, maxLength: 3 }), { minLength: n, maxLength: n }),
    fc.array(fc.integer({ min: 0, max: 1 }), { minLength: n, maxLength: n }),
  ),
);

function smallModel(): my.Sequential {
  return my.sequential([my.layers.dense({ inputShape: [3], units: 4, activation: 'relu' }), my.layers.dense({ units: 2, activation: 'softmax' })]);
}

describe('reliability: random calls to the public API end in a result or a library error', function () {
  this.timeout(300_000);

  it('layers.dense(options), with units, inputShape, activation, initializers, regularizers, constraints', async () => {
    const keys = ['units', 'inputShape', 'activation', 'useBias', 'kernelInitializer', 'biasInitializer', 'kernelRegularizer', 'activityRegularizer', 'kernelConstraint', 'dropConnect', 'name'];
    await fc.assert(
      fc.asyncProperty(options(keys), async (o) => {
        await allowed(() => my.sequential([my.layers.dense(o as never)]));
      }),
      { numRuns: runs(800) },
    );
  });

  it('compile(args) with optimizers and losses built from random options', async () => {
    const optimizer = fc.oneof(anything, fc.tuple(fc.constantFrom('sgd', 'adam', 'rmsprop', 'adagrad', 'adadelta', 'adamax', 'nadam', 'adamw'), options(['learningRate', 'epsilon', 'beta1', 'beta2', 'momentum', 'rho', 'clipNorm', 'clipValue', 'globalClipNorm', 'weightDecay', 'amsgrad', 'centered', 'nesterov'])));
    await fc.assert(
      fc.asyncProperty(optimizer, anything, anything, async (opt, loss, metrics) => {
        await allowed(() => {
          const made = Array.isArray(opt) && typeof opt[0] === 'string' ? (my.optimizers as unknown as Record<string, (o: unknown) => unknown>)[opt[0]]?.(opt[1]) : opt;
          smallModel().compile({ optimizer: made, loss, metrics } as never);
        });
      }),
      { numRuns: runs(800) },
    );
  });

  it('predict, predictAsync and evaluate with random inputs and options', async () => {
    const model = smallModel();
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    await fc.assert(
      fc.asyncProperty(tensorArg(3), anything, options(['batchSize', 'signal']), async (x, y, o) => {
        await allowed(() => model.predict(x as never, o as never));
        await allowed(() => model.predictAsync(x as never, o as never));
        await allowed(() => model.evaluate(x as never, y as never, o as never));
      }),
      { numRuns: runs(800) },
    );
  });

  it('a graph model of two inputs and two outputs: compile, predict, evaluate, trainOnBatch and fit with random arguments', async () => {
    const build = (): my.Functional => {
      const a = my.input({ shape: [3], name: 'a' });
      const b = my.input({ shape: [2], name: 'b' });
      const merged = my.layers.concatenate().apply([my.layers.dense({ units: 4, activation: 'relu' }).apply(a), b]);
      return my.model({ inputs: [a, b], outputs: [my.layers.dense({ units: 2, activation: 'softmax', name: 'cls' }).apply(merged), my.layers.dense({ units: 1, name: 'reg' }).apply(merged)] });
    };
    // Per input or output: an array in order, an object by name (with a wrong key now and then), or anything.
    const perInput = fc.oneof(fc.tuple(tensorArg(3), tensorArg(2)), fc.record({ a: tensorArg(3), b: tensorArg(2) }), fc.dictionary(fc.constantFrom('a', 'b', 'c'), anything, { maxKeys: 3 }), anything);
    const perOutput = fc.oneof(fc.tuple(anything, anything), fc.record({ cls: anything, reg: anything }), fc.sparseArray(anything, { maxLength: 3 }), anything);
    await fc.assert(
      fc.asyncProperty(perInput, perOutput, anything, perOutput, async (x, y, loss, lossWeights) => {
        const model = build();
        await allowed(() => model.compile({ optimizer: 'sgd', loss, lossWeights } as never));
        await allowed(() => model.predict(x as never));
        model.compile({ optimizer: 'sgd', loss: ['sparseCategoricalCrossentropy', 'mse'] });
        await allowed(() => model.evaluate(x as never, y as never));
        await allowed(() => model.trainOnBatch(x as never, y as never));
        await allowed(() => model.fit(x as never, y as never, { epochs: 1, verbose: 0, sampleWeight: lossWeights } as never));
      }),
      { numRuns: runs(300) },
    );
  });

  it('fit with random data and options, and trainOnBatch', async () => {
    const keys = ['epochs', 'batchSize', 'shuffle', 'validationSplit', 'validationData', 'verbose', 'callbacks', 'initialEpoch', 'sampleWeight', 'classWeight', 'signal'];
    // epochs stays small: a valid huge one would only train for long, which is not a fault.
    const fitOptions = options(keys).map((o) => ({ ...o, epochs: typeof o['epochs'] === 'number' && o['epochs'] > 3 ? 2 : o['epochs'], verbose: 0 }));
    await fc.assert(
      fc.asyncProperty(fc.oneof(validData, fc.tuple(tensorArg(3), anything)), fitOptions, async ([x, y], o) => {
        const model = smallModel();
        model.compile({ optimizer: 'sgd', loss: 'sparseCategoricalCrossentropy' });
        await allowed(() => model.fit(x as never, y as never, o as never));
        await allowed(() => model.trainOnBatch(x as never, y as never));
      }),
      { numRuns: runs(300) },
    );
  });

  it('the batcher: random options, samples and predict options; every failure is a rejection, never a throw', async () => {
    const model = smallModel();
    await fc.assert(
      fc.asyncProperty(options(['maxBatchSize', 'maxDelayMs']), fc.array(fc.tuple(fc.oneof(fc.array(fc.double({ min: -1, max: 1, noNaN: true }), { minLength: 3, maxLength: 3 }), anything), anything), { maxLength: 4 }), async (o, requests) => {
        let batcher: my.serving.Batcher;
        try {
          batcher = my.serving.batcher(model, { ...o, maxDelayMs: 0 } as never);
        } catch (error) {
          expect(isLibraryError(error), String(error)).to.equal(true);
          return;
        }
        const pending = requests.map(([sample, predictOptions]) => {
          let promise: Promise<unknown> | undefined;
          expect(() => (promise = batcher.predict(sample as never, predictOptions as never))).to.not.throw();
          return allowed(() => promise);
        });
        await Promise.all(pending);
        await batcher.close();
      }),
      { numRuns: runs(500) },
    );
  });

  it('the loaders: random bytes as a model file, a CSV or an IDX file, with random options', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-property-'));
    const csvText = fc.array(fc.array(fc.oneof(fc.constantFrom('1', '-2.5', '0x10', '1e39', 'NaN', '', '"a,b"', 'cat', ' 3 '), fc.double().map(String)), { maxLength: 4 }).map((row) => row.join(',')), { maxLength: 5 }).map((lines) => lines.join('\n'));
    try {
      await fc.assert(
        fc.asyncProperty(fc.uint8Array({ maxLength: 64 }), csvText, anything, options(['labelColumn', 'header', 'delimiter', 'compile', 'loss']), async (bytes, csv, where, o) => {
          const bin = path.join(dir, 'f.bin');
          const text = path.join(dir, 'f.csv');
          fs.writeFileSync(bin, bytes);
          fs.writeFileSync(text, csv);
          await allowed(() => my.loadModel(bin, o as never));
          await allowed(() => my.loadModelSync(bin));
          await allowed(() => my.data.loadIdx(bin));
          await allowed(() => my.data.loadCsv(text, o as never));
          await allowed(() => my.loadModel(where as never));
          await allowed(() => my.data.loadCsv(where as never));
        }),
        { numRuns: runs(500) },
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
