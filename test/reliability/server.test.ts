/**
 * Issue 12, the example server (examples/server.js): a client that goes away in the middle of
 * its request body is not an error. The example loads myelin by its package name (dist/), so the
 * model comes from there too.
 */
import { expect } from 'chai';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as net from 'node:net';

type Myelin = typeof import('../../lib/index');
type Model = InstanceType<Myelin['Sequential']>;

interface Service {
  readonly server: Server;
  close(): Promise<void>;
}

const my = require('myelin') as Myelin;
const { createServer } = require('../../examples/server.js') as { createServer(options: { model: Model }): Service };

/** Everything written to stderr (console.error included) while `work` runs. */
async function stderrDuring(work: () => Promise<void>): Promise<string> {
  const written: string[] = [];
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array) => {
    written.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    return true;
  }) as typeof process.stderr.write;
  try {
    await work();
  } finally {
    process.stderr.write = write;
  }
  return written.join('');
}

describe('reliability: example server', function () {
  this.timeout(30_000);

  it('item 15: a client that aborts mid-body gets no 500 and logs nothing; the server keeps serving', async () => {
    my.seed(15);
    const model = my.sequential([my.layers.dense({ inputShape: [4], units: 2, activation: 'softmax' })]);
    const service = createServer({ model });
    await new Promise<void>((resolve) => service.server.listen(0, '127.0.0.1', resolve));
    const port = (service.server.address() as AddressInfo).port;
    try {
      let response: ServerResponse | null = null;
      const logged = await stderrDuring(async () => {
        const requestClosed = new Promise<void>((resolve) => {
          service.server.once('request', (req: IncomingMessage, res: ServerResponse) => {
            response = res;
            req.once('close', () => resolve());
          });
        });
        const socket = net.connect(port, '127.0.0.1');
        await new Promise((resolve) => socket.once('connect', resolve));
        // 1000 bytes announced, 14 sent, then the client is gone.
        socket.write('POST /predict HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"input": [1, ');
        await new Promise((resolve) => setTimeout(resolve, 50));
        socket.destroy();
        await requestClosed;
        // The handler runs on after the request closes: give it its turns.
        await new Promise((resolve) => setTimeout(resolve, 50));
        const next = await fetch(`http://127.0.0.1:${port}/predict`, { method: 'POST', body: JSON.stringify({ input: [1, 2, 3, 4] }) });
        expect(next.status).to.equal(200);
        expect(((await next.json()) as { output: number[] }).output).to.have.length(2);
      });
      expect(logged).to.equal('');
      expect(response, 'the server saw the request').to.not.equal(null);
      expect((response as unknown as ServerResponse).headersSent, 'no response was written to the closed socket').to.equal(false);
    } finally {
      await service.close();
    }
  });
});
