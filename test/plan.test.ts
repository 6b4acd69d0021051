/**
 * Plans (native/binding/plan.cc, lib/core/plan.ts, lib/core/kernels.ts): kernel calls written
 * once as data, checked when the plan is made, run as often as needed, one step or many per run,
 * here or on a libuv thread.
 */
import { expect } from 'chai';

import { native } from '../lib/backend';
import { now, PlanCalls, type PlanInputName, type Work } from '../lib/core/kernels';
import { Plan } from '../lib/core/plan';

const f32 = (...values: number[]): Float32Array => Float32Array.from(values);

/** A plan of `write`'s calls with these inputs. */
function planOf(inputs: readonly PlanInputName[], write: (w: PlanCalls) => void): Plan {
  const calls = new PlanCalls(inputs);
  write(calls);
  return new Plan(calls, inputs);
}

describe('plans', () => {
  it('making a plan runs nothing; each run runs its calls in order and writes their values', () => {
    const out = new Float32Array(3);
    const calls = new PlanCalls([]);
    calls.k.addElementwise(out, f32(1, 2, 3), f32(10, 20, 30));
    expect(calls.k.sumOfSquares(out)).to.equal(0); // the index of its value, not the value
    calls.k.multiplyElementwise(out, out, f32(2, 2, 2));
    expect(calls.k.sumOfSquares(out)).to.equal(1);
    const plan = new Plan(calls, []);
    expect(Array.from(out)).to.deep.equal([0, 0, 0]);
    const values = new Float64Array(2);
    expect(plan.run(1, new Float64Array(0), values)).to.deep.equal({ outcome: 'completed', steps: 1 });
    expect(Array.from(out)).to.deep.equal([22, 44, 66]);
    expect(Array.from(values)).to.deep.equal([11 ** 2 + 22 ** 2 + 33 ** 2, 22 ** 2 + 44 ** 2 + 66 ** 2]);
    out.fill(-1);
    values.fill(0);
    plan.run(1, new Float64Array(0), values); // and again, the same calls on the same arrays
    expect(Array.from(out)).to.deep.equal([22, 44, 66]);
    expect(values[1]).to.equal(22 ** 2 + 44 ** 2 + 66 ** 2);
  });

  it('a run of many steps reads a row of inputs per step and writes a row of values per step', () => {
    const src = f32(1, 2, 3, 4, 5, 6);
    const row = new Float32Array(2);
    const collected = new Float32Array(6);
    const plan = planOf(['offset', 'tripOffset'], (w) => {
      w.k.copyRowsAt(row, src, 2, w.input('offset'));
      w.k.copyInto(collected, row, w.input('tripOffset'));
      w.k.sumOfSquares(row);
    });
    const values = new Float64Array(9);
    const result = plan.run(3, Float64Array.of(2, 0, 0, 2, 1, 4), values);
    expect(result).to.deep.equal({ outcome: 'completed', steps: 3 });
    expect(Array.from(collected)).to.deep.equal([5, 6, 1, 2, 3, 4]);
    expect(Array.from(values)).to.deep.equal([1, 1, 61, 1, 1, 5, 1, 1, 25]);
  });

  it('an offset out of range, or not an integer, gives NaN at run time and writes nothing', () => {
    const dst = f32(7, 7);
    const plan = planOf(['offset'], (w) => {
      w.k.copyRowsAt(dst, f32(1, 2, 3), 1, w.input('offset'));
      w.k.copyInto(dst, f32(9), w.input('offset'));
    });
    const values = new Float64Array(2);
    plan.run(1, Float64Array.of(2), values);
    expect(Array.from(values)).to.deep.equal([NaN, NaN]);
    expect(Array.from(dst)).to.deep.equal([7, 7]);
    for (const offset of [0.5, -1, NaN, Infinity]) {
      plan.run(1, Float64Array.of(offset), values);
      expect(Array.from(values), `offset ${offset}`).to.deep.equal([NaN, NaN]);
    }
    plan.run(1, Float64Array.of(1), values);
    expect(Array.from(values)).to.deep.equal([1, 1]);
    expect(Array.from(dst)).to.deep.equal([2, 9]);
  });

  it('copyRowsAt checks whole rows and separate memory when the plan is made', () => {
    expect(() => native.copyRowsAt(new Float32Array(3), new Float32Array(4), 2, 0)).to.throw(RangeError, /whole rows of 2 floats but their lengths are 4 and 3/);
    const shared = new Float32Array(8);
    expect(() => native.copyRowsAt(shared.subarray(0, 4), shared.subarray(2), 2, 0)).to.throw(RangeError, /overlap|share/);
    expect(native.copyRowsAt(new Float32Array(2), f32(1, 2, 3, 4), 2, 1)).to.equal(1);
  });

  it('a guard stops the run at a value that is not finite: later values of the step stay NaN, later steps do not run', () => {
    const out = f32(1);
    const input = new Float32Array(1);
    const plan = planOf(['offset'], (w) => {
      w.k.copyInto(input, f32(Infinity), w.input('offset')); // offset 0 writes Infinity, 1 is out of range
      const penalty = w.k.sumOfSquares(input);
      expect(w.goesOn(penalty)).to.equal(true); // the plan itself stops
      w.k.copy(out, f32(5));
      w.k.sumOfSquares(out);
    });
    const values = new Float64Array(6);
    const result = plan.run(2, Float64Array.of(1, 0), values);
    expect(result).to.deep.equal({ outcome: 'stopped', steps: 2 });
    expect(Array.from(values)).to.deep.equal([NaN, 0, 25, 1, Infinity, NaN]);
    expect(out[0]).to.equal(5); // the first step ran to its end
  });

  it('run now, the same work returns the values and stops at one that is not finite', () => {
    const work = <S extends number>(w: Work<S>): S[] => {
      const first = w.k.sumOfSquares(f32(3, 4));
      const second = w.k.sumOfSquares(f32(-Infinity));
      return [first, second, w.goesOn(first) ? first : second, w.goesOn(second) ? first : second] as S[];
    };
    expect(work(now)).to.deep.equal([25, Infinity, 25, Infinity]);
    expect(now.input('learningRate', 0.5)).to.equal(0.5);
  });

  it('describes its calls, the same id for the same memory', () => {
    const a = new Float32Array(4);
    const plan = planOf(['learningRate'], (w) => {
      w.k.copy(a, f32(1, 2, 3, 4));
      w.k.multiplyElementwise(a, a, a.subarray(0, 4));
      w.goesOn(w.k.sumOfSquares(a));
    });
    expect(plan.describe()).to.deep.equal(['copy(b0[4], b1[4])', 'multiplyElementwise(b0[4], b0[4], b0[4])', 'sumOfSquares(b0[4])', 'guardFinite(0)']);
  });

  it('runs off the main thread and resolves with the result', async () => {
    const out = new Float32Array(4);
    const plan = planOf([], (w) => w.k.copy(out, f32(1, 2, 3, 4)));
    const result = await plan.runAsync(1, new Float64Array(0), new Float64Array(0), { call: 'test', interruptible: false });
    expect(result).to.deep.equal({ outcome: 'completed', steps: 1 });
    expect(Array.from(out)).to.deep.equal([1, 2, 3, 4]);
  });

  it('a run with a budget pauses after the step that passes it', async () => {
    const a = new Float32Array(1 << 20).fill(1);
    const plan = planOf([], (w) => {
      for (let i = 0; i < 20; i++) w.k.multiplyElementwise(a, a, a);
    });
    const steps = 10_000;
    const result = await plan.runAsync(steps, new Float64Array(0), new Float64Array(0), { call: 'test', interruptible: false, budgetMs: 1 });
    expect(result.outcome).to.equal('paused');
    expect(result.steps).to.be.within(1, steps - 1);
  });

  it('a sparse loss whose labels became invalid before the run gives NaN instead of indexing out of bounds', () => {
    const labels = f32(0, 2);
    const plan = planOf([], (w) => void w.k.softmaxCrossEntropySparse(new Float32Array(6), new Float32Array(6), new Float32Array(6), labels, null, 2, 3, 0));
    const values = new Float64Array(1);
    plan.run(1, new Float64Array(0), values);
    expect(values[0]).to.be.closeTo(Math.log(3), 1e-6);
    labels[1] = 1e9;
    plan.run(1, new Float64Array(0), values);
    expect(values[0]).to.be.NaN;
  });

  it('a call with a bad argument throws when the plan is made, naming the call and the argument', () => {
    const calls = new PlanCalls([]);
    calls.k.copy(new Float32Array(1), f32(1));
    calls.k.copy(new Float32Array(2), new Float32Array(3));
    expect(() => new Plan(calls, [])).to.throw(/calls\[1\] \(copy\): Expected dst \(as long as src\) to hold 3x1 = 3 floats but its length is 2/);
  });

  it('refuses misuse: an unknown kernel, a guard of no value, a plan input out of range, a value that is no plan, runs of the wrong size', () => {
    expect(() => native.createPlan([['launchMissiles']], 0)).to.throw(RangeError, /Expected the name of a kernel for calls\[0\] but received 'launchMissiles'/);
    expect(() => native.createPlan([['guardFinite', 0]], 0)).to.throw(RangeError, /index of an earlier call's value \(below 0\) for calls\[0\] but received 0/);
    expect(() => native.createPlan([[1]], 0)).to.throw(TypeError, /Expected \[name, \.\.\.arguments\] for calls\[0\]/);
    expect(() => native.createPlan([['sgdStep', f32(1), f32(1), null, null, { planInput: 1 }, 0, false, 1]], 1)).to.throw(/Expected a plan input below 1 for learningRate but received 1/);
    expect(() => native.sgdStep(f32(1), f32(1), null, null, { planInput: 0 } as never, 0, false, 1)).to.throw(TypeError, /Expected a number for learningRate but received an object/);
    expect(() => native.runPlan({} as never, 1, new Float64Array(0), new Float64Array(0))).to.throw(TypeError, /runPlan expects a plan made by createPlan/);
    expect(() => native.cancelPlan(new Float32Array(1) as never, false)).to.throw(TypeError, /cancelPlan expects a plan made by createPlan/);
    const plan = native.createPlan([['sumOfSquares', f32(1)]], 1);
    expect(() => native.runPlan(plan, 2, new Float64Array(1), new Float64Array(2))).to.throw(RangeError, /Expected inputs to hold 2 doubles but its length is 1/);
    expect(() => native.runPlan(plan, 1, new Float64Array(1), new Float64Array(2))).to.throw(RangeError, /Expected values to hold 1 doubles but its length is 2/);
    expect(() => native.runPlan(plan, 1, new Float32Array(1) as never, new Float64Array(1))).to.throw(TypeError, /Expected a Float64Array for inputs/);
    expect(() => native.runPlan(plan, 0, new Float64Array(0), new Float64Array(0))).to.throw(RangeError, /at least 1 for steps/);
  });

  it('one run of a plan at a time: a second run while one is in flight is refused, and the lane goes on', async () => {
    const a = new Float32Array(1 << 20).fill(1);
    const plan = planOf([], (w) => {
      for (let i = 0; i < 20; i++) w.k.multiplyElementwise(a, a, a);
    });
    const none = new Float64Array(0);
    const first = plan.runAsync(1, none, none, { call: 'test', interruptible: false });
    expect(() => plan.run(1, none, none)).to.throw(/runPlan: this plan is running already/);
    const refused = await plan.runAsync(1, none, none, { call: 'test', interruptible: false }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(refused?.message).to.match(/runPlanAsync: this plan is running already/);
    expect((await first).outcome).to.equal('completed');
    const out = new Float32Array(1);
    expect((await planOf([], (w) => w.k.copy(out, f32(7))).runAsync(1, none, none, { call: 'test', interruptible: false })).outcome).to.equal('completed');
    expect(out[0]).to.equal(7);
  });

  it('a cancelled run stops before its next kernel call, or (whole steps) after the step it is in', async () => {
    const a = new Float32Array(1 << 20).fill(1);
    const slow = (): Plan =>
      planOf([], (w) => {
        for (let i = 0; i < 50; i++) w.k.multiplyElementwise(a, a, a);
        w.k.sumOfSquares(a.subarray(0, 1));
      });
    const none = new Float64Array(0);
    const values = new Float64Array(1000);
    const abortNow = new AbortController();
    const interrupted = slow().runAsync(1, none, values.subarray(0, 1), { call: 'test', interruptible: true, signal: abortNow.signal }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    abortNow.abort();
    expect((await interrupted)?.name).to.equal('AbortError');

    const abortAfterStep = new AbortController();
    const whole = slow().runAsync(1000, none, values, { call: 'test', interruptible: false, signal: abortAfterStep.signal });
    // Once the first step has written its value (a stop before the first step runs none).
    const abortOnceStarted = (): void => {
      if (values[0] === 1) abortAfterStep.abort();
      else setImmediate(abortOnceStarted);
    };
    abortOnceStarted();
    const result = await whole;
    expect(result.outcome).to.equal('cancelled');
    expect(result.steps).to.be.within(1, 999);
    expect(values[result.steps - 1], 'the last step ran to its end').to.equal(1);
    expect(values[result.steps], 'the steps after it did not run').to.equal(0);
  });

  it('a run queued after another runs only if that one completed: after a pause, a stop or a cancel it is skipped, unrun', async () => {
    const none = new Float64Array(0);
    const counter = (): { plan: Plan; out: Float32Array } => {
      const out = new Float32Array(1);
      return { out, plan: planOf([], (w) => w.k.addElementwise(out, out, f32(1))) };
    };
    const stopping = planOf([], (w) => {
      expect(w.goesOn(w.k.sumOfSquares(f32(Infinity)))).to.equal(true);
    });
    const slow = new Float32Array(1 << 20).fill(1);
    const pausing = planOf([], (w) => {
      for (let i = 0; i < 20; i++) w.k.multiplyElementwise(slow, slow, slow);
    });
    const options = { call: 'test', interruptible: false } as const;

    const done = counter();
    const first = done.plan.runAsync(2, none, none, options);
    const chained = counter();
    const afterDone = chained.plan.runAsync(3, none, none, { ...options, after: done.plan });
    expect(await first).to.deep.equal({ outcome: 'completed', steps: 2 });
    expect(await afterDone).to.deep.equal({ outcome: 'completed', steps: 3 });
    expect(chained.out[0]).to.equal(3);

    for (const [ahead, steps, budgetMs, outcome] of [
      [stopping, 2, 0, 'stopped'],
      [pausing, 10_000, 1, 'paused'],
    ] as const) {
      const behind = counter();
      const running = ahead.runAsync(steps, none, new Float64Array(ahead.valueCount * steps), { ...options, budgetMs });
      const skipped = behind.plan.runAsync(1, none, none, { ...options, after: ahead });
      expect((await running).outcome).to.equal(outcome);
      expect(await skipped, `after ${outcome}`).to.deep.equal({ outcome: 'skipped', steps: 0 });
      expect(behind.out[0], `after ${outcome}`).to.equal(0);
    }

    // Stopped while it waits its turn (fit stopping early): no step of it runs, and the run
    // behind it is skipped in turn.
    const waiting = counter();
    const behindWaiting = counter();
    const busy = pausing.runAsync(3, none, none, options);
    const queued = waiting.plan.runAsync(5, none, none, options);
    const last = behindWaiting.plan.runAsync(1, none, none, { ...options, after: waiting.plan });
    waiting.plan.stopAfterStep();
    expect((await busy).outcome).to.equal('completed');
    expect(await queued).to.deep.equal({ outcome: 'cancelled', steps: 0 });
    expect(await last).to.deep.equal({ outcome: 'skipped', steps: 0 });
    expect([waiting.out[0], behindWaiting.out[0]]).to.deep.equal([0, 0]);
  });

  it('refuses a run chained after its own plan or after a value that is no plan', () => {
    const plan = native.createPlan([['sumOfSquares', f32(1)]], 0);
    const none = new Float64Array(0);
    expect(() => native.runPlanAsync(plan, 1, none, new Float64Array(1), 0, plan)).to.throw(RangeError, /cannot be chained after its own plan/);
    expect(() => native.runPlanAsync(plan, 1, none, new Float64Array(1), 0, {} as never)).to.throw(TypeError, /expects null or a plan made by createPlan on this thread for after/);
  });

  it('an aborted signal rejects with an AbortError naming the call', async () => {
    const plan = planOf([], (w) => w.k.copy(new Float32Array(1), f32(1)));
    const none = new Float64Array(0);
    const error = await plan.runAsync(1, none, none, { call: 'predictAsync()', interruptible: true, signal: AbortSignal.abort() }).then(
      () => null,
      (e: unknown) => e as Error,
    );
    expect(error?.name).to.equal('AbortError');
    expect(error?.message).to.match(/predictAsync\(\) was aborted through its AbortSignal/);
  });
});
