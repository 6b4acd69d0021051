import { expect } from 'chai';

import { native } from '../../lib/backend';
import { randomArray } from '../helpers/data';

describe('gatherRows', () => {
  it('copies the rows named by order, in order, repeats allowed', () => {
    const [rows, cols] = [7, 33];
    const src = randomArray(rows * cols, 1);
    const order = Uint32Array.from([6, 0, 3, 3, 1]);
    const dst = new Float32Array(order.length * cols);
    native.gatherRows(dst, src, order, cols);
    order.forEach((row, r) => expect(Array.from(dst.subarray(r * cols, (r + 1) * cols))).to.deep.equal(Array.from(src.subarray(row * cols, (row + 1) * cols))));
  });

  it('refuses indices past the source, partial rows and a destination of the wrong size', () => {
    const src = new Float32Array(12);
    expect(() => native.gatherRows(new Float32Array(4), src, Uint32Array.from([3]), 4)).to.throw(RangeError, /row indices below 3 in order but order\[0\] is 3/);
    expect(() => native.gatherRows(new Float32Array(5), src, Uint32Array.from([0]), 5)).to.throw(RangeError, /whole rows of 5 floats but its length is 12/);
    expect(() => native.gatherRows(new Float32Array(3), src, Uint32Array.from([0]), 4)).to.throw(RangeError, /dst \(order.length x cols\)/);
    expect(() => native.gatherRows(new Float32Array(4), src, Int32Array.from([0]) as unknown as Uint32Array, 4)).to.throw(TypeError, /Expected a Uint32Array for order but received Int32Array/);
  });
});
