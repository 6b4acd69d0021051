import { expect } from 'chai';

import { activationCode, activationNames } from '../../lib/activations';
import { native } from '../../lib/backend';
import { expectClose, VALUES } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { activationBackwardRef, activationRef } from '../helpers/reference';

const sizes: [number, number][] = [[1, 1], [7, 33], [3, 257], [16, 10]];

describe('activation kernels', () => {
  for (const act of activationNames) {
    for (const [rows, cols] of sizes) {
      it(`${act} forward and backward match float64 on ${rows}x${cols}`, () => {
        const z = randomArray(rows * cols, rows + cols, 4);
        const y = new Float32Array(rows * cols);
        native.activationForward(y, z, rows, cols, activationCode(act));
        expectClose(y, activationRef(z, rows, cols, act), VALUES, 'forward');

        const dy = randomArray(rows * cols, 3 * rows + cols);
        const dz = new Float32Array(rows * cols);
        native.activationBackward(dz, dy, y, rows, cols, activationCode(act));
        expectClose(dz, activationBackwardRef(dy, y, rows, cols, act), VALUES, 'backward');
      });
    }
  }

  it('sigmoid, tanh and softmax stay finite and saturate at extreme inputs', () => {
    const z = Float32Array.from([-1000, -88, 0, 88, 1000, 3e38]);
    for (const act of ['sigmoid', 'tanh', 'softmax'] as const) {
      const y = new Float32Array(z.length);
      native.activationForward(y, z, 1, z.length, activationCode(act));
      expect(y.every(Number.isFinite), `${act}: ${Array.from(y)}`).to.equal(true);
    }
    const s = new Float32Array(2);
    native.activationForward(s, Float32Array.from([-1000, 1000]), 1, 2, activationCode('sigmoid'));
    expect(Array.from(s)).to.deep.equal([0, 1]);
  });

  it('works in place (y and z the same buffer)', () => {
    const z = randomArray(7 * 9, 4, 3);
    const ref = activationRef(z, 7, 9, 'softmax');
    native.activationForward(z, z, 7, 9, activationCode('softmax'));
    expectClose(z, ref, VALUES);
  });
});
