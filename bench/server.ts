// `npm run bench:server`: autocannon against examples/server.js on 127.0.0.1, single-sample
// POST /predict: requests per second and p50/p99 latency (a) without the request batcher, (b) with
// it, (c) with it while a training job (POST /train) runs in the server's process. The model is
// 784-256-128-10 (Fashion-MNIST sized) with random weights: its speed does not depend on what the
// weights learned. Every request carries the same 784-feature sample. Each row gets a fresh
// server, a short warm-up, then `duration` seconds of load; ratios compare rows of the same run.
//
//   npm run bench:server                                        the table, about 40 s
//   npm run bench:server -- --duration 5 --connections 100 --threads 1
//
// The server runs in a child process (this file with --child), as it would in production: on an
// event loop of its own, so autocannon's client work (sending and parsing for every connection)
// is not counted in the server's latency, and the two processes can use both cores. The load
// generator keeps about one core busy: on a small machine compare the server's default thread
// count with --threads 1, which leaves the kernels no core to wait for.

import { fork, type ChildProcess } from 'node:child_process';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import autocannon from 'autocannon';

import { syntheticClassification } from './data';
import { describeMachine } from './machine';
import { buildMlp, type Model } from './mlp';
import { loadMyelin, type Myelin } from './myelin';
import { Reporter } from './report';
import { trainingTrials, type TrainingTrial } from './trials';

const trial = trainingTrials[0] as TrainingTrial; // mlp-784-256-128-10
const TRAIN_SAMPLES = 2048;
const WARMUP_SECONDS = 1;
/** More than a row lasts: the job must still be running when the window ends. */
const TRAIN_EPOCHS = 1000;
/** The largest difference allowed between the server's answer and a local predict. */
const AGREEMENT = 1e-5;

const usage = 'Usage: npm run bench:server -- [--duration seconds] [--connections n] [--threads n]';

interface Options {
  readonly duration: number;
  readonly connections: number;
  /** MYELIN_NUM_THREADS for the server, or undefined for its default. */
  readonly threads: number | undefined;
}

interface Row {
  readonly name: string;
  readonly batch: boolean;
  readonly training: boolean;
}

const rows: readonly Row[] = [
  { name: 'unbatched', batch: false, training: false },
  { name: 'batched', batch: true, training: false },
  { name: 'batched+training', batch: true, training: true },
];

interface Measured {
  readonly row: Row;
  readonly rps: number;
  readonly p50: number;
  readonly p99: number;
  /** Requests per predictAsync call in the window, or null without the batcher. */
  readonly meanBatch: number | null;
  readonly failures: number;
  readonly ok: boolean;
  readonly note: string;
}

function parseArgs(argv: readonly string[]): Options {
  const values: Record<string, number> = {};
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i] ?? '';
    if (flag === '--help' || flag === '-h') {
      console.log(usage);
      process.exit(0);
    }
    const name = flag.replace(/^--/, '');
    const value = Number(argv[++i]);
    if (!['duration', 'connections', 'threads'].includes(name) || !Number.isInteger(value) || value < 1) {
      throw new RangeError(`Expected --duration, --connections or --threads with a positive integer but received "${flag} ${argv[i] ?? ''}". ${usage}`);
    }
    values[name] = value;
  }
  return { duration: values['duration'] ?? 10, connections: values['connections'] ?? 64, threads: values['threads'] };
}

// ---- the server's side (child process) ----

interface ServerModule {
  createServer(options: { model: Model; batch: boolean; trainingData: { x: unknown; y: Float32Array } }): { server: Server; close(): Promise<void> };
}

async function serve(batch: boolean): Promise<void> {
  // The example's myelin (dist/), so that its instanceof checks accept the model.
  const my = require('myelin') as Myelin;
  const { createServer } = require('../examples/server.js') as ServerModule;
  const model = buildMlp(my, trial);
  const data = syntheticClassification(TRAIN_SAMPLES, trial.inputDim, 10, trial.seed + 1);
  const trainingData = { x: my.tensor2d(data.x, [TRAIN_SAMPLES, trial.inputDim]), y: data.labels };
  const service = createServer({ model, batch, trainingData });
  await new Promise<void>((resolve) => service.server.listen(0, '127.0.0.1', resolve));
  process.send?.({ port: (service.server.address() as AddressInfo).port, isa: my.backendInfo().isa, threads: my.backendInfo().threads });
  process.once('message', () => {
    void service.close().then(() => process.disconnect());
  });
}

// ---- the load's side ----

interface Child {
  readonly url: string;
  readonly isa: string;
  readonly threads: number;
  stop(): Promise<void>;
}

function startServer(batch: boolean, threads: number | undefined): Promise<Child> {
  const env = threads === undefined ? process.env : { ...process.env, MYELIN_NUM_THREADS: String(threads) };
  const child: ChildProcess = fork(__filename, ['--child', batch ? 'batch' : 'no-batch'], { env });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`The server process exited (code ${code}) before listening`)));
    child.once('message', (m) => {
      const { port, isa, threads: t } = m as { port: number; isa: string; threads: number };
      resolve({
        url: `http://127.0.0.1:${port}`,
        isa,
        threads: t,
        async stop() {
          child.send('close');
          await exited;
        },
      });
    });
  });
}

async function getJson(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function batcherCounts(url: string): Promise<{ requests: number; batches: number } | null> {
  return (await getJson(`${url}/model`)).body['batcher'] as { requests: number; batches: number } | null;
}

async function trainedEpochs(url: string): Promise<{ status: string; epoch: number }> {
  return (await getJson(`${url}/train`)).body as { status: string; epoch: number };
}

function load(url: string, body: string, connections: number, duration: number): Promise<autocannon.Result> {
  return autocannon({ url: `${url}/predict`, connections, duration, method: 'POST', headers: { 'content-type': 'application/json' }, body });
}

async function measureRow(row: Row, options: Options, body: string, expected: Float32Array): Promise<Measured & { isa: string; threads: number }> {
  const server = await startServer(row.batch, options.threads);
  try {
    const answer = await getJson(`${server.url}/predict`, { method: 'POST', body });
    const output = answer.body['output'] as number[] | undefined;
    const agrees = output !== undefined && output.every((v, i) => Math.abs(v - (expected[i] as number)) <= AGREEMENT);
    if (row.training) {
      const started = await getJson(`${server.url}/train`, { method: 'POST', body: JSON.stringify({ epochs: TRAIN_EPOCHS }) });
      if (started.status !== 202) throw new Error(`POST /train answered ${started.status}: ${JSON.stringify(started.body)}`);
    }
    await load(server.url, body, options.connections, WARMUP_SECONDS);
    const before = await batcherCounts(server.url);
    const trainBefore = await trainedEpochs(server.url);
    const result = await load(server.url, body, options.connections, options.duration);
    const after = await batcherCounts(server.url);
    const trainAfter = await trainedEpochs(server.url);

    const failures = result.errors + result.timeouts + result.non2xx;
    const meanBatch = before === null || after === null ? null : (after.requests - before.requests) / Math.max(1, after.batches - before.batches);
    let note = agrees ? '' : 'the answer differs from a local predict';
    let trainingOk = true;
    if (row.training) {
      const epochs = trainAfter.epoch - trainBefore.epoch;
      trainingOk = trainAfter.status === 'running';
      note = trainingOk ? `training meanwhile: ${epochs} epochs, ${Math.round((epochs * TRAIN_SAMPLES) / result.duration)} samples/s` : `the training job was ${trainAfter.status} before the window ended`;
    }
    return {
      row,
      rps: result.requests.total / result.duration,
      p50: result.latency.p50,
      p99: result.latency.p99,
      meanBatch,
      failures,
      ok: agrees && failures === 0 && trainingOk,
      note,
      isa: server.isa,
      threads: server.threads,
    };
  } finally {
    await server.stop();
  }
}

function printRow(m: Measured): void {
  const cells = [
    m.row.name.padEnd(18),
    m.rps.toFixed(0).padStart(8),
    m.p50.toFixed(1).padStart(7),
    m.p99.toFixed(1).padStart(7),
    (m.meanBatch === null ? '-' : m.meanBatch.toFixed(1)).padStart(10),
    String(m.failures).padStart(8),
    (m.ok ? 'ok' : 'NO').padEnd(3),
    m.note,
  ];
  console.log(cells.join('  ').trimEnd());
}

function ratio(a: Measured, b: Measured): string {
  return `${(a.rps / b.rps).toFixed(2)}x req/s, p50 ${(a.p50 / b.p50).toFixed(2)}x, p99 ${(a.p99 / b.p99).toFixed(2)}x`;
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const handle = loadMyelin();
  if (typeof handle === 'string') throw new Error(`myelin could not be loaded:\n${handle}`);
  new Reporter(false).header(describeMachine(handle));

  // The answer every request should get, from the same model built here.
  const sample = Array.from(syntheticClassification(1, trial.inputDim, 10, 7).x);
  const expected = buildMlp(handle.my, trial).predict([sample]).data;
  const body = JSON.stringify({ input: sample });

  const measured: Measured[] = [];
  for (const row of rows) {
    const m = await measureRow(row, options, body, expected);
    if (measured.length === 0) {
      console.log(`\n## server: ${trial.name} (random weights), ${options.connections} connections, ${options.duration} s per row, isa=${m.isa} threads=${m.threads}`);
      console.log(['row'.padEnd(18), 'req/s'.padStart(8), 'p50 ms'.padStart(7), 'p99 ms'.padStart(7), 'mean batch'.padStart(10), 'failures'.padStart(8), 'ok '].join('  '));
    }
    printRow(m);
    measured.push(m);
  }
  const [unbatched, batched, training] = measured as [Measured, Measured, Measured];
  console.log(`\nbatched / unbatched: ${ratio(batched, unbatched)}`);
  console.log(`batched+training / batched: ${ratio(training, batched)}`);
  if (measured.some((m) => !m.ok)) process.exitCode = 1;
}

if (process.argv[2] === '--child') {
  serve(process.argv[3] === 'batch').catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
} else {
  main().catch((error: unknown) => {
    // A usage error exits 2, as `npm run bench` does; anything else 1.
    console.error(error instanceof RangeError ? error.message : error);
    process.exitCode = error instanceof RangeError ? 2 : 1;
  });
}
