// `npm run bench:event-loop`: how long the event loop stalls while a Fashion-MNIST-sized model
// trains or predicts in the same process, and how fast it trains meanwhile. A server answering
// requests on that loop waits as long as the loop's delay.
//
//   npm run bench:event-loop              table
//   npm run bench:event-loop -- --json    one JSON object per line: the header, then each row
//
// Modes, each over the same data and the same steps (one epoch of batch 128, no shuffling):
//   fit         await model.fit(x, y): its native work off the main thread once issue 6 lands;
//   sync-yield  model.trainOnBatch per batch with `await new Promise(setImmediate)` between
//               steps: what a user without async writes; the loop waits for one whole step;
//   sync-block  the same loop without the yield: the loop waits for the whole epoch;
//   predict / predictAsync of 10000 samples, called in a loop.
// An idle row gives the floor: monitorEventLoopDelay records the time between its timer's
// callbacks, so an idle loop reads its resolution (1 ms) plus a little.
//
// After one untimed round, the modes take turns for `rounds` rounds (about 20 s in all), so a drifting clock or a busy neighbour hits all
// alike. monitorEventLoopDelay cannot be paused (a re-enabled monitor counts the pause as one
// delay) nor merged, so each window gets its own monitor; a row gives the median of the
// rounds' p50, the worst round's p99 and the largest delay seen.

import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';

import { syntheticClassification } from './data';
import { buildMlp, maxDifference, type Model } from './mlp';
import type { Myelin } from './myelin';
import type { Reporter } from './report';
import { startBench } from './start';
import { collectGarbage, now } from './timing';
import { stepTrial } from './trials';

type Tensor = ReturnType<Myelin['tensor2d']>;

const timing = { rounds: 3, predictCalls: 10, predictSamples: 10000, idleMs: 1000, resolutionMs: 1 } as const;

/** The largest difference allowed between predict's and predictAsync's outputs. */
const AGREEMENT = 1e-5;
/** Issue 6's target for the loop's p99 delay while the model trains or predicts off the main thread. */
const TARGET_P99_MS = 10;

const usage = 'Usage: npm run bench:event-loop -- [--json]';

interface Data {
  readonly x: Tensor;
  readonly y: Tensor;
  /** The samples the predict modes run on. */
  readonly predictX: Tensor;
  readonly source: string;
}

/** One mode: `run` does one window's work and returns the samples it processed. */
interface Mode {
  readonly name: string;
  readonly desc: string;
  run(): Promise<number>;
  /** False when the mode's result is wrong (a non-finite loss): its figures mean nothing. */
  ok(): boolean;
}

/** What one window measured; delays in milliseconds. */
interface Window {
  readonly samples: number;
  readonly seconds: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
  /** Timer callbacks recorded: a blocked loop records few. */
  readonly count: number;
}

function loadData(my: Myelin, reporter: Reporter): Data {
  try {
    const f = my.data.loadFashionMnist();
    return { x: f.xTrain, y: f.yTrain, predictX: f.xTest, source: 'Fashion-MNIST' };
  } catch (err) {
    reporter.notice(`Fashion-MNIST not loaded, synthetic data of its shape instead: ${err instanceof Error ? err.message : String(err)}`);
    const d = syntheticClassification(stepTrial.samples, stepTrial.inputDim, 10, stepTrial.seed);
    const x = my.tensor2d(d.x, [d.samples, d.inputDim]);
    return { x, y: my.tensor2d(d.labels, [d.samples, 1]), predictX: my.tensor2d(d.x.subarray(0, timing.predictSamples * d.inputDim), [timing.predictSamples, d.inputDim]), source: 'synthetic' };
  }
}

/** [x, y] batches of the trial's size in order, as views of the data: fit's batches without shuffling. */
function batchesOf(my: Myelin, data: Data, batchSize: number): [Tensor, Tensor][] {
  const samples = data.x.shape[0] as number;
  const cols = data.x.shape[1] as number;
  const batches: [Tensor, Tensor][] = [];
  for (let start = 0; start < samples; start += batchSize) {
    const n = Math.min(batchSize, samples - start);
    batches.push([my.tensor2d(data.x.data.subarray(start * cols, (start + n) * cols), [n, cols]), my.tensor2d(data.y.data.subarray(start, start + n), [n, 1])]);
  }
  return batches;
}

const yieldToLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** trainOnBatch over every batch in turn, with or without a yield to the loop between steps. */
function syncLoopMode(model: Model, batches: readonly [Tensor, Tensor][], samples: number, yieldBetween: boolean): Mode {
  let loss = NaN;
  return {
    name: yieldBetween ? 'sync-yield' : 'sync-block',
    desc: yieldBetween ? 'trainOnBatch + await setImmediate' : 'trainOnBatch, no yield (1 epoch blocked)',
    run: async () => {
      for (const [x, y] of batches) {
        loss = model.trainOnBatch(x, y);
        if (yieldBetween) await yieldToLoop();
      }
      return samples;
    },
    ok: () => Number.isFinite(loss),
  };
}

function trainingModes(my: Myelin, data: Data): { modes: Mode[]; fitted: Model } {
  const samples = data.x.shape[0] as number;
  const batches = batchesOf(my, data, stepTrial.batchSize);
  const fitted = buildMlp(my, stepTrial);
  let fitLoss = NaN;
  const fit: Mode = {
    name: 'fit',
    desc: 'await model.fit(x, y, { epochs: 1 })',
    run: async () => {
      const history = await fitted.fit(data.x, data.y, { epochs: 1, batchSize: stepTrial.batchSize, shuffle: false, verbose: 0 });
      fitLoss = history.history['loss']?.at(-1) ?? NaN;
      return samples;
    },
    ok: () => Number.isFinite(fitLoss),
  };
  return { modes: [fit, syncLoopMode(buildMlp(my, stepTrial), batches, samples, true), syncLoopMode(buildMlp(my, stepTrial), batches, samples, false)], fitted };
}

async function predictModes(model: Model, x: Tensor): Promise<Mode[]> {
  const samples = x.shape[0] as number;
  const agree = maxDifference(model.predict(x).data, (await model.predictAsync(x)).data) <= AGREEMENT;
  return [
    {
      name: 'predict',
      desc: `predict(${samples}) + await setImmediate`,
      run: async () => {
        for (let i = 0; i < timing.predictCalls; i++) {
          model.predict(x);
          await yieldToLoop();
        }
        return samples * timing.predictCalls;
      },
      ok: () => agree,
    },
    {
      name: 'predictAsync',
      desc: `await predictAsync(${samples})`,
      run: async () => {
        for (let i = 0; i < timing.predictCalls; i++) await model.predictAsync(x);
        return samples * timing.predictCalls;
      },
      ok: () => agree,
    },
  ];
}

const idleMode: Mode = {
  name: 'idle',
  desc: `nothing (${timing.idleMs} ms): the monitor's floor`,
  run: async () => {
    await sleep(timing.idleMs);
    return 0;
  },
  ok: () => true,
};

/** Runs one window of `mode` under a fresh monitor. */
async function measure(mode: Mode): Promise<Window> {
  collectGarbage();
  const monitor = monitorEventLoopDelay({ resolution: timing.resolutionMs });
  monitor.enable();
  // The monitor's first callback only starts its clock: wait for it (due before this timer),
  // or a loop blocked from the start would record nothing.
  await sleep(2 * timing.resolutionMs);
  const start = now();
  const samples = await mode.run();
  const ms = now() - start;
  // A loop blocked to the end has not run the monitor's timer yet: let it fire (it is due
  // before this one) so the stall is recorded.
  await sleep(timing.resolutionMs);
  monitor.disable();
  const toMs = (ns: number): number => (monitor.count === 0 ? NaN : ns / 1e6);
  return { samples, seconds: ms / 1000, p50: toMs(monitor.percentile(50)), p99: toMs(monitor.percentile(99)), max: toMs(monitor.max), count: monitor.count };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

interface Summary {
  readonly samplesPerSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

function summarize(windows: readonly Window[]): Summary {
  const samples = windows.reduce((sum, w) => sum + w.samples, 0);
  const seconds = windows.reduce((sum, w) => sum + w.seconds, 0);
  return {
    samplesPerSecond: samples > 0 ? samples / seconds : NaN,
    p50: median(windows.map((w) => w.p50)),
    p99: Math.max(...windows.map((w) => w.p99)),
    max: Math.max(...windows.map((w) => w.max)),
  };
}

const columns = [
  { title: 'mode', width: 13 },
  { title: 'what', width: 42 },
  { title: 'samples/s', width: 10, right: true },
  { title: 'p50 ms', width: 8, right: true },
  { title: 'p99 ms', width: 8, right: true },
  { title: 'max ms', width: 9, right: true },
  { title: 'ok', width: 3 },
  { title: 'p99 per round (ms); timer callbacks', width: 0 },
] as const;

function printRow(cells: readonly string[]): void {
  console.log(
    columns
      .map((c, i) => {
        const text = cells[i] ?? '';
        if (c.width === 0) return text;
        return 'right' in c ? text.padStart(c.width) : text.padEnd(c.width);
      })
      .join(' ')
      .trimEnd(),
  );
}

const fixed = (v: number, digits: number): string => (Number.isFinite(v) ? v.toFixed(digits) : '-');

function parseArgs(argv: readonly string[]): { json: boolean } {
  let json = false;
  for (const arg of argv) {
    if (arg === '--json') json = true;
    else if (arg === '--help' || arg === '-h') {
      console.log(usage);
      process.exit(0);
    } else throw new RangeError(`Unknown option "${arg}". ${usage}`);
  }
  return { json };
}

async function main(): Promise<void> {
  const started = startBench(parseArgs);
  if (started === null) return;
  const { options: { json }, reporter, myelin } = started;
  if (typeof myelin === 'string') {
    reporter.notice(`myelin unavailable:\n${myelin}`);
    process.exitCode = 1;
    return;
  }
  const { my } = myelin;
  const data = loadData(my, reporter);
  const { modes: training, fitted } = trainingModes(my, data);
  const modes = [idleMode, ...training, ...(await predictModes(fitted, data.predictX))];
  const shape = `${[stepTrial.inputDim, ...stepTrial.layers.map((l) => l.units)].join('-')}`;
  reporter.notice(
    `event loop: ${shape}, ${data.source} (${data.x.shape[0]} samples, batch ${stepTrial.batchSize}), ${timing.rounds} rounds, ` +
      `monitorEventLoopDelay resolution ${timing.resolutionMs} ms, ${my.backendInfo().threads} kernel threads`,
  );

  // An untimed round first: a mode's first window pays for its first-call allocations
  // (workspaces, Adam's slots) and the JIT (measured: fit's first epoch took 1.7x its next).
  for (const mode of modes) await measure(mode);
  const windows = new Map<Mode, Window[]>(modes.map((m) => [m, []]));
  for (let round = 0; round < timing.rounds; round++) {
    for (const mode of modes) windows.get(mode)?.push(await measure(mode));
  }

  if (!json) printRow(columns.map((c) => c.title));
  const summaries = new Map<string, Summary>();
  for (const mode of modes) {
    const ws = windows.get(mode) ?? [];
    const s = summarize(ws);
    const ok = mode.ok();
    if (!ok) process.exitCode = 1;
    summaries.set(mode.name, s);
    const perRound = `${ws.map((w) => fixed(w.p99, 1)).join(', ')}; ${ws.map((w) => w.count).join(', ')}`;
    if (json) {
      console.log(JSON.stringify({ kind: 'event-loop', mode: mode.name, desc: mode.desc, shape, data: data.source, ...s, ok, rounds: ws }));
    } else {
      printRow([mode.name, mode.desc, fixed(s.samplesPerSecond, 0), fixed(s.p50, 2), fixed(s.p99, 2), fixed(s.max, 1), ok ? 'ok' : 'NO', perRound]);
    }
  }
  const rate = (name: string): number => summaries.get(name)?.samplesPerSecond ?? NaN;
  const p99 = (name: string): number => summaries.get(name)?.p99 ?? NaN;
  const verdict = {
    fitOverSyncYield: rate('fit') / rate('sync-yield'),
    predictAsyncOverPredict: rate('predictAsync') / rate('predict'),
    targetP99Ms: TARGET_P99_MS,
    fitUnderTarget: p99('fit') < TARGET_P99_MS,
    predictAsyncUnderTarget: p99('predictAsync') < TARGET_P99_MS,
  };
  if (json) {
    console.log(JSON.stringify({ kind: 'event-loop-verdict', ...verdict }));
    return;
  }
  const target = (name: string, under: boolean): string => `${name} p99 ${fixed(p99(name), 2)} ms ${under ? 'under' : 'NOT under'} the ${TARGET_P99_MS} ms target`;
  console.log(`\n${target('fit', verdict.fitUnderTarget)}; ${target('predictAsync', verdict.predictAsyncUnderTarget)}`);
  console.log(`fit samples/s over sync-yield samples/s (same run): ${fixed(verdict.fitOverSyncYield, 2)}x`);
  console.log(`predictAsync samples/s over predict samples/s (same run): ${fixed(verdict.predictAsyncOverPredict, 2)}x`);
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
