import { expect } from 'chai';

import { ProgressReporter } from '../lib/progress';

function stream(isTTY: boolean): { write(text: string): void; isTTY: boolean; out: string[] } {
  const out: string[] = [];
  return { write: (text: string) => void out.push(text), isTTY, out };
}

describe('ProgressReporter', () => {
  it('draws a bar redrawn in place on a terminal with verbose 1', () => {
    const s = stream(true);
    const p = new ProgressReporter(s, 3, 4, 1);
    p.batchEnd(0, 4, { loss: 0.5 });
    p.epochEnd(0, { loss: 0.5, accuracy: 0.75 }, 0.25);
    expect(s.out[0]).to.equal('\rEpoch 1/3 [==============================] 4/4 - loss: 0.5000\x1b[K');
    expect(s.out[1]).to.equal('\rEpoch 1/3 - 4 steps - 0.25s - loss: 0.5000 - accuracy: 0.7500\x1b[K\n');
  });

  it('writes only plain epoch lines when not on a terminal', () => {
    const s = stream(false);
    const p = new ProgressReporter(s, 1, 2, 1);
    p.batchEnd(0, 1, { loss: 1 });
    p.epochEnd(0, { loss: 1 }, 1);
    expect(s.out).to.deep.equal(['Epoch 1/1 - 2 steps - 1.00s - loss: 1.0000\n']);
  });
});
