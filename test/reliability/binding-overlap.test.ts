/**
 * Issue 12, item 12: the raw binding did not refuse overlapping buffers: sgemm with c aliasing a
 * was off by up to 32,620, denseForward with y aliasing x by up to 3.65. A buffer a kernel writes
 * must not share memory with one it reads, except the very same array where the kernel is
 * elementwise.
 */
import { expect } from 'chai';

import { ActivationCode, native } from '../../lib/backend';

const overlap = (written: string, read: string): RegExp => new RegExp(`Expected ${written} not to share memory with ${read}.* but they overlap`);

describe('reliability: overlapping buffers in the binding (item 12)', () => {
  const n = 16;
  const buffer = new Float32Array(3 * n * n).fill(1);

  it('sgemm refuses c aliasing a or b, wholly or in part', () => {
    const a = buffer.subarray(0, n * n);
    const b = buffer.subarray(n * n, 2 * n * n);
    expect(() => native.sgemm(a, a, b, n, n, n, false, false, 1, 0)).to.throw(RangeError, overlap('c', 'a'));
    expect(() => native.sgemm(buffer.subarray(n, n + n * n), a, b, n, n, n, false, false, 1, 0)).to.throw(RangeError, overlap('c', 'a'));
    expect(() => native.sgemm(buffer.subarray(2 * n * n - 1, 3 * n * n - 1), a, b, n, n, n, false, false, 1, 0)).to.throw(RangeError, overlap('c', 'b'));
    expect(() => native.sgemm(buffer.subarray(2 * n * n), a, a, n, n, n, false, false, 1, 0), 'a and b may be the same: both are read').to.not.throw();
  });

  it('denseForward refuses y aliasing x, w or z; denseBackward refuses gradients aliasing what it reads', () => {
    const x = new Float32Array(n * n);
    const w = new Float32Array(n * n);
    expect(() => native.denseForward(x, null, x, w, null, n, n, n, ActivationCode.relu, 0)).to.throw(RangeError, overlap('y', 'x'));
    expect(() => native.denseForward(w, null, x, w, null, n, n, n, ActivationCode.linear, 0)).to.throw(RangeError, overlap('y', 'w'));
    const y = new Float32Array(n * n);
    expect(() => native.denseForward(y, y, x, w, null, n, n, n, ActivationCode.relu, 0)).to.throw(RangeError, overlap('y', 'z'));
    const dy = new Float32Array(n * n);
    expect(() => native.denseBackward(null, w, null, dy, x, w, null, y, n, n, n, ActivationCode.linear, 0)).to.throw(RangeError, overlap('dw', 'w'));
    expect(() => native.denseBackward(dy, new Float32Array(n * n), null, dy, x, w, null, y, n, n, n, ActivationCode.linear, 0)).to.throw(RangeError, overlap('dx', 'dy'));
  });

  it('elementwise kernels still run in place, but refuse a shifted overlap', () => {
    const a = Float32Array.from({ length: 8 }, (_, i) => i);
    native.addElementwise(a, a, a);
    expect(Array.from(a)).to.deep.equal([0, 2, 4, 6, 8, 10, 12, 14]);
    const shared = new Float32Array(9);
    expect(() => native.addElementwise(shared.subarray(1), shared.subarray(0, 8), shared.subarray(0, 8))).to.throw(RangeError, overlap('out', 'a'));
    const z = Float32Array.of(-1, 2);
    native.activationForward(z, z, 1, 2, ActivationCode.relu, 0);
    expect(Array.from(z)).to.deep.equal([0, 2]);
  });

  it('optimizer steps refuse parameters, gradients and slots that share memory, a slot\'s in and out included', () => {
    const arena = new Float32Array(24);
    const [p, g, mOut, vOut, mIn, vIn] = [0, 1, 2, 3, 4, 5].map((k) => arena.subarray(4 * k, 4 * k + 4)) as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
    expect(() => native.adamStep(p, p, mOut, vOut, null, mIn, vIn, null, 0.1, 0.9, 0.999, 1e-7, 0, 1)).to.throw(RangeError, overlap('params', 'grads'));
    expect(() => native.adamStep(p, g, mOut, arena.subarray(10, 14), null, mIn, vIn, null, 0.1, 0.9, 0.999, 1e-7, 0, 1)).to.throw(RangeError, overlap('mOut', 'vOut'));
    expect(() => native.adamStep(p, g, mOut, vOut, null, mOut, vIn, null, 0.1, 0.9, 0.999, 1e-7, 0, 1)).to.throw(RangeError, overlap('mOut', 'mIn'));
    expect(() => native.adamStep(p, g, mOut, vOut, null, mIn, arena.subarray(19, 23), null, 0.1, 0.9, 0.999, 1e-7, 0, 1)).to.throw(RangeError, overlap('mIn', 'vIn'));
    expect(() => native.sgdStep(p, g, mOut, g, 0.1, 0.9, false)).to.throw(RangeError, overlap('grads', 'velocityIn'));
    expect(native.adamStep(p, g, mOut, vOut, null, mIn, vIn, null, 0.1, 0.9, 0.999, 1e-7, 0, 1), 'disjoint views of one buffer are fine').to.equal(1);
  });

  it('the loss kernels refuse their gradient aliasing the predictions, and gatherRows and copy their source', () => {
    const pred = new Float32Array(4);
    expect(() => native.meanSquaredError(pred, pred, new Float32Array(4), null, 2, 2)).to.throw(RangeError, overlap('dpred', 'pred'));
    const logits = new Float32Array(5);
    expect(() => native.softmaxCrossEntropy(logits.subarray(1), null, logits.subarray(0, 4), new Float32Array(4), null, 2, 2, 0)).to.throw(RangeError, overlap('probs', 'logits'));
    expect(() => native.softmaxCrossEntropy(new Float32Array(4), logits.subarray(0, 4), logits.subarray(0, 4), new Float32Array(4), null, 2, 2, 0), 'a row is read before it is written').to.not.throw();
    const rows = new Float32Array(6);
    expect(() => native.gatherRows(rows.subarray(0, 2), rows, Uint32Array.of(2, 1), 1)).to.throw(RangeError, overlap('dst', 'src'));
    expect(() => native.copy(rows.subarray(1, 4), rows.subarray(0, 3))).to.throw(RangeError, overlap('dst', 'src'));
  });
});
