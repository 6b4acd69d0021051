/**
 * ProgressReporter on a fake stream: the bar and its times, and lines that fit the width a
 * terminal gives (columns 80 and 40), whatever the metrics. test/progress-pty.test.ts runs fit
 * in a real pseudo-terminal.
 */
import { expect } from 'chai';

import { formatDuration, ProgressReporter } from '../lib/progress';
import { screenLines } from './helpers/terminal';

interface FakeStream {
  write(text: string): void;
  readonly isTTY: boolean;
  readonly columns?: number;
  readonly out: string[];
}

function stream(isTTY: boolean, columns?: number): FakeStream {
  const out: string[] = [];
  return { write: (text: string) => void out.push(text), isTTY, ...(columns === undefined ? {} : { columns }), out };
}

/** A clock the test moves by hand, in milliseconds. */
function clock(): { now: () => number; advance: (ms: number) => void } {
  let t = 0;
  return { now: () => t, advance: (ms) => void (t += ms) };
}

const MANY = { loss: 0.123456, accuracy: 0.9, precision: 0.8, recall: 0.7, auc: 0.95, val_loss: 0.2, val_accuracy: 0.85, val_sparseTopKCategoricalAccuracy: 0.99 };

describe('ProgressReporter', () => {
  it('draws a bar with the elapsed time and an ETA, redrawn in place, then the epoch line', () => {
    const s = stream(true, 120);
    const c = clock();
    const p = new ProgressReporter(s, 3, 4, 1, c.now);
    c.advance(1500);
    p.batchEnd(0, 1, { loss: 0.5 });
    c.advance(4500);
    p.batchEnd(0, 4, { loss: 0.25 });
    p.epochEnd(0, { loss: 0.25, accuracy: 0.75 }, 6);
    expect(s.out[0]).to.equal('\rEpoch 1/3 1/4 [=======>......................] 1.5s ETA 4.5s - loss: 0.5000\x1b[K');
    expect(s.out[1]).to.equal('\rEpoch 1/3 4/4 [==============================] 6.0s - loss: 0.2500\x1b[K');
    expect(s.out[2]).to.equal('\rEpoch 1/3 - 4 steps - 6.00s - loss: 0.2500 - accuracy: 0.7500\x1b[K\n');
  });

  it('redraws at most every 80 ms, but always the last step; each epoch times from its start', () => {
    const s = stream(true, 120);
    const c = clock();
    const p = new ProgressReporter(s, 2, 10, 1, c.now);
    for (let step = 1; step <= 10; step++) {
      c.advance(30);
      p.batchEnd(0, step, { loss: 1 });
    }
    expect(s.out.map((w) => w.match(/ (\s?\d+)\/10 /)?.[1]?.trim())).to.deep.equal(['1', '4', '7', '10']);
    p.epochEnd(0, { loss: 1 }, 0.3);
    c.advance(2000);
    p.batchEnd(1, 5, { loss: 1 });
    expect(s.out.at(-1)).to.match(/Epoch 2\/2  5\/10 \[.*\] 2\.0s ETA 2\.0s/);
  });

  it('writes only plain epoch lines when not on a terminal, whatever their length', () => {
    const s = stream(false, 40);
    const p = new ProgressReporter(s, 1, 2, 1);
    p.batchEnd(0, 1, { loss: 1 });
    p.epochEnd(0, MANY, 1);
    expect(s.out).to.deep.equal([`Epoch 1/1 - 2 steps - 1.00s - ${Object.entries(MANY).map(([k, v]) => `${k}: ${v.toFixed(4)}`).join(' - ')}\n`]);
  });

  for (const columns of [80, 40, 20]) {
    it(`keeps every line shorter than ${columns} columns: the bar shortens, then the metrics go, then the bar`, () => {
      const s = stream(true, columns);
      const c = clock();
      const p = new ProgressReporter(s, 100, 1000, 1, c.now);
      for (let step = 1; step <= 1000; step += 37) {
        c.advance(100);
        p.batchEnd(41, step, MANY);
      }
      p.batchEnd(41, 1000, MANY);
      p.epochEnd(41, MANY, 123.4);
      const lines = screenLines(s.out.join(''));
      for (const line of lines) expect(line.length, line).to.be.below(columns);
      // The epoch line keeps every metric and its value, on as many lines as it takes.
      const epochText = screenLines(s.out.at(-1) as string).join(' ');
      for (const value of Object.values(MANY)) expect(epochText).to.include(`: ${value.toFixed(4)}`);
    });
  }

  it('at 80 columns drops metrics only once the bar is at its shortest; a wide terminal shows all', () => {
    const draw = (columns: number): string => {
      const s = stream(true, columns);
      new ProgressReporter(s, 10, 50, 1, clock().now).batchEnd(2, 25, MANY);
      return screenLines(s.out.join(''))[0] as string;
    };
    const narrow = draw(80);
    expect(narrow).to.match(/^Epoch 3\/10 25\/50 \[=+>\.+\] 0\.0s ETA 0\.0s - loss: 0\.1235 - accuracy: 0\.9000$/);
    expect(narrow.match(/\[(.*)\]/)?.[1]).to.have.length.within(5, 29);
    expect(draw(300)).to.include('[==============>...............]').and.include('val_sparseTopKCategoricalAccuracy: 0.9900');
  });

  it('formats durations as Keras does', () => {
    expect([0.04, 4.25, 42.4, 185, 3725].map(formatDuration)).to.deep.equal(['0.0s', '4.3s', '42s', '3m05s', '1h02m']);
  });
});
