// An HTTP inference server on node:http. POST /predict answers one sample or a batch with JSON;
// single samples go through a request batcher (my.serving.batcher), which predicts the requests
// that arrive together as one batch. GET /healthz and GET /model report health and the model;
// POST /train trains a new model in the background and swaps it in without dropping a request.
//
//   node examples/server.js [model.myelin]      (PORT=3000 by default; HOST=127.0.0.1)
//   curl -s localhost:3000/predict -d '{"input": [0, 0, 0.3, ... 64 numbers]}'
//
// Without a model file it first trains a small model on the 8x8 digits that ship with myelin,
// so it runs out of the box.
const http = require('node:http');
const my = require('myelin');

const MAX_BODY_BYTES = 1024 * 1024;
const MAX_ROWS = 1024;
const MAX_EPOCHS = 1000;

/** A request the server refuses: its status and a message for the client. */
class HttpError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

function kind(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of length ${value.length}`;
  if (typeof value === 'string') return `${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)} (string)`;
  return typeof value === 'object' ? 'an object' : `${value} (${typeof value})`;
}

/** The body as text, refused with 413 past MAX_BODY_BYTES (declared or counted). */
function readBody(req) {
  return new Promise((resolve, reject) => {
    const tooLarge = (bytes) => new HttpError(413, `Expected a body of at most ${MAX_BODY_BYTES} bytes but received ${bytes}`);
    const declared = Number(req.headers['content-length']);
    if (declared > MAX_BODY_BYTES) return reject(tooLarge(declared));
    const chunks = [];
    let size = 0;
    req.on('data', (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data');
        reject(tooLarge(`more than that (${size} so far)`));
      } else {
        chunks.push(chunk);
      }
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** The body as a JSON object holding only `allowed` keys. */
async function readJsonObject(req, allowed, shape) {
  const text = await readBody(req);
  let body;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `Invalid JSON: ${error.message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new HttpError(400, `Expected a JSON object ${shape} but received ${kind(body)}`);
  }
  const unknown = Object.keys(body).find((key) => !allowed.includes(key));
  if (unknown !== undefined) throw new HttpError(400, `Unknown field "${unknown}": expected ${shape}`);
  return body;
}

/** Writes one row of `features` numbers from JSON into target at offset; `path` names it in errors. */
function parseRow(value, path, features, target, offset) {
  if (!Array.isArray(value)) throw new HttpError(400, `Expected an array of ${features} numbers for ${path} but received ${kind(value)}`);
  if (value.length !== features) throw new HttpError(400, `Expected ${features} numbers for ${path} (the model's inputs) but received ${value.length}`);
  for (let i = 0; i < features; i++) {
    const v = value[i];
    if (typeof v !== 'number') throw new HttpError(400, `Expected a number for ${path}[${i}] but received ${kind(v)}`);
    target[offset + i] = v;
    // JSON's 1e400 parses to Infinity, and 1e39 overflows float32.
    if (!Number.isFinite(target[offset + i])) throw new HttpError(400, `Expected a finite float32 for ${path}[${i}] but received ${v}`);
  }
}

/** A new, untrained classifier of the same layers. */
function freshCopy(model) {
  const next = my.modelFromJSON(model.toJSON());
  next.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
  return next;
}

/**
 * The server, not yet listening: call server.listen(port). `trainingData` ({ x, y }) is what
 * POST /train fits on (default: the shipped digits). batch: false sends every single sample
 * straight to predictAsync (the baseline the batcher is measured against).
 */
function createServer({ model, batch = true, maxBatchSize, maxDelayMs, trainingData } = {}) {
  if (!(model instanceof my.Sequential)) throw new TypeError(`Expected a Sequential model for model but received ${kind(model)}`);
  const batcherOptions = { ...(maxBatchSize !== undefined && { maxBatchSize }), ...(maxDelayMs !== undefined && { maxDelayMs }) };
  const serving = (m, generation) => ({ model: m, batcher: batch ? my.serving.batcher(m, batcherOptions) : null, generation });
  // Every request reads `current` once, in the same tick as it predicts: a swap never splits a request.
  let current = serving(model, 0);
  let training = { status: 'idle' };
  let job = null;
  // Aborts the training job when the server closes: fit stops between two steps.
  const stopTraining = new AbortController();
  let closing = null;
  let digits = null;

  /** Puts `next` in service; resolves once the old batcher has answered what it holds. */
  async function swapModel(next) {
    if (!(next instanceof my.Sequential)) throw new TypeError(`Expected a Sequential model for newModel but received ${kind(next)}`);
    const old = current;
    if (next.inputUnits !== old.model.inputUnits || next.outputUnits !== old.model.outputUnits) {
      throw new RangeError(`Expected a model of ${old.model.inputUnits} inputs and ${old.model.outputUnits} outputs for newModel but received ${next.inputUnits} and ${next.outputUnits}`);
    }
    current = serving(next, old.generation + 1);
    await old.batcher?.close();
  }

  async function predict(req) {
    const body = await readJsonObject(req, ['input', 'inputs'], '{ "input": [numbers] } or { "inputs": [[numbers], ...] }');
    const { model: m, batcher } = current;
    const k = m.inputUnits;
    if ((body.input === undefined) === (body.inputs === undefined)) throw new HttpError(400, 'Expected exactly one of "input" (one sample) and "inputs" (a batch)');
    if (body.input !== undefined) {
      const x = new Float32Array(k);
      parseRow(body.input, 'input', k, x, 0);
      const output = batcher === null ? (await m.predictAsync(my.tensor2d(x, [1, k]))).data : await batcher.predict(x);
      return [200, { output: Array.from(output) }];
    }
    const rows = body.inputs;
    if (!Array.isArray(rows) || rows.length === 0) throw new HttpError(400, `Expected a non-empty array of rows for inputs but received ${kind(rows)}`);
    if (rows.length > MAX_ROWS) throw new HttpError(413, `Expected at most ${MAX_ROWS} rows for inputs but received ${rows.length}`);
    const x = new Float32Array(rows.length * k);
    rows.forEach((row, i) => parseRow(row, `inputs[${i}]`, k, x, i * k));
    const y = await m.predictAsync(my.tensor2d(x, [rows.length, k]));
    return [200, { outputs: y.toArray() }];
  }

  function modelInfo() {
    const { model: m, batcher, generation } = current;
    return {
      generation,
      inputUnits: m.inputUnits,
      outputUnits: m.outputUnits,
      parameters: m.countParams(),
      layers: m.layers.map((l) => ({ name: l.name, className: l.className, outputUnits: l.outputUnits, parameters: l.paramCount() })),
      batcher: batcher === null ? null : { maxBatchSize: batcher.maxBatchSize, maxDelayMs: batcher.maxDelayMs, ...batcher.stats },
    };
  }

  async function train(next, data, epochs) {
    try {
      const onEpochEnd = (epoch, logs) => Object.assign(training, { epoch: epoch + 1, loss: logs.loss });
      await next.fit(data.x, data.y, { epochs, batchSize: 32, verbose: 0, signal: stopTraining.signal, callbacks: { onEpochEnd } });
      const drained = swapModel(next);
      training = { ...training, status: 'done', generation: current.generation, finishedAt: new Date().toISOString() };
      await drained;
    } catch (error) {
      const status = error instanceof my.AbortError ? 'cancelled' : 'failed';
      training = { ...training, status, error: error.message, finishedAt: new Date().toISOString() };
    }
  }

  async function startTraining(req) {
    const body = await readJsonObject(req, ['epochs'], '{ "epochs": n }');
    if (closing !== null) throw new HttpError(503, 'The server is shutting down');
    if (job !== null) throw new HttpError(409, `A training job is already running (since ${training.startedAt}): GET /train shows its progress`);
    const { epochs } = body;
    if (!Number.isInteger(epochs) || epochs < 1 || epochs > MAX_EPOCHS) throw new HttpError(400, `Expected an integer from 1 to ${MAX_EPOCHS} for epochs but received ${kind(epochs)}`);
    const data = trainingData ?? (digits ??= my.data.loadDigits());
    training = { status: 'running', epochs, epoch: 0, startedAt: new Date().toISOString() };
    job = train(freshCopy(current.model), data, epochs).finally(() => (job = null));
    return [202, training];
  }

  const routes = new Map([
    ['/predict', { POST: predict }],
    ['/healthz', { GET: async () => [200, { status: 'ok' }] }],
    ['/model', { GET: async () => [200, modelInfo()] }],
    ['/train', { GET: async () => [200, training], POST: startTraining }],
  ]);

  function send(res, status, body, headers = {}) {
    // The client has gone (it closed the connection while we worked): nobody is there to answer.
    if (res.destroyed) return;
    const text = JSON.stringify(body);
    // While closing, a kept-alive connection is closed after its response, so close() can end.
    const connection = closing !== null || status === 413 ? { Connection: 'close' } : {};
    res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers, ...connection });
    res.end(text);
  }

  async function handle(req, res) {
    const path = req.url.split('?')[0];
    const route = routes.get(path);
    if (route === undefined) return send(res, 404, { error: `No route ${path}: try POST /predict, GET /healthz, GET /model, GET or POST /train` });
    const handler = Object.hasOwn(route, req.method) ? route[req.method] : undefined;
    if (handler === undefined) {
      const allow = Object.keys(route).join(', ');
      return send(res, 405, { error: `${req.method} is not allowed on ${path}: use ${allow}` }, { Allow: allow });
    }
    try {
      const [status, body] = await handler(req);
      send(res, status, body);
    } catch (error) {
      // A client that went away before its body was whole (an aborted upload) is not an error.
      if (req.destroyed && !req.complete) return;
      if (error instanceof HttpError) return send(res, error.status, { error: error.message });
      // myelin's argument errors are the client's fault (a check this server missed); anything else is ours.
      if (error instanceof my.ArgumentTypeError || error instanceof my.ArgumentRangeError) return send(res, 400, { error: error.message });
      console.error(error);
      send(res, 500, { error: 'Internal server error' });
    }
  }

  const server = http.createServer((req, res) => void handle(req, res));

  /** Stops accepting, lets in-flight requests finish, stops a training job, then closes the batcher. */
  function close() {
    closing ??= (async () => {
      stopTraining.abort();
      if (server.listening) {
        const closed = new Promise((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
        server.closeIdleConnections();
        await closed;
      }
      await job;
      await current.batcher?.close();
    })();
    return closing;
  }

  return {
    server,
    swapModel,
    close,
    /** The model in service now. */
    get model() {
      return current.model;
    },
  };
}

/** Trains the fallback model: 64-32-10 on the shipped digits, a few seconds. */
async function trainDigits(log) {
  const { x, y } = my.data.loadDigits();
  const model = my.sequential([
    my.layers.dense({ inputShape: [64], units: 32, activation: 'relu' }),
    my.layers.dense({ units: 10, activation: 'softmax' }),
  ]);
  model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy', metrics: ['accuracy'] });
  const history = await model.fit(x, y, { epochs: 20, batchSize: 32, verbose: 0 });
  log(`No model file given: trained a 64-32-10 model on ${x.shape[0]} digits (accuracy ${history.history.accuracy.at(-1).toFixed(3)})`);
  return model;
}

/** Loads (or trains) a model and serves it; resolves once listening, with the url and close(). */
async function main({ port = Number(process.env.PORT ?? 3000), host = process.env.HOST ?? '127.0.0.1', modelPath, log = console.log } = {}) {
  const model = modelPath === undefined ? await trainDigits(log) : await my.loadModel(modelPath);
  const service = createServer({ model });
  await new Promise((resolve, reject) => {
    service.server.once('error', reject);
    service.server.listen(port, host, resolve);
  });
  const url = `http://${host}:${service.server.address().port}`;
  log(`Serving a ${model.inputUnits}-input model on ${url}: POST /predict, GET /healthz, GET /model, GET|POST /train`);
  return Object.assign(service, { url });
}

module.exports = { createServer, main };
if (require.main === module) {
  main({ modelPath: process.argv[2] }).then(
    ({ close }) => {
      const stop = () => close().then(() => console.log('Closed cleanly'));
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    },
    (error) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
