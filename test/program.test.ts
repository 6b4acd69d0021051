/**
 * Native programs (native/binding/program.cc, lib/program.ts): kernel calls recorded with their
 * checked arguments, run later as one unit here or on a libuv thread.
 */
import { expect } from 'chai';

import { native } from '../lib/backend';
import { record, runOffThread, Scalars } from '../lib/program';

const f32 = (...values: number[]): Float32Array => Float32Array.from(values);

describe('native programs', () => {
  it('record calls without running them; the run runs them in order and returns their scalars', () => {
    const out = new Float32Array(3);
    const program = record(() => {
      native.addElementwise(out, f32(1, 2, 3), f32(10, 20, 30));
      expect(native.sumOfSquares(out)).to.equal(0); // the index of its scalar, not a value
      native.multiplyElementwise(out, out, f32(2, 2, 2));
      expect(native.sumOfSquares(out)).to.equal(1);
    });
    expect(Array.from(out)).to.deep.equal([0, 0, 0]);
    const result = native.runProgram(program);
    expect(result.outcome).to.equal('completed');
    expect(Array.from(out)).to.deep.equal([22, 44, 66]);
    expect(Array.from(result.scalars)).to.deep.equal([11 ** 2 + 22 ** 2 + 33 ** 2, 22 ** 2 + 44 ** 2 + 66 ** 2]);
  });

  it('a guard stops the program at a scalar that is not finite; later scalars stay NaN', () => {
    const out = f32(1);
    const s = new Scalars(true);
    const program = record(() => {
      const h = s.add(native.sumOfSquares(f32(Infinity)));
      expect(s.guard(h)).to.equal(true); // recorded: the program itself stops
      native.copy(out, f32(5));
      s.add(native.sumOfSquares(out));
    });
    const result = native.runProgram(program);
    s.settle(result);
    expect(result.outcome).to.equal('stopped');
    expect(out[0]).to.equal(1);
    expect(s.value(0)).to.equal(Infinity);
    expect(s.value(1)).to.be.NaN;
  });

  it('run now, Scalars read the values the kernels return and a guard says whether to go on', () => {
    const s = new Scalars(false);
    const finite = s.add(native.sumOfSquares(f32(3, 4)));
    const infinite = s.add(native.sumOfSquares(f32(-Infinity)));
    expect(s.guard(finite)).to.equal(true);
    expect(s.guard(infinite)).to.equal(false);
    expect(s.value(finite)).to.equal(25);
  });

  it('runs off the main thread and resolves with the result', async () => {
    const out = new Float32Array(4);
    const program = record(() => native.copy(out, f32(1, 2, 3, 4)));
    const result = await native.runProgramAsync(program);
    expect(result.outcome).to.equal('completed');
    expect(Array.from(out)).to.deep.equal([1, 2, 3, 4]);
  });

  it('a recorded sparse loss whose labels became invalid before the run reports NaN instead of indexing out of bounds', () => {
    const labels = f32(0, 2);
    const logits = new Float32Array(6);
    const program = record(() => native.softmaxCrossEntropySparse(new Float32Array(6), new Float32Array(6), logits, labels, null, 2, 3, 0));
    labels[1] = 1e9;
    expect(native.runProgram(program).scalars[0]).to.be.NaN;
  });

  it('a recorded gather uses the indices as they were checked', () => {
    const order = Uint32Array.from([2, 0]);
    const dst = new Float32Array(2);
    const program = record(() => native.gatherRows(dst, f32(10, 11, 12), order, 1));
    order[0] = 1e9;
    native.runProgram(program);
    expect(Array.from(dst)).to.deep.equal([12, 10]);
  });

  it('a call with a bad argument throws as it is recorded, and the recording ends', () => {
    expect(() => record(() => native.copy(new Float32Array(2), new Float32Array(3)))).to.throw(RangeError, /Expected dst \(as long as src\) to hold 3x1 = 3 floats but its length is 2/);
    expect(native.sumOfSquares(f32(2))).to.equal(4); // not recording any more: runs now
  });

  it('refuses misuse: nested recording, a guard outside one, a program run twice, a value that is no program', () => {
    expect(() => record(() => native.recordBegin())).to.throw(/a program is being recorded already/);
    expect(() => native.recordEnd()).to.throw(/needs a program being recorded/);
    expect(() => native.guardFinite(0)).to.throw(/needs a program being recorded/);
    expect(() => record(() => native.guardFinite(0))).to.throw(RangeError, /index of a recorded scalar \(below 0\)/);
    const program = record(() => native.copy(new Float32Array(1), f32(1)));
    native.runProgram(program);
    expect(() => native.runProgram(program)).to.throw(/this program has run already/);
    expect(() => native.runProgramAsync(program)).to.throw(/this program has run already/);
    expect(() => native.runProgram({} as never)).to.throw(TypeError, /expects a program made by recordEnd/);
    expect(() => native.cancelProgram(new Float32Array(1) as never)).to.throw(TypeError, /expects a program made by recordEnd/);
  });

  it('a program that cannot start fails its caller, and the queue goes on', async () => {
    const program = record(() => native.copy(new Float32Array(1), f32(1)));
    native.runProgram(program);
    const error = await runOffThread(program, { call: 'test', interruptible: false }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.message).to.match(/this program has run already/);
    const out = new Float32Array(1);
    expect((await runOffThread(record(() => native.copy(out, f32(7))), { call: 'test', interruptible: false })).outcome).to.equal('completed');
    expect(out[0]).to.equal(7);
  });

  it('a cancelled program stops before its next kernel call', async () => {
    const a = new Float32Array(1 << 20).fill(1);
    const program = record(() => {
      for (let i = 0; i < 200; i++) native.multiplyElementwise(a, a, a);
    });
    const running = native.runProgramAsync(program);
    native.cancelProgram(program);
    expect((await running).outcome).to.equal('cancelled');
  });
});
