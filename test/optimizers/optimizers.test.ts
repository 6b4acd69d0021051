/**
 * Every optimizer through its public API (applyGradients over an arena), three steps against
 * the float64 transcription of Keras's update in ./reference.ts, with every option, on every ISA
 * path: 7 parameters (scalar tails only), 33 (a vector body and a tail) and 40000 (two parallel
 * chunks). The gradients mix sizes: some near 1e-6 so that where epsilon goes changes the
 * result, some exactly 0.
 */
import { expect } from 'chai';

import { native } from '../../lib/backend';
import { ArgumentRangeError, ArgumentTypeError } from '../../lib/errors';
import * as optimizers from '../../lib/optimizers';
import { getOptimizer, optimizerNames } from '../../lib/optimizers/by-name';
import type { Optimizer } from '../../lib/optimizers/optimizer';
import * as schedules from '../../lib/schedules';
import { expectClose } from '../helpers/compare';
import { randomArray } from '../helpers/data';
import { ReferenceOptimizer, type Hyperparameters, type OptimizerKind } from './reference';

const TOL = { atol: 1e-7, rtol: 1e-6 };
const SIZES = [7, 33, 40000];
const { supportedIsas, isa: defaultIsa } = native.backendInfo();

/** The fixed tiny problem: 7 parameters and three gradients. */
const P7 = [0.5, -0.25, 1.0, -0.75, 0.125, 0.3, -0.9];
const G7 = [
  [0.4, -1.5, 2e-6, 0, -0.01, 3.0, -3e-6],
  [-0.2, -1.0, 1e-6, 0.5, 0.02, -2.0, 1e-6],
  [0.6, 0.5, -2e-6, -0.5, 0.0, 1.0, 5e-6],
];

function problem(size: number): { p: Float32Array; grads: Float32Array[] } {
  if (size === 7) return { p: Float32Array.from(P7), grads: G7.map((g) => Float32Array.from(g)) };
  const grads = [0, 1, 2].map((s) => {
    const g = randomArray(size, 200 + s, 2);
    for (let i = 0; i < size; i += 5) g[i] = (g[i] as number) * 1e-6;
    for (let i = 3; i < size; i += 7) g[i] = 0;
    return g;
  });
  return { p: randomArray(size, 100), grads };
}

interface Case {
  readonly title: string;
  readonly make: () => Optimizer;
  readonly kind: OptimizerKind;
  /** All hyperparameters, Keras's defaults written out. */
  readonly hp: Hyperparameters;
  /** The learning rate of the step after `step` earlier ones. */
  readonly rate: (step: number) => number;
  /** The least largest step for the comparison to mean something (default 1e-5). */
  readonly minStep?: number;
}

const fixed = (lr: number) => () => lr;
const ADAM_DEFAULTS = { beta1: 0.9, beta2: 0.999, epsilon: 1e-7, amsgrad: false };
const decay = schedules.exponentialDecay({ initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5 });

const CASES: Case[] = [
  { title: 'sgd with defaults', make: () => optimizers.sgd(), kind: 'sgd', hp: { momentum: 0 }, rate: fixed(0.01) },
  { title: 'sgd with momentum', make: () => optimizers.sgd({ learningRate: 0.1, momentum: 0.9 }), kind: 'sgd', hp: { momentum: 0.9 }, rate: fixed(0.1) },
  { title: 'sgd with nesterov momentum', make: () => optimizers.sgd({ learningRate: 0.1, momentum: 0.8, nesterov: true }), kind: 'sgd', hp: { momentum: 0.8, nesterov: true }, rate: fixed(0.1) },
  { title: 'adagrad with defaults', make: () => optimizers.adagrad(), kind: 'adagrad', hp: { initialAccumulatorValue: 0.1, epsilon: 1e-7 }, rate: fixed(0.001) },
  { title: 'adagrad from a zero accumulator (epsilon decides)', make: () => optimizers.adagrad({ learningRate: 0.1, initialAccumulatorValue: 0, epsilon: 1e-6 }), kind: 'adagrad', hp: { initialAccumulatorValue: 0, epsilon: 1e-6 }, rate: fixed(0.1) },
  { title: 'adadelta with defaults', make: () => optimizers.adadelta(), kind: 'adadelta', hp: { rho: 0.95, epsilon: 1e-7 }, rate: fixed(0.001), minStep: 2e-6 },
  { title: 'adadelta at learning rate 1 (the paper)', make: () => optimizers.adadelta({ learningRate: 1, rho: 0.9, epsilon: 1e-6 }), kind: 'adadelta', hp: { rho: 0.9, epsilon: 1e-6 }, rate: fixed(1) },
  { title: 'rmsprop with defaults', make: () => optimizers.rmsprop(), kind: 'rmsprop', hp: { rho: 0.9, momentum: 0, epsilon: 1e-7, centered: false }, rate: fixed(0.001) },
  { title: 'rmsprop with momentum', make: () => optimizers.rmsprop({ learningRate: 0.01, momentum: 0.9 }), kind: 'rmsprop', hp: { rho: 0.9, momentum: 0.9, epsilon: 1e-7, centered: false }, rate: fixed(0.01) },
  { title: 'centered rmsprop', make: () => optimizers.rmsprop({ learningRate: 0.01, rho: 0.8, centered: true }), kind: 'rmsprop', hp: { rho: 0.8, momentum: 0, epsilon: 1e-7, centered: true }, rate: fixed(0.01) },
  { title: 'centered rmsprop with momentum', make: () => optimizers.rmsprop({ learningRate: 0.01, momentum: 0.5, centered: true, epsilon: 1e-6 }), kind: 'rmsprop', hp: { rho: 0.9, momentum: 0.5, epsilon: 1e-6, centered: true }, rate: fixed(0.01) },
  { title: 'adam with defaults', make: () => optimizers.adam(), kind: 'adam', hp: ADAM_DEFAULTS, rate: fixed(0.001) },
  { title: 'adam with amsgrad', make: () => optimizers.adam({ learningRate: 0.05, beta2: 0.9, amsgrad: true }), kind: 'adam', hp: { ...ADAM_DEFAULTS, beta2: 0.9, amsgrad: true }, rate: fixed(0.05) },
  { title: 'adam on an exponential-decay schedule', make: () => optimizers.adam({ learningRate: decay }), kind: 'adam', hp: ADAM_DEFAULTS, rate: (s) => 0.1 * 0.5 ** s },
  { title: 'adamax with defaults', make: () => optimizers.adamax(), kind: 'adamax', hp: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, rate: fixed(0.001) },
  { title: 'adamax with epsilon 1e-6', make: () => optimizers.adamax({ learningRate: 0.05, beta1: 0.8, epsilon: 1e-6 }), kind: 'adamax', hp: { beta1: 0.8, beta2: 0.999, epsilon: 1e-6 }, rate: fixed(0.05) },
  { title: 'nadam with defaults', make: () => optimizers.nadam(), kind: 'nadam', hp: { beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }, rate: fixed(0.001) },
  { title: 'nadam with larger steps', make: () => optimizers.nadam({ learningRate: 0.05, beta1: 0.8, beta2: 0.99 }), kind: 'nadam', hp: { beta1: 0.8, beta2: 0.99, epsilon: 1e-7 }, rate: fixed(0.05) },
  { title: 'adamw with defaults', make: () => optimizers.adamw(), kind: 'adamw', hp: { ...ADAM_DEFAULTS, weightDecay: 0.004 }, rate: fixed(0.001) },
  { title: 'adamw with strong decay and amsgrad', make: () => optimizers.adamw({ learningRate: 0.05, weightDecay: 0.5, amsgrad: true }), kind: 'adamw', hp: { ...ADAM_DEFAULTS, weightDecay: 0.5, amsgrad: true }, rate: fixed(0.05) },
];

/** Three steps of the optimizer and of its float64 reference from the same start. */
function run(c: Case, size: number): { got: Float32Array; want: Float64Array; moved: number } {
  const { p, grads } = problem(size);
  const want = Float64Array.from(p);
  const optimizer = c.make();
  const reference = new ReferenceOptimizer(c.kind, c.hp, size);
  const segments = Uint32Array.from([0, size]);
  grads.forEach((g, step) => {
    expect(optimizer.iterations).to.equal(step);
    expect(optimizer.currentLearningRate()).to.be.closeTo(c.rate(step), 1e-12);
    reference.step(want, g, c.rate(step));
    optimizer.applyGradients(p, g.slice(), segments);
  });
  const start = problem(size).p;
  const moved = want.reduce((most, w, i) => Math.max(most, Math.abs(w - (start[i] as number))), 0);
  return { got: p, want, moved };
}

for (const isa of supportedIsas) {
  describe(`optimizers, three steps against float64 (${isa} path)`, () => {
    before(() => native.setIsa(isa));
    after(() => native.setIsa(defaultIsa));

    for (const c of CASES) {
      it(`${c.title} on ${SIZES.join(', ')} parameters`, () => {
        for (const size of SIZES) {
          const { got, want, moved } = run(c, size);
          expectClose(got, want, TOL, `${c.title}, ${size} parameters`);
          // The comparison means something only if the parameters moved past the tolerance (Keras's
          // default Adadelta barely moves: its first steps are lr * sqrt(epsilon) / sqrt(1 - rho)).
          expect(moved, 'largest step').to.be.greaterThan(c.minStep ?? 1e-5);
        }
      });
    }
  });
}

describe('Optimizer', () => {
  it('evaluates a schedule at iterations, from 0, and counts applied steps', () => {
    const optimizer = optimizers.sgd({ learningRate: schedules.stepDecay({ initialLearningRate: 1, dropEvery: 2, factor: 0.5 }) });
    const rates: number[] = [];
    const p = new Float32Array([0]);
    for (let step = 0; step < 5; step++) {
      rates.push(optimizer.currentLearningRate());
      optimizer.applyGradients(p, Float32Array.from([1]), Uint32Array.from([0, 1]));
    }
    expect(rates).to.deep.equal([1, 1, 0.5, 0.5, 0.25]);
    expect(optimizer.iterations).to.equal(5);
    expect(p[0]).to.equal(-3.25);
  });

  it('takes a new learning rate from a callback and refuses a non-positive one', () => {
    const optimizer = optimizers.adam();
    optimizer.learningRate = 0.5;
    expect(optimizer.currentLearningRate()).to.equal(0.5);
    expect(() => (optimizer.learningRate = 0)).to.throw(ArgumentRangeError, /Expected a number > 0 for learningRate but received 0/);
    expect(() => (optimizer.learningRate = -1e-3)).to.throw(ArgumentRangeError, /learningRate/);
    expect(() => (optimizer.learningRate = NaN)).to.throw(ArgumentRangeError, /learningRate/);
    expect(() => ((optimizer as unknown as { learningRate: unknown }).learningRate = '0.1')).to.throw(ArgumentTypeError, /learningRate/);
    expect(optimizer.currentLearningRate()).to.equal(0.5);
  });

  it('refuses a schedule that returns a negative or non-finite rate, naming the step', () => {
    const optimizer = optimizers.sgd({ learningRate: (step: number) => 0.1 - step });
    optimizer.applyGradients(new Float32Array(1), new Float32Array(1), Uint32Array.from([0, 1]));
    expect(() => optimizer.currentLearningRate()).to.throw(ArgumentRangeError, /learningRate schedule at step 1 but received -0.9/);
  });

  it('recreates itself from getConfig, a schedule appearing as its config', () => {
    const made = [
      optimizers.sgd({ learningRate: 0.2, momentum: 0.5, nesterov: true, clipValue: 1 }),
      optimizers.adagrad({ initialAccumulatorValue: 0.3 }),
      optimizers.adadelta({ rho: 0.9 }),
      optimizers.rmsprop({ centered: true, momentum: 0.1, clipNorm: 2 }),
      optimizers.adam({ amsgrad: true, globalClipNorm: 5 }),
      optimizers.adamax({ beta1: 0.8 }),
      optimizers.nadam({ epsilon: 1e-6 }),
      optimizers.adamw({ weightDecay: 0.01 }),
    ];
    for (const o of made) {
      const factory = (optimizers as unknown as Record<string, (c: unknown) => Optimizer>)[o.className.toLowerCase()];
      expect(factory?.(o.getConfig()).getConfig(), o.className).to.deep.equal(o.getConfig());
    }
    expect(optimizers.adam({ learningRate: decay }).getConfig()['learningRate']).to.deep.equal({
      className: 'ExponentialDecay',
      config: { initialLearningRate: 0.1, decaySteps: 1, decayRate: 0.5, staircase: false },
    });
  });
});

describe('getOptimizer()', () => {
  it('makes every optimizer by name with Keras defaults', () => {
    const classes = optimizerNames.map((name) => getOptimizer(name, 'optimizer').className);
    expect(classes).to.deep.equal(['SGD', 'Adagrad', 'Adadelta', 'RMSprop', 'Adam', 'Adamax', 'Nadam', 'AdamW']);
    expect((getOptimizer('adamw', 'optimizer') as optimizers.AdamW).weightDecay).to.equal(0.004);
    expect(getOptimizer('rmsprop', 'optimizer').currentLearningRate()).to.equal(0.001);
  });

  it('throws RangeError for an unknown name, with a suggestion for a near miss', () => {
    expect(() => getOptimizer('RMSProp', 'optimizer')).to.throw(ArgumentRangeError, /for optimizer but received 'RMSProp'.*Did you mean 'rmsprop'\?/);
    expect(() => getOptimizer('adamm', 'optimizer')).to.throw(ArgumentRangeError, /one of 'sgd', 'adagrad', 'adadelta', 'rmsprop', 'adam', 'adamax', 'nadam', 'adamw'/);
    expect(() => getOptimizer(3, 'optimizer')).to.throw(ArgumentTypeError, /optimizer name/);
  });
});

describe('optimizer configs: bad input', () => {
  const cases: [string, () => unknown, RegExp][] = [
    ['negative momentum', () => optimizers.sgd({ momentum: -0.1 }), /Expected a number in \[0, 1\] for momentum but received -0.1/],
    ['rho 1.5', () => optimizers.rmsprop({ rho: 1.5 }), /Expected a number in \[0, 1\) for rho but received 1.5/],
    ['adadelta rho 1', () => optimizers.adadelta({ rho: 1 }), /rho/],
    ['beta1 1', () => optimizers.adam({ beta1: 1 }), /beta1/],
    ['negative weight decay', () => optimizers.adamw({ weightDecay: -1 }), /weightDecay/],
    ['epsilon 0', () => optimizers.nadam({ epsilon: 0 }), /epsilon/],
    ['negative initial accumulator', () => optimizers.adagrad({ initialAccumulatorValue: -1 }), /initialAccumulatorValue/],
    ['learning rate 0', () => optimizers.adamax({ learningRate: 0 }), /learningRate/],
    ['clipValue 0', () => optimizers.sgd({ clipValue: 0 }), /Expected a number > 0 for clipValue/],
    ['clipNorm with globalClipNorm', () => optimizers.adam({ clipNorm: 1, globalClipNorm: 1 }), /for globalClipNorm.*not both/],
    ['an unknown option', () => optimizers.sgd({ lr: 0.1 } as never), /sgd config.lr.*unknown option 'lr'/],
  ];
  for (const [what, make, pattern] of cases) {
    it(`throws RangeError for ${what}`, () => expect(make).to.throw(ArgumentRangeError, pattern));
  }

  it('throws TypeError for options of the wrong kind', () => {
    expect(() => optimizers.sgd({ nesterov: 1 } as never)).to.throw(ArgumentTypeError, /a boolean for nesterov/);
    expect(() => optimizers.rmsprop({ centered: 'yes' } as never)).to.throw(ArgumentTypeError, /centered/);
    expect(() => optimizers.adam(5 as never)).to.throw(ArgumentTypeError, /adam config/);
  });
});
