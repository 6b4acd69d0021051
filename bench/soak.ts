// `npm run bench:soak`: does a long-running process hold its memory? One process makes a
// million single-sample predictions and a hundred short fits, as a server that answers requests
// and retrains now and then would; resident memory at the end must be within 10% of where it
// settled after a warm-up. Takes about 40 s on 2 idle cores (several minutes when other work
// shares them); `--quick` does a tenth of the work, a smoke run: its warm-up (10000
// predictions, 1 fit) is too short for its memory verdict to mean much, so it is not enforced.
//
//   npm run bench:soak                       table of the memory curve and a verdict
//   npm run bench:soak -- --quick            100000 predictions and 10 fits
//   npm run bench:soak -- --json             one JSON object per line: header, samples, summary
//
// The work is cut into `segments` equal segments. In each, the predictions are shared between
// model.predict (yielding every few calls, as a request handler would), model.predictAsync and
// serving.batcher (`inFlight` callers each), all on one Fashion-MNIST-sized model (784-256-128-10,
// random weights); meanwhile the segment's fits run one after the other on a small model (1 epoch
// of 2000 samples; a new model every tenth of the fits, the same one in between). Every answer is
// checked against model.predict's answer for its sample, made before the run.
// After each segment the garbage is collected (node runs with --expose-gc) and
// process.memoryUsage() sampled, so the curve is what stays retained. The first `warmupSegments`
// segments (a full turn of the fit models included) are the warm-up: its last sample is the
// settled value. Exits 1 when a check fails or (without --quick) the end is not within 10% of settled.

import { setTimeout as sleep } from 'node:timers/promises';

import { syntheticClassification, uniform } from './data';
import { buildMlp, maxDifference, type Model } from './mlp';
import type { Myelin } from './myelin';
import { startBench } from './start';
import { collectGarbage, now } from './timing';
import { stepTrial, type TrainingTrial } from './trials';

type Tensor = ReturnType<Myelin['tensor2d']>;

const full = { predictions: 1_000_000, fits: 100 } as const;
const shape = { segments: 20, warmupSegments: 2, fitModels: 10, inFlight: 256, syncYieldEvery: 64, poolSamples: 1000, maxBatchSize: 32, maxDelayMs: 1 } as const;
/** The end may be this far from the settled RSS, as a fraction of it. */
const TOLERANCE = 0.1;
/** The largest difference allowed from model.predict's answer: a batch's row may differ in the last bits. */
const AGREEMENT = 1e-5;

const fitTrial: TrainingTrial = {
  kind: 'training',
  name: 'soak-fit',
  inputDim: 64,
  layers: [
    { units: 32, activation: 'relu' },
    { units: 10, activation: 'softmax' },
  ],
  loss: 'sparseCategoricalCrossentropy',
  learningRate: 1e-3,
  batchSize: 32,
  samples: 2000,
  seed: 7,
  desc: 'Adam 1e-3, batch 32, 1 epoch per fit',
};

const usage = 'Usage: npm run bench:soak -- [--quick] [--json]';

interface Options {
  readonly json: boolean;
  readonly quick: boolean;
}

function parseArgs(argv: readonly string[]): Options {
  let json = false;
  let quick = false;
  for (const arg of argv) {
    if (arg === '--json') json = true;
    else if (arg === '--quick') quick = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    } else throw new RangeError(`Unknown option "${arg}". ${usage}`);
  }
  return { json, quick };
}

const MB = 1024 * 1024;

/** Retained memory in MB after a full collection. */
interface Sample {
  readonly predictions: number;
  readonly fits: number;
  readonly seconds: number;
  readonly rss: number;
  readonly heapUsed: number;
  readonly external: number;
  readonly arrayBuffers: number;
}

async function sampleMemory(predictions: number, fits: number, seconds: number): Promise<Sample> {
  collectGarbage();
  // Finalizers (N-API references, ArrayBuffer backing stores) run after the collection: let
  // them, then collect what they released.
  await sleep(0);
  collectGarbage();
  const m = process.memoryUsage();
  return { predictions, fits, seconds, rss: m.rss / MB, heapUsed: m.heapUsed / MB, external: m.external / MB, arrayBuffers: m.arrayBuffers / MB };
}

/** The samples the predictions cycle through, and model.predict's answer for each. */
interface Pool {
  readonly samples: readonly Tensor[];
  readonly expected: readonly Float32Array[];
}

function makePool(my: Myelin, model: Model): Pool {
  const dim = stepTrial.inputDim;
  const data = uniform(shape.poolSamples * dim, stepTrial.seed);
  const samples = Array.from({ length: shape.poolSamples }, (_, i) => my.tensor2d(data.subarray(i * dim, (i + 1) * dim), [1, dim]));
  return { samples, expected: samples.map((s) => model.predict(s).data) };
}

/** A way of predicting one sample, and what it has done so far. */
interface Channel {
  readonly name: string;
  /** Makes `count` predictions starting at pool index `first`; returns the wrong answers. */
  run(first: number, count: number): Promise<number>;
  predictions: number;
  ms: number;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function channels(my: Myelin, model: Model, pool: Pool): { list: Channel[]; close(): Promise<void> } {
  const wrong = (i: number, got: Float32Array): number => (maxDifference(got, pool.expected[i % shape.poolSamples] as Float32Array) <= AGREEMENT ? 0 : 1);
  const sample = (i: number): Tensor => pool.samples[i % shape.poolSamples] as Tensor;
  /** `inFlight` callers, each awaiting its prediction before starting the next. */
  const concurrent = async (first: number, count: number, predict: (i: number) => Promise<Float32Array>): Promise<number> => {
    let next = first;
    let errors = 0;
    const caller = async (): Promise<void> => {
      while (next < first + count) {
        const i = next++;
        errors += wrong(i, await predict(i));
      }
    };
    await Promise.all(Array.from({ length: shape.inFlight }, caller));
    return errors;
  };
  const batcher = my.serving.batcher(model, { maxBatchSize: shape.maxBatchSize, maxDelayMs: shape.maxDelayMs });
  const channel = (name: string, run: Channel['run']): Channel => ({ name, run, predictions: 0, ms: 0 });
  const list = [
    channel('predict', async (first, count) => {
      let errors = 0;
      for (let i = first; i < first + count; i++) {
        errors += wrong(i, model.predict(sample(i)).data);
        if ((i - first + 1) % shape.syncYieldEvery === 0) await yieldToLoop();
      }
      return errors;
    }),
    channel(`predictAsync x${shape.inFlight}`, (first, count) => concurrent(first, count, async (i) => (await model.predictAsync(sample(i))).data)),
    channel(`batcher x${shape.inFlight}`, (first, count) => concurrent(first, count, (i) => batcher.predict(sample(i).data))),
  ];
  return { list, close: () => batcher.close() };
}

/** The fits, numbered from 0: fit k trains the model made at fit k - k % perModel. */
class Fitter {
  private model: Model | null = null;
  done = 0;
  badLosses = 0;
  private readonly x: Tensor;
  private readonly y: Tensor;

  constructor(
    private readonly my: Myelin,
    private readonly perModel: number,
  ) {
    const d = syntheticClassification(fitTrial.samples, fitTrial.inputDim, 10, fitTrial.seed);
    this.x = my.tensor2d(d.x, [d.samples, d.inputDim]);
    this.y = my.tensor2d(d.labels, [d.samples, 1]);
  }

  async fit(count: number): Promise<void> {
    for (let k = 0; k < count; k++) {
      if (this.model === null || this.done % this.perModel === 0) this.model = buildMlp(this.my, { ...fitTrial, seed: fitTrial.seed + this.done });
      const history = await this.model.fit(this.x, this.y, { epochs: 1, batchSize: fitTrial.batchSize, verbose: 0 });
      if (!Number.isFinite(history.history['loss']?.at(-1) ?? NaN)) this.badLosses++;
      this.done++;
    }
  }
}

/** Share `total` into `parts` whole numbers that add up to it; part i gets the ith. */
function share(total: number, parts: number, i: number): number {
  return Math.floor((total * (i + 1)) / parts) - Math.floor((total * i) / parts);
}

const fixed = (v: number, digits = 1): string => v.toFixed(digits);

function printCurve(samples: readonly Sample[], settledIndex: number): void {
  const head = ['predictions', 'fits', 'elapsed s', 'rss MB', 'heapUsed MB', 'external MB', 'arrayBuffers MB'];
  console.log(head.map((h) => h.padStart(Math.max(10, h.length))).join(' '));
  samples.forEach((s, i) => {
    const cells = [String(s.predictions), String(s.fits), fixed(s.seconds), fixed(s.rss), fixed(s.heapUsed), fixed(s.external), fixed(s.arrayBuffers)];
    const note = i === 0 ? '  start' : i === settledIndex ? '  settled (end of warm-up)' : i === samples.length - 1 ? '  final' : '';
    console.log(cells.map((c, j) => c.padStart(Math.max(10, (head[j] as string).length))).join(' ') + note);
  });
}

async function main(): Promise<void> {
  const started = startBench(parseArgs);
  if (started === null) return;
  const { options, reporter, myelin } = started;
  if (typeof myelin === 'string') {
    reporter.notice(`myelin unavailable:\n${myelin}`);
    process.exitCode = 1;
    return;
  }
  const { my } = myelin;
  if (typeof globalThis.gc !== 'function') reporter.notice('global.gc is missing: run through `npm run bench:soak` (node --expose-gc); collecting through the V8 flag instead');
  const scale = options.quick ? 10 : 1;
  const predictions = full.predictions / scale;
  const fits = full.fits / scale;

  const model = buildMlp(my, stepTrial);
  const pool = makePool(my, model);
  const { list, close } = channels(my, model, pool);
  const fitter = new Fitter(my, fits / shape.fitModels);
  reporter.notice(
    `soak: ${predictions} single-sample predictions (${list.map((c) => c.name).join(', ')}) on ${[stepTrial.inputDim, ...stepTrial.layers.map((l) => l.units)].join('-')}, ` +
      `${fits} fits of ${fitTrial.samples} samples on ${[fitTrial.inputDim, ...fitTrial.layers.map((l) => l.units)].join('-')} (${shape.fitModels} models), ` +
      `${shape.segments} segments, warm-up ${shape.warmupSegments}, ${my.backendInfo().threads} kernel threads`,
  );

  const start = now();
  const elapsed = (): number => (now() - start) / 1000;
  const curve: Sample[] = [await sampleMemory(0, 0, 0)];
  let done = 0;
  let wrong = 0;
  for (let segment = 0; segment < shape.segments; segment++) {
    // The segment's fits train while its predictions run, as a retraining server's would.
    const training = fitter.fit(share(fits, shape.segments, segment));
    const count = share(predictions, shape.segments, segment);
    for (const [c, channel] of list.entries()) {
      const n = share(count, list.length, c);
      const began = now();
      wrong += await channel.run(done, n);
      channel.ms += now() - began;
      channel.predictions += n;
      done += n;
    }
    await training;
    curve.push(await sampleMemory(done, fitter.done, elapsed()));
    if (options.json) console.log(JSON.stringify({ kind: 'soak-sample', ...(curve[curve.length - 1] as Sample) }));
  }
  await close();

  const settled = curve[shape.warmupSegments] as Sample;
  const last = curve[curve.length - 1] as Sample;
  const change = (last.rss - settled.rss) / settled.rss;
  const peak = Math.max(...curve.slice(shape.warmupSegments).map((s) => s.rss));
  const within = Math.abs(change) <= TOLERANCE;
  // --quick's warm-up is too short to settle (measured: +12% after it), so there the memory
  // verdict is shown but does not fail the run.
  const ok = (within || options.quick) && wrong === 0 && fitter.badLosses === 0;
  if (!ok) process.exitCode = 1;
  const rates = Object.fromEntries(list.map((c) => [c.name, c.predictions / (c.ms / 1000)]));
  const summary = {
    kind: 'soak',
    predictions: done,
    fits: fitter.done,
    seconds: last.seconds,
    settledRssMb: settled.rss,
    finalRssMb: last.rss,
    peakRssAfterWarmupMb: peak,
    change,
    withinTolerance: within,
    tolerance: TOLERANCE,
    wrongAnswers: wrong,
    nonFiniteFitLosses: fitter.badLosses,
    predictionsPerSecond: rates,
    ok,
  };
  if (options.json) {
    console.log(JSON.stringify(summary));
    return;
  }
  printCurve(curve, shape.warmupSegments);
  console.log(
    `\nsettled RSS ${fixed(settled.rss)} MB (after ${settled.predictions} predictions and ${settled.fits} fits), final ${fixed(last.rss)} MB ` +
      `(${change >= 0 ? '+' : ''}${fixed(100 * change)}%), peak after warm-up ${fixed(peak)} MB: ` +
      `${within ? 'within' : 'NOT within'} ${100 * TOLERANCE}% of settled${options.quick ? ' (not enforced with --quick)' : ''}`,
  );
  console.log(`predictions/s: ${Object.entries(rates).map(([name, r]) => `${name} ${fixed(r, 0)}`).join(', ')}; ${fitter.done} fits; ${fixed(last.seconds)} s in all`);
  console.log(`checks: ${wrong} wrong answers of ${done}, ${fitter.badLosses} non-finite fit losses${ok ? '' : ' -- FAILED'}`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
