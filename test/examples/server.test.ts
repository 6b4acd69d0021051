/**
 * examples/server.js, over real HTTP on an ephemeral port: answers equal to model.predict, status
 * codes and messages for bad requests (after which it keeps serving), a model trained and swapped
 * in while requests go on, and a clean shutdown. The example loads myelin by its package name,
 * which resolves to dist/, so the models here come from there too (the server checks instanceof).
 */
import { expect } from 'chai';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { expectClose } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { timeLimit } from '../helpers/time';

type Myelin = typeof import('../../lib/index');
type Model = InstanceType<Myelin['Sequential']>;

interface Service {
  readonly server: Server;
  readonly model: Model;
  swapModel(next: Model): Promise<void>;
  close(): Promise<void>;
}

interface ServerOptions {
  model: Model;
  batch?: boolean;
  maxBatchSize?: number;
  maxDelayMs?: number;
}

interface ServerModule {
  createServer(options: ServerOptions): Service;
  main(options: { port: number; modelPath: string; log: (line: string) => void }): Promise<Service & { url: string }>;
}

const my = require('myelin') as Myelin;
const { createServer, main } = require('../../examples/server.js') as ServerModule;

const FEATURES = 64;
/** A row's result may differ in the last bits between batch sizes. */
const ROW = { atol: 1e-5, rtol: 0 };

function makeModel(seed: number, features = FEATURES): Model {
  my.seed(seed);
  const model = my.sequential([
    my.layers.dense({ inputShape: [features], units: 16, activation: 'relu' }),
    my.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  return model;
}

function sample(seed: number): number[] {
  return Array.from(randomArray(FEATURES, seed));
}

function expected(model: Model, x: number[]): Float32Array {
  return model.predict([x]).data;
}

async function start(options: ServerOptions): Promise<{ service: Service; url: string }> {
  const service = createServer(options);
  await new Promise<void>((resolve) => service.server.listen(0, '127.0.0.1', resolve));
  return { service, url: `http://127.0.0.1:${(service.server.address() as AddressInfo).port}` };
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

async function request(url: string, method = 'GET', body?: unknown): Promise<Reply> {
  const init: RequestInit = { method };
  if (body !== undefined) init.body = typeof body === 'string' ? body : JSON.stringify(body);
  const res = await fetch(url, init);
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

async function predictOne(url: string, model: Model, seed: number): Promise<void> {
  const x = sample(seed);
  const { status, body } = await request(`${url}/predict`, 'POST', { input: x });
  expect(status, JSON.stringify(body)).to.equal(200);
  expectClose(body['output'] as number[], expected(model, x), ROW, `sample ${seed}`);
}

describe('examples/server.js', function () {
  this.timeout(timeLimit(30_000));

  describe('predictions and validation', () => {
    const model = makeModel(1);
    let service: Service;
    let url: string;
    before(async () => ({ service, url } = await start({ model, maxDelayMs: 5 })));
    after(() => service.close());

    it('GET /healthz and GET /model describe the server and its model', async () => {
      expect(await request(`${url}/healthz`)).to.deep.include({ status: 200, body: { status: 'ok' } });
      const { status, body } = await request(`${url}/model`);
      expect(status).to.equal(200);
      expect(body).to.deep.include({ generation: 0, inputUnits: FEATURES, outputUnits: 10, parameters: model.countParams() });
      expect((body['layers'] as { className: string }[]).map((l) => l.className)).to.deep.equal(['Dense', 'Dense']);
    });

    it('answers 100 concurrent single samples, each with its own row, in fewer batches', async () => {
      await Promise.all(Array.from({ length: 100 }, (_, i) => predictOne(url, model, 1000 + i)));
      const stats = (await request(`${url}/model`)).body['batcher'] as { requests: number; batches: number; largestBatch: number };
      expect(stats.requests).to.be.at.least(100);
      expect(stats.batches).to.be.below(stats.requests);
      expect(stats.largestBatch).to.be.at.most(32);
    });

    it('answers a batch of inputs with one output row each', async () => {
      const rows = [1, 2, 3, 4, 5].map(sample);
      const { status, body } = await request(`${url}/predict`, 'POST', { inputs: rows });
      expect(status).to.equal(200);
      expectClose((body['outputs'] as number[][]).flat(), model.predict(rows).data, ROW);
    });

    const tooManyRows = { inputs: Array.from({ length: 1025 }, () => new Array(FEATURES).fill(0)) };
    const bad: [string, unknown, number, RegExp][] = [
      ['invalid JSON', '{"input": [1, 2', 400, /^Invalid JSON/],
      ['a JSON array', '[1, 2]', 400, /Expected a JSON object .* but received an array of length 2/],
      ['neither input nor inputs', {}, 400, /exactly one of "input" .* and "inputs"/],
      ['both input and inputs', { input: sample(1), inputs: [sample(1)] }, 400, /exactly one of/],
      ['an unknown field', { input: sample(1), verbose: true }, 400, /Unknown field "verbose"/],
      ['a short sample', { input: sample(1).slice(1) }, 400, /Expected 64 numbers for input \(the model's inputs\) but received 63/],
      ['a sample that is not an array', { input: 'pixels' }, 400, /array of 64 numbers for input but received "pixels"/],
      ['a string among the numbers', { input: [...sample(1).slice(1), '0.5'] }, 400, /Expected a number for input\[63\] but received "0.5" \(string\)/],
      ['a number past float32', `{"input": [${[...sample(1).slice(1), '1e39'].join(',')}]}`, 400, /finite float32 for input\[63\] but received 1e\+39/],
      ['an empty batch', { inputs: [] }, 400, /non-empty array of rows for inputs/],
      ['a bad row in a batch', { inputs: [sample(1), sample(2).slice(2)] }, 400, /for inputs\[1\] .* but received 62/],
      ['too many rows', tooManyRows, 413, /at most 1024 rows for inputs but received 1025/],
      ['a body over 1 MiB', JSON.stringify({ input: sample(1), pad: 'x'.repeat(1 << 20) }), 413, /at most 1048576 bytes/],
    ];
    bad.forEach(([what, body, status, pattern]) => {
      it(`answers ${status} to ${what}, and keeps serving`, async () => {
        const reply = await request(`${url}/predict`, 'POST', body);
        expect(reply.status).to.equal(status);
        expect(reply.body['error']).to.match(pattern);
        await predictOne(url, model, 7);
      });
    });

    it('answers 413 to a streamed body over 1 MiB without a Content-Length', async () => {
      const chunk = new TextEncoder().encode(' '.repeat(64 * 1024));
      let sent = 0;
      const stream = new ReadableStream<Uint8Array>({
        pull(controller) {
          if (sent++ < 32) controller.enqueue(chunk);
          else controller.close();
        },
      });
      const res = await fetch(`${url}/predict`, { method: 'POST', body: stream, duplex: 'half' } as RequestInit);
      expect(res.status).to.equal(413);
      await res.body?.cancel();
      await predictOne(url, model, 8);
    });

    it('answers 404 to an unknown route and 405 (with Allow) to a wrong method', async () => {
      const missing = await request(`${url}/nope`);
      expect(missing.status).to.equal(404);
      expect(missing.body['error']).to.match(/No route \/nope/);
      const wrong = await request(`${url}/predict`);
      expect(wrong.status).to.equal(405);
      expect(wrong.headers.get('allow')).to.equal('POST');
      expect((await request(`${url}/healthz`, 'DELETE')).status).to.equal(405);
    });

    it('answers unbatched too, with batch: false', async () => {
      const other = await start({ model, batch: false });
      try {
        await Promise.all([1, 2, 3].map((s) => predictOne(other.url, model, s)));
        expect((await request(`${other.url}/model`)).body['batcher']).to.equal(null);
      } finally {
        await other.service.close();
      }
    });
  });

  describe('training and swapping models', () => {
    it('trains a new model in the background and swaps it in while requests go on, none failing', async () => {
      const model = makeModel(2);
      const { service, url } = await start({ model, maxDelayMs: 1 });
      try {
        expect((await request(`${url}/train`, 'POST', { epochs: 0 })).status).to.equal(400);
        const started = await request(`${url}/train`, 'POST', { epochs: 10 });
        expect(started).to.deep.include({ status: 202 });
        expect(started.body).to.deep.include({ status: 'running', epochs: 10 });
        const again = await request(`${url}/train`, 'POST', { epochs: 1 });
        expect(again.status).to.equal(409);
        expect(again.body['error']).to.match(/already running/);
        const answered: [number[], number[]][] = [];
        let roundsWhileTraining = 0;
        for (;;) {
          const { body: job } = await request(`${url}/train`);
          if (job['status'] !== 'running') {
            expect(job).to.deep.include({ status: 'done', epoch: 10, generation: 1 });
            break;
          }
          roundsWhileTraining++;
          const inputs = Array.from({ length: 10 }, (_, i) => sample(100 * roundsWhileTraining + i));
          const replies = await Promise.all(inputs.map((input) => request(`${url}/predict`, 'POST', { input })));
          replies.forEach((r, i) => {
            expect(r.status, JSON.stringify(r.body)).to.equal(200);
            answered.push([inputs[i] as number[], r.body['output'] as number[]]);
          });
        }
        expect(roundsWhileTraining, 'requests were answered while training ran').to.be.above(0);
        expect(service.model).to.not.equal(model);
        expect((await request(`${url}/model`)).body['generation']).to.equal(1);
        // The old model answers until the swap, the new one after: each answer is one model's, whole.
        const matches = (got: number[], want: Float32Array): boolean => got.every((v, i) => Math.abs(v - (want[i] as number)) <= ROW.atol);
        answered.forEach(([input, output], i) => {
          expect(matches(output, expected(model, input)) || matches(output, expected(service.model, input)), `answer ${i} is neither model's`).to.equal(true);
        });
        await predictOne(url, service.model, 3);
        const before = expected(model, sample(3));
        const after = expected(service.model, sample(3));
        expect(Array.from(after)).to.not.deep.equal(Array.from(before));
      } finally {
        await service.close();
      }
    });

    it('swapModel() puts another model in service at once; a model of other sizes is refused', async () => {
      const { service, url } = await start({ model: makeModel(3) });
      try {
        const next = makeModel(4);
        await Promise.all([service.swapModel(next), predictOne(url, next, 1)]);
        expect((await request(`${url}/model`)).body['generation']).to.equal(1);
        await predictOne(url, next, 2);
        const refused = await service.swapModel(makeModel(5, 32)).then(() => null, (e: unknown) => e);
        expect(refused).to.be.instanceOf(RangeError);
        expect((refused as Error).message).to.match(/64 inputs and 10 outputs for newModel but received 32 and 10/);
        expect((await request(`${url}/model`)).body['generation']).to.equal(1);
      } finally {
        await service.close();
      }
    });
  });

  describe('close()', () => {
    it('lets in-flight requests finish, then stops accepting', async () => {
      const model = makeModel(6);
      const { service, url } = await start({ model, maxDelayMs: 300 });
      let received = 0;
      const allReceived = new Promise<void>((resolve) => service.server.on('request', () => ++received === 5 && resolve()));
      const pending = [1, 2, 3, 4, 5].map((s) => predictOne(url, model, s));
      await allReceived; // in flight: they will wait in the batcher for up to its 300 ms
      await service.close();
      await Promise.all(pending);
      expect(service.server.listening).to.equal(false);
      const late = await fetch(`${url}/healthz`).then(() => null, (e: unknown) => e);
      expect(late).to.be.instanceOf(TypeError);
    });

    it('main() serves a saved model on the port it is given', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-server-'));
      try {
        const model = makeModel(7);
        const file = path.join(dir, 'model.myelin');
        await model.save(file);
        const lines: string[] = [];
        const service = await main({ port: 0, modelPath: file, log: (line) => lines.push(line) });
        try {
          expect(lines.join('\n')).to.match(/Serving a 64-input model on http:\/\/127\.0\.0\.1:\d+/);
          await predictOne(service.url, model, 1);
        } finally {
          await service.close();
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
});
