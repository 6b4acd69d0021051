/**
 * The raw binding trusts nothing: lengths that lie about the buffer, wrong types and missing
 * arguments are thrown errors every time, never a crash of the process.
 */
import { expect } from 'chai';

import { native } from '../lib/backend';

const f = (n: number): Float32Array => new Float32Array(n);
type Raw = Record<string, (...args: unknown[]) => unknown>;
const raw = native as unknown as Raw;

describe('native binding argument checks', () => {
  it('sgemm refuses lengths that lie about the buffers', () => {
    expect(() => native.sgemm(f(6), f(6), f(8), 2, 3, 3, false, false, 1, 0)).to.throw(RangeError, /Expected b \(k x n\) to hold 3x3 = 9 floats but its length is 8/);
    expect(() => native.sgemm(f(6), f(6), f(9), 2, 3, 3, false, true, 1, 0)).to.not.throw();
    expect(() => native.sgemm(f(7), f(6), f(9), 2, 3, 3, false, false, 1, 0)).to.throw(RangeError, /Expected c \(m x n\) to hold 2x3 = 6 floats but its length is 7/);
    expect(() => native.sgemm(f(6), f(5), f(9), 2, 3, 3, false, false, 1, 0)).to.throw(RangeError, /Expected a \(m x k\) to hold 2x3 = 6 floats but its length is 5/);
    expect(() => native.sgemm(f(6), f(6), f(9), 2, 3, 1e9, false, false, 1, 0)).to.throw(RangeError);
    expect(() => native.sgemm(f(6), f(6), f(9), 2, 3, -1, false, false, 1, 0)).to.throw(RangeError, /non-negative integer below 2\^31 for k but received number -1/);
    expect(() => native.sgemm(f(6), f(6), f(9), 2, 3, 2.5, false, false, 1, 0)).to.throw(RangeError);
    expect(() => native.sgemm(f(6), f(6), f(9), 2, 3, 3, false, false, NaN, 0)).to.throw(RangeError, /finite number for alpha/);
  });

  it('refuses arrays of other types, non-arrays and missing arguments', () => {
    expect(() => raw['sgemm']!(new Float64Array(6), f(6), f(9), 2, 3, 3, false, false, 1, 0)).to.throw(TypeError, /Expected a Float32Array for c but received Float64Array/);
    expect(() => raw['sgemm']!([1, 2], f(6), f(9), 2, 3, 3, false, false, 1, 0)).to.throw(TypeError, /received Array/);
    expect(() => raw['sgemm']!(f(6), f(6), f(9), '2', 3, 3, false, false, 1, 0)).to.throw(TypeError, /for m but received string/);
    expect(() => raw['sgemm']!(f(6), f(6), f(9), 2, 3, 3, 0, false, 1, 0)).to.throw(TypeError, /a boolean for transA/);
    expect(() => raw['sgemm']!(f(6))).to.throw(TypeError, /sgemm expects 10 arguments but received 1/);
    expect(() => raw['denseForward']!()).to.throw(TypeError, /denseForward expects 10 arguments/);
  });

  it('dense kernels check every buffer against n, k and m', () => {
    expect(() => native.denseForward(f(6), null, f(5), f(6), f(3), 2, 2, 3, 1, 0)).to.throw(RangeError, /Expected x \(n x k\) to hold 2x2 = 4 floats but its length is 5/);
    expect(() => native.denseForward(f(6), null, f(4), f(7), f(3), 2, 2, 3, 1, 0)).to.throw(RangeError, /Expected w \(k x m\) to hold 2x3 = 6 floats but its length is 7/);
    expect(() => native.denseForward(f(6), null, f(4), f(6), f(2), 2, 2, 3, 1, 0)).to.throw(RangeError, /Expected b \(m\) to hold 1x3 = 3 floats but its length is 2/);
    expect(() => raw['denseForward']!(f(6), null, f(4), f(6), null, 2, 2, 3, 99, 0)).to.throw(RangeError, /activation code below 17 but received 99/);
    expect(() => native.denseBackward(f(3), f(6), f(3), f(6), f(4), f(6), null, f(6), 2, 2, 3, 1, 0)).to.throw(RangeError, /dx \(n x k\)/);
  });

  it('losses check labels, including class indices against the class count', () => {
    expect(() => native.softmaxCrossEntropySparse(f(6), f(6), f(6), Float32Array.from([0, 3]), null, 2, 3, 0)).to.throw(RangeError, /labels\[1\] is 3/);
    expect(() => native.softmaxCrossEntropySparse(f(6), f(6), f(6), Float32Array.from([0, 0.5]), null, 2, 3, 0)).to.throw(RangeError, /labels\[1\] is 0.5/);
    expect(() => native.softmaxCrossEntropySparse(f(6), f(6), f(6), Float32Array.from([0, NaN]), null, 2, 3, 0)).to.throw(RangeError);
    expect(() => native.meanSquaredError(null, f(6), f(5), null, 2, 3)).to.throw(RangeError, /labels \(n x c\)/);
    expect(() => native.meanSquaredError(null, f(6), f(6), f(3), 2, 3)).to.throw(RangeError, /Expected weights \(n\) to hold 2x1 = 2 floats but its length is 3/);
    expect(() => native.softmaxCrossEntropy(f(6), null, f(6), f(6), f(2), 2, 3, 1.5)).to.throw(RangeError, /Expected a number in \[0, 1\] for labelSmoothing but received 1.5$/);
    expect(() => native.binaryCrossEntropy(null, f(6), f(6), null, 2, 3, NaN)).to.throw(RangeError, /finite number for labelSmoothing/);
    expect(() => native.huber(null, f(6), f(6), null, 2, 3, 0)).to.throw(RangeError, /Expected a number > 0 for delta but received 0$/);
    expect(() => raw['huber']!(null, f(6), f(6), null, 2, 3)).to.throw(TypeError, /huber expects 7 arguments but received 6/);
  });

  it('optimizer steps check every arena against the parameters', () => {
    expect(() => native.adamStep(f(4), f(4), f(4), f(3), null, f(4), f(4), null, 0.1, 0.9, 0.999, 1e-7, 0, 1)).to.throw(RangeError, /vOut \(as long as params\)/);
    expect(() => native.adamStep(f(4), f(4), f(4), f(4), null, f(4), f(5), null, 0.1, 0.9, 0.999, 1e-7, 0, 1)).to.throw(RangeError, /vIn \(as long as params\)/);
    expect(() => native.adamStep(f(4), f(4), f(4), f(4), null, f(4), f(4), f(4), 0.1, 0.9, 0.999, 1e-7, 0, 1)).to.throw(TypeError, /Float32Array for vHatOut when amsgrad/);
    expect(() => native.adamStep(f(4), f(4), f(4), f(4), null, f(4), f(4), null, 0.1, 0.9, 0.999, 1e-7, 0, 0)).to.throw(RangeError, /positive integer for step/);
    expect(() => native.sgdStep(f(4), f(4), f(4), null, 0.1, 0.9, false)).to.throw(TypeError, /Float32Array for velocityIn/);
    expect(() => native.sgdStep(f(4), f(5), null, null, 0.1, 0, false)).to.throw(RangeError, /grads/);
  });

  it('an empty Float32Array for an optional buffer is checked, not taken for a missing one', () => {
    expect(() => native.denseForward(f(6), null, f(4), f(6), f(0), 2, 2, 3, 1, 0)).to.throw(RangeError, /Expected b \(m\) to hold 1x3 = 3 floats but its length is 0/);
    expect(() => native.meanSquaredError(f(0), f(6), f(6), null, 2, 3)).to.throw(RangeError, /dpred \(n x c\)/);
    expect(() => native.sgdStep(f(0), f(0), f(0), f(0), 0.1, 0.9, false)).to.not.throw();
  });

  it('a detached buffer has length 0 and is refused', () => {
    const a = f(6);
    structuredClone(a.buffer, { transfer: [a.buffer as ArrayBuffer] });
    expect(() => native.sgemm(f(6), a, f(9), 2, 3, 3, false, false, 1, 0)).to.throw(RangeError, /its length is 0/);
  });

  it('setIsa refuses unknown names', () => {
    expect(() => native.setIsa('avx1024')).to.throw(RangeError, /'generic', 'avx2', 'avx512' or 'neon'/);
  });
});
