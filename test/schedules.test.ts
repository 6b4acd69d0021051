import { expect } from 'chai';

import { ArgumentRangeError, ArgumentTypeError } from '../lib/errors';
import * as schedules from '../lib/schedules';

const STEPS = [0, 1, 7, 10, 25, 99, 100, 101, 1000];

function expectSchedule(schedule: (step: number) => number, formula: (step: number) => number): void {
  for (const step of STEPS) expect(schedule(step), `step ${step}`).to.be.closeTo(formula(step), 1e-15);
}

describe('schedules', () => {
  it('exponentialDecay: lr * rate^(step / decaySteps), floored with staircase', () => {
    expectSchedule(schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.96 }), (s) => 0.1 * 0.96 ** (s / 10));
    const stairs = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
    expectSchedule(stairs, (s) => 0.1 * 0.5 ** Math.floor(s / 10));
    expect([stairs(9), stairs(10)]).to.deep.equal([0.1, 0.05]);
    expect(stairs.className).to.equal('ExponentialDecay');
    expect(stairs.getConfig()).to.deep.equal({ initialLearningRate: 0.1, decaySteps: 10, decayRate: 0.5, staircase: true });
  });

  it('stepDecay: lr * factor^floor(step / dropEvery)', () => {
    const schedule = schedules.stepDecay({ initialLearningRate: 0.2, dropEvery: 25, factor: 0.5 });
    expectSchedule(schedule, (s) => 0.2 * 0.5 ** Math.floor(s / 25));
    expect([schedule(24), schedule(25), schedule(50)]).to.deep.equal([0.2, 0.1, 0.05]);
  });

  it('cosineDecay without warmup: lr * ((1 - alpha) * 0.5 * (1 + cos(pi * min(step, decaySteps) / decaySteps)) + alpha)', () => {
    const schedule = schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 100, alpha: 0.1 });
    expectSchedule(schedule, (s) => 0.1 * (0.9 * 0.5 * (1 + Math.cos((Math.PI * Math.min(s, 100)) / 100)) + 0.1));
    expect(schedule(0)).to.equal(0.1);
    expect(schedule(100)).to.be.closeTo(0.01, 1e-15);
    expect(schedule(1000)).to.be.closeTo(0.01, 1e-15);
  });

  it('cosineDecay with warmup: linear from initialLearningRate to warmupTarget, then cosine to alpha * warmupTarget', () => {
    const schedule = schedules.cosineDecay({ initialLearningRate: 0, decaySteps: 90, warmupTarget: 0.5, warmupSteps: 10, alpha: 0.2 });
    expectSchedule(schedule, (s) =>
      s < 10 ? (0.5 * s) / 10 : 0.5 * (0.8 * 0.5 * (1 + Math.cos((Math.PI * Math.min(s - 10, 90)) / 90)) + 0.2),
    );
    expect([schedule(0), schedule(5), schedule(10)]).to.deep.equal([0, 0.25, 0.5]);
    expect(schedule(100)).to.be.closeTo(0.1, 1e-15);
    expect(schedule.getConfig()).to.deep.equal({ initialLearningRate: 0, decaySteps: 90, alpha: 0.2, warmupSteps: 10, warmupTarget: 0.5 });
  });

  it('piecewiseConstant: values[i] up to and including boundaries[i], the last value after', () => {
    const schedule = schedules.piecewiseConstant({ boundaries: [10, 100], values: [1, 0.5, 0.1] });
    expectSchedule(schedule, (s) => (s <= 10 ? 1 : s <= 100 ? 0.5 : 0.1));
    expect([schedule(10), schedule(11), schedule(100), schedule(101)]).to.deep.equal([1, 0.5, 0.5, 0.1]);
  });

  it('refuses bad configs with errors naming the argument', () => {
    expect(() => schedules.piecewiseConstant({ boundaries: [10, 20], values: [1, 0.5] })).to.throw(ArgumentRangeError, /one more value than boundaries \(3 for 2 boundaries\) for values but received 2 values/);
    expect(() => schedules.piecewiseConstant({ boundaries: [20, 10], values: [1, 0.5, 0.1] })).to.throw(ArgumentRangeError, /increasing order for boundaries\[1\]/);
    expect(() => schedules.piecewiseConstant({ boundaries: [1], values: [1, 'a'] } as never)).to.throw(ArgumentTypeError, /array of numbers for values/);
    expect(() => schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 0, decayRate: 0.9 })).to.throw(ArgumentRangeError, /positive integer for decaySteps/);
    expect(() => schedules.exponentialDecay({ initialLearningRate: -1, decaySteps: 10, decayRate: 0.9 })).to.throw(ArgumentRangeError, /initialLearningRate/);
    expect(() => schedules.stepDecay({ initialLearningRate: 0.1, dropEvery: 2.5, factor: 0.5 })).to.throw(ArgumentRangeError, /dropEvery/);
    expect(() => schedules.cosineDecay({ initialLearningRate: 0.1, decaySteps: 10, alpha: 2 })).to.throw(ArgumentRangeError, /alpha/);
    expect(() => schedules.cosineDecay({ initialLearningRate: 0, decaySteps: 10 })).to.throw(ArgumentRangeError, /a number > 0 for initialLearningRate/);
    expect(() => schedules.stepDecay({ initialLearningRate: 0.1, dropEvery: 2, factor: 0.5, every: 3 } as never)).to.throw(ArgumentRangeError, /unknown option 'every'/);
  });
});
