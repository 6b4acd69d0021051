/**
 * An optimizer's step as all or nothing through its slot pairs (lib/optimizers/optimizer.ts): a
 * refused update leaves params, every slot and the step count as they were, and leaves no trace
 * in the steps after it; a step in a plan changes the current slots only once advance() counts it.
 */
import { expect } from 'chai';

import { PlanCalls } from '../../lib/core/kernels';
import { Plan } from '../../lib/core/plan';
import * as optimizers from '../../lib/optimizers';
import type { Optimizer, StepNumbers } from '../../lib/optimizers/optimizer';
import { randomArray } from '../helpers/data';

const P = 70001; // three chunks of the arena: the refused value sits in the last
const segments = Uint32Array.of(0, P);

const every: (() => Optimizer)[] = [
  () => optimizers.sgd({ learningRate: 0.1 }),
  () => optimizers.sgd({ momentum: 0.9, nesterov: true }),
  () => optimizers.adagrad({ initialAccumulatorValue: 0.2 }),
  () => optimizers.adadelta({ rho: 0.9 }),
  () => optimizers.rmsprop({ momentum: 0.3, centered: true, clipValue: 0.5 }),
  () => optimizers.adam({ amsgrad: true }),
  () => optimizers.adamax({ globalClipNorm: 1 }),
  () => optimizers.nadam({ beta1: 0.8 }),
  () => optimizers.adamw({ weightDecay: 0.01 }),
];

/** Copies of what the next update depends on: iterations, slots (by name) and scalars. */
function snapshot(optimizer: Optimizer) {
  const { iterations, slots, scalars } = optimizer.getState();
  return { iterations, slots: slots.map(({ name, values }) => ({ name, values: Array.from(values) })), scalars: { ...scalars } };
}

const gradient = (seed: number): Float32Array => randomArray(P, seed);

function spoilt(seed: number): Float32Array {
  const g = gradient(seed);
  g[P - 1] = NaN;
  return g;
}

describe('Optimizer: a refused update and a planned one', () => {
  for (const make of every) {
    const name = `${make().className} ${JSON.stringify(make().getConfig())}`;

    it(`${name}: a refused applyGradients leaves params, slots and counters as they were, and no trace after`, () => {
      const [optimizer, twin] = [make(), make()];
      const [params, twinParams] = [randomArray(P, 1), randomArray(P, 1)];
      for (const seed of [10, 11]) {
        expect(optimizer.applyGradients(params, gradient(seed), segments)).to.equal(1);
        twin.applyGradients(twinParams, gradient(seed), segments);
      }
      const [before, paramsBefore] = [snapshot(optimizer), params.slice()];
      const grads = spoilt(12);
      expect(optimizer.applyGradients(params, grads, segments)).to.be.NaN;
      expect(snapshot(optimizer)).to.deep.equal(before);
      expect(Array.from(params)).to.deep.equal(Array.from(paramsBefore));
      expect(Array.from(grads), 'grads hold the params').to.deep.equal(Array.from(paramsBefore));
      expect(optimizer.applyGradients(params, gradient(13), segments)).to.equal(1);
      twin.applyGradients(twinParams, gradient(13), segments);
      expect(Array.from(params)).to.deep.equal(Array.from(twinParams));
      expect(snapshot(optimizer)).to.deep.equal(snapshot(twin));
    });

    it(`${name}: a planned step changes the current slots only once advance() counts it`, () => {
      const [optimizer, twin] = [make(), make()];
      const [params, twinParams] = [randomArray(P, 2), randomArray(P, 2)];
      optimizer.applyGradients(params, gradient(20), segments);
      twin.applyGradients(twinParams, gradient(20), segments);

      const inputNames = ['learningRate', 'step', 'uProduct', 'swap'] as const;
      const grads = new Float32Array(P);
      const calls = new PlanCalls(inputNames);
      const outcome = optimizer.addUpdate(calls, params, grads, segments);
      const plan = new Plan(calls, inputNames);
      const runNext = (): number => {
        const next = optimizer.stepNumbers(1)[0] as StepNumbers;
        const values = new Float64Array(plan.valueCount);
        plan.run(1, Float64Array.from(inputNames, (name) => next[name]), values);
        return values[outcome] as number;
      };

      const before = snapshot(optimizer);
      grads.set(spoilt(21));
      expect(runNext()).to.be.NaN;
      expect(snapshot(optimizer)).to.deep.equal(before);

      grads.set(gradient(22));
      expect(runNext()).to.equal(1);
      expect(snapshot(optimizer).slots, 'the slots before advance()').to.deep.equal(before.slots);
      optimizer.advance(1);
      twin.applyGradients(twinParams, gradient(22), segments);
      expect(Array.from(params)).to.deep.equal(Array.from(twinParams));
      expect(snapshot(optimizer)).to.deep.equal(snapshot(twin));

      // The same plan again: it reads the numbers and the current slots of the next step.
      grads.set(gradient(23));
      expect(runNext()).to.equal(1);
      optimizer.advance(1);
      twin.applyGradients(twinParams, gradient(23), segments);
      expect(Array.from(params)).to.deep.equal(Array.from(twinParams));
      expect(snapshot(optimizer)).to.deep.equal(snapshot(twin));
    });
  }
});
