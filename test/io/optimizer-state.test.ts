/** What a checkpoint restores besides weights: optimizer state and config, schedules, the random generator's state. */
import { expect } from 'chai';

import * as my from '../../lib/index';
import { optimizerFromConfig } from '../../lib/optimizers/by-name';
import { Random } from '../../lib/random';
import { scheduleFromConfig } from '../../lib/schedules';
import { randomArray } from '../helpers/data';

const P = 7;
const segments = Uint32Array.of(0, P);

function step(optimizer: my.optimizers.Optimizer, params: Float32Array, seed: number): void {
  const grads = randomArray(P, seed);
  optimizer.applyGradients(params, grads, segments);
}

const every: (() => my.optimizers.Optimizer)[] = [
  () => my.optimizers.sgd({ momentum: 0.9, nesterov: true }),
  () => my.optimizers.adagrad({ initialAccumulatorValue: 0.2 }),
  () => my.optimizers.adadelta({ rho: 0.9 }),
  () => my.optimizers.rmsprop({ momentum: 0.3, centered: true, clipValue: 0.5 }),
  () => my.optimizers.adam({ amsgrad: true, learningRate: my.schedules.piecewiseConstant({ boundaries: [2], values: [0.01, 0.001] }) }),
  () => my.optimizers.adamax({ globalClipNorm: 1 }),
  () => my.optimizers.nadam({ beta1: 0.8 }),
  () => my.optimizers.adamw({ weightDecay: 0.01, learningRate: my.schedules.cosineDecay({ initialLearningRate: 0.01, decaySteps: 5, warmupTarget: 0.02, warmupSteps: 2 }) }),
];

describe('optimizer state and config', () => {
  for (const make of every) {
    const name = make().className;
    it(`${name}: optimizerFromConfig + setState(getState()) continues bit-identically`, () => {
      const original = make();
      const params = randomArray(P, 1);
      for (let i = 0; i < 3; i++) step(original, params, 10 + i);
      const state = original.getState();
      expect(state.slots.map((s) => s.name)).to.deep.equal(original.slotNames());

      const copy = optimizerFromConfig(JSON.parse(JSON.stringify({ className: original.className, config: original.getConfig() })), 'optimizer');
      expect(copy.getConfig()).to.deep.equal(original.getConfig());
      copy.setState(state, P);
      const copyParams = params.slice();
      step(original, params, 20);
      step(copy, copyParams, 20);
      expect(Array.from(copyParams)).to.deep.equal(Array.from(params));
      expect(copy.iterations).to.equal(4);
    });
  }

  it('without its state a restored Nadam steps differently (the state matters)', () => {
    const original = my.optimizers.nadam();
    const params = randomArray(P, 1);
    for (let i = 0; i < 3; i++) step(original, params, 10 + i);
    const copy = my.optimizers.nadam();
    const { iterations, slots } = original.getState();
    copy.setState({ iterations, slots, scalars: { uProduct: 1 } }, P);
    const copyParams = params.slice();
    step(original, params, 20);
    step(copy, copyParams, 20);
    expect(Array.from(copyParams)).to.not.deep.equal(Array.from(params));
  });

  it('setState checks everything and changes nothing when it refuses', () => {
    const adam = my.optimizers.adam();
    const params = randomArray(P, 1);
    step(adam, params, 2);
    const good = adam.getState();
    const m = good.slots[0]?.values as Float32Array;
    expect(() => adam.setState({ ...good, slots: [{ name: 'vHat', values: m }] }, P)).to.throw(my.ArgumentRangeError, /'vHat'/);
    expect(() => adam.setState({ ...good, slots: [{ name: 'm', values: m }, { name: 'm', values: m }] }, P)).to.throw(my.ArgumentRangeError, /distinct/);
    expect(() => adam.setState({ ...good, slots: [{ name: 'm', values: new Float32Array(3) }] }, P)).to.throw(my.ArgumentRangeError, /7 values/);
    expect(() => adam.setState({ ...good, scalars: { uProduct: 1 } }, P)).to.throw(my.ArgumentRangeError, /scalars/);
    expect(() => adam.setState({ ...good, iterations: -1 }, P)).to.throw(my.ArgumentRangeError, /iterations/);
    expect(adam.getState().iterations).to.equal(1);
    expect(() => optimizerFromConfig({ className: 'Adamm', config: {} }, 'optimizer')).to.throw(my.ArgumentRangeError, /optimizer\.className/);
    expect(() => scheduleFromConfig({ className: 'CosineDecay', config: { decaySteps: 1 } }, 'lr')).to.throw(my.ArgumentTypeError, /initialLearningRate/);
  });
});

describe('Random#getState / setState', () => {
  it('replays the stream, including a waiting Box-Muller value', () => {
    const a = new Random(3);
    a.normal(); // leaves the pair's second value waiting
    const state = JSON.parse(JSON.stringify(a.getState()));
    expect(state.spareNormal).to.be.a('number');
    const b = new Random(99);
    b.setState(state);
    expect([b.normal(), b.normal(), b.uniform()]).to.deep.equal([a.normal(), a.normal(), a.uniform()]);
  });

  it('refuses states that are not one', () => {
    const r = new Random(1);
    expect(() => r.setState({ words: [0, 0, 0, 0], spareNormal: null })).to.throw(my.ArgumentRangeError, /not all 0/);
    expect(() => r.setState({ words: [1, 2, 3], spareNormal: null })).to.throw(my.ArgumentTypeError, /4 unsigned/);
    expect(() => r.setState({ words: [1, 2, 3, 2 ** 32], spareNormal: null })).to.throw(my.ArgumentRangeError, /words\[3\]/);
    expect(() => r.setState({ words: [1, 2, 3, 4], spareNormal: Infinity })).to.throw(my.ArgumentRangeError, /spareNormal/);
  });
});
