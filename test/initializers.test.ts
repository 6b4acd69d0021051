import { expect } from 'chai';

import { ArgumentRangeError, ArgumentTypeError } from '../lib/errors';
import * as initializers from '../lib/initializers';
import { getInitializer, initializerNames, type Initializer } from '../lib/initializers';
import { dense } from '../lib/layers';
import { sequential } from '../lib/models/sequential';
import { seed } from '../lib/random';
import type { Tensor } from '../lib/tensor';

const DRAWS = 100_000;
const FAN_IN = 50;
const FAN_OUT = 150;
const TRUNCATED_STDDEV = 0.87962566103423978;

function sample(init: Initializer, fanIn = FAN_IN, fanOut = FAN_OUT, length = DRAWS): Float32Array {
  const view = new Float32Array(length);
  init.fill(view, fanIn, fanOut);
  return view;
}

function moments(v: Float32Array): { mean: number; variance: number; min: number; max: number } {
  let sum = 0;
  for (const x of v) sum += x;
  const mean = sum / v.length;
  let squares = 0;
  for (const x of v) squares += (x - mean) * (x - mean);
  return { mean, variance: squares / v.length, min: Math.min(...v), max: Math.max(...v) };
}

/**
 * Sampled mean and variance within 5 standard errors of the formula. The standard error of a
 * sample variance is sigma^2 sqrt((kurtosis - 1) / n); 2 (a normal's) bounds our three shapes.
 */
function expectMoments(v: Float32Array, mean: number, variance: number): void {
  const got = moments(v);
  expect(got.mean, 'mean').to.be.closeTo(mean, 5 * Math.sqrt(variance / v.length));
  expect(got.variance, 'variance').to.be.closeTo(variance, 5 * variance * Math.sqrt(2 / v.length));
}

describe('initializers', () => {
  beforeEach(() => seed(1234));

  describe('constant initializers', () => {
    it('zeros, ones and constant fill every element', () => {
      expect([...sample(initializers.zeros(), 3, 4, 7)]).to.deep.equal(Array(7).fill(0));
      expect([...sample(initializers.ones(), 3, 4, 7)]).to.deep.equal(Array(7).fill(1));
      expect([...sample(initializers.constant({ value: -2.5 }), 3, 4, 7)]).to.deep.equal(Array(7).fill(-2.5));
      expect([...sample(getInitializer('constant', 'init'), 3, 4, 2)]).to.deep.equal([0, 0]);
    });
  });

  describe('randomUniform, randomNormal, truncatedNormal', () => {
    it('randomUniform defaults to U(-0.05, 0.05) and honours minval / maxval', () => {
      const d = sample(initializers.randomUniform());
      expectMoments(d, 0, 0.1 ** 2 / 12);
      const v = sample(initializers.randomUniform({ minval: 1, maxval: 4 }));
      expectMoments(v, 2.5, 9 / 12);
      const { min, max } = moments(v);
      expect(min).to.be.at.least(1).and.below(1.001);
      expect(max).to.be.at.most(4).and.above(3.999);
    });

    it('randomNormal defaults to N(0, 0.05^2) and honours mean / stddev', () => {
      expectMoments(sample(initializers.randomNormal()), 0, 0.05 ** 2);
      const v = sample(initializers.randomNormal({ mean: 3, stddev: 2 }));
      expectMoments(v, 3, 4);
      expect(moments(v).max, 'an untruncated normal goes beyond 2 stddev').to.be.above(3 + 2 * 3);
    });

    it('truncatedNormal redraws beyond 2 stddev, without variance correction', () => {
      const v = sample(initializers.truncatedNormal({ mean: 1, stddev: 0.5 }));
      expectMoments(v, 1, 0.25 * TRUNCATED_STDDEV ** 2);
      const { min, max } = moments(v);
      expect(min).to.be.at.least(1 - 2 * 0.5 - 1e-6).and.below(1 - 1.95 * 0.5);
      expect(max).to.be.at.most(1 + 2 * 0.5 + 1e-6).and.above(1 + 1.95 * 0.5);
      expectMoments(sample(initializers.truncatedNormal()), 0, 0.05 ** 2 * TRUNCATED_STDDEV ** 2);
    });
  });

  describe('varianceScaling', () => {
    const fans = { fanIn: FAN_IN, fanOut: FAN_OUT, fanAvg: (FAN_IN + FAN_OUT) / 2 } as const;

    for (const mode of ['fanIn', 'fanOut', 'fanAvg'] as const) {
      for (const distribution of ['truncatedNormal', 'untruncatedNormal', 'uniform'] as const) {
        it(`has variance scale / ${mode} for ${distribution}`, () => {
          const scale = 3;
          const variance = scale / fans[mode];
          const v = sample(initializers.varianceScaling({ scale, mode, distribution }));
          expectMoments(v, 0, variance);
          const { min, max } = moments(v);
          const bound = distribution === 'uniform' ? Math.sqrt(3 * variance) : distribution === 'truncatedNormal' ? (2 * Math.sqrt(variance)) / TRUNCATED_STDDEV : Infinity;
          expect(Math.max(-min, max)).to.be.at.most(bound * (1 + 1e-6));
          if (distribution !== 'untruncatedNormal') expect(Math.max(-min, max)).to.be.above(0.98 * bound);
        });
      }
    }

    it('defaults to scale 1, fanIn, truncatedNormal (Keras)', () => {
      expect(initializers.varianceScaling().getConfig()).to.deep.equal({ scale: 1, mode: 'fanIn', distribution: 'truncatedNormal' });
      expectMoments(sample(initializers.varianceScaling()), 0, 1 / FAN_IN);
    });

    it('treats a fan below 1 as 1, as Keras does', () => {
      expectMoments(sample(initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'uniform' }), 5, 0), 0, 2);
    });
  });

  describe('the named variance-scaling initializers', () => {
    const cases = [
      ['glorotUniform', 1, 'fanAvg', 'uniform'],
      ['glorotNormal', 1, 'fanAvg', 'truncatedNormal'],
      ['heUniform', 2, 'fanIn', 'uniform'],
      ['heNormal', 2, 'fanIn', 'truncatedNormal'],
      ['lecunUniform', 1, 'fanIn', 'uniform'],
      ['lecunNormal', 1, 'fanIn', 'truncatedNormal'],
    ] as const;

    for (const [name, scale, mode, distribution] of cases) {
      it(`${name} draws exactly what varianceScaling({ scale: ${scale}, mode: '${mode}', distribution: '${distribution}' }) draws`, () => {
        seed(99);
        const named = sample(initializers[name](), FAN_IN, FAN_OUT, 1000);
        seed(99);
        const general = sample(initializers.varianceScaling({ scale, mode, distribution }), FAN_IN, FAN_OUT, 1000);
        expect(named).to.deep.equal(general);
        const fan = mode === 'fanIn' ? FAN_IN : (FAN_IN + FAN_OUT) / 2;
        expectMoments(sample(getInitializer(name, 'init')), 0, scale / fan);
      });
    }
  });

  describe('reproducibility and configs', () => {
    it('seed(n) reproduces every initializer, and another seed differs', () => {
      for (const name of initializerNames) {
        if (['zeros', 'ones', 'constant'].includes(name)) continue;
        const draw = (s: number): Float32Array => {
          seed(s);
          return sample(getInitializer(name, 'init'), 7, 9, 64);
        };
        expect(draw(5), name).to.deep.equal(draw(5));
        expect(draw(5), name).to.not.deep.equal(draw(6));
      }
    });

    it('round-trips every initializer through { className, config }', () => {
      const inits = [
        ...initializerNames.map((n) => getInitializer(n, 'init')),
        initializers.constant({ value: 0.25 }),
        initializers.randomUniform({ minval: -1, maxval: 2 }),
        initializers.randomNormal({ mean: 1, stddev: 3 }),
        initializers.truncatedNormal({ mean: -1, stddev: 0.5 }),
        initializers.varianceScaling({ scale: 2, mode: 'fanOut', distribution: 'untruncatedNormal' }),
      ];
      for (const init of inits) {
        const again = getInitializer({ className: init.className, config: init.getConfig() }, 'init');
        expect(again.className).to.equal(init.className);
        expect(again.getConfig(), init.className).to.deep.equal(init.getConfig());
        seed(3);
        const a = sample(init, 4, 6, 32);
        seed(3);
        expect(sample(again, 4, 6, 32), init.className).to.deep.equal(a);
      }
    });

    it('getConfig returns a copy', () => {
      const init = initializers.constant({ value: 2 });
      init.getConfig()['value'] = 3;
      expect(init.getConfig()).to.deep.equal({ value: 2 });
    });
  });

  describe('bad options', () => {
    it('throws ArgumentRangeError for out-of-range numbers, naming the option', () => {
      expect(() => initializers.randomNormal({ stddev: 0 })).to.throw(ArgumentRangeError, /stddev/);
      expect(() => initializers.truncatedNormal({ stddev: -1 })).to.throw(ArgumentRangeError, /stddev/);
      expect(() => initializers.randomUniform({ minval: 1, maxval: 1 })).to.throw(ArgumentRangeError, /greater than minval \(1\) for maxval/);
      expect(() => initializers.varianceScaling({ scale: 0 })).to.throw(ArgumentRangeError, /scale/);
      expect(() => initializers.constant({ value: NaN })).to.throw(ArgumentRangeError, /value/);
      expect(() => initializers.randomNormal({ mean: Infinity })).to.throw(ArgumentRangeError, /mean/);
    });

    it('throws ArgumentTypeError for a wrong kind', () => {
      expect(() => initializers.randomNormal({ stddev: '1' as unknown as number })).to.throw(ArgumentTypeError, /stddev but received '1' \(string\)/);
      expect(() => initializers.constant(5 as never)).to.throw(ArgumentTypeError, /constant args/);
      expect(() => getInitializer(42, 'kernelInitializer')).to.throw(ArgumentTypeError, /kernelInitializer/);
      expect(() => getInitializer({ fill: 1 }, 'kernelInitializer')).to.throw(ArgumentTypeError, /initializer name/);
    });

    it('suggests the spelling for mode, distribution and names', () => {
      expect(() => initializers.varianceScaling({ mode: 'fan_in' as never })).to.throw(ArgumentRangeError, /mode.*Did you mean 'fanIn'/);
      expect(() => initializers.varianceScaling({ distribution: 'truncated_normal' as never })).to.throw(ArgumentRangeError, /distribution.*Did you mean 'truncatedNormal'/);
      expect(() => initializers.varianceScaling({ distribution: 'normal' as never })).to.throw(ArgumentRangeError, /'untruncatedNormal'/);
      expect(() => getInitializer('he_normal', 'kernelInitializer')).to.throw(ArgumentRangeError, /kernelInitializer.*Did you mean 'heNormal'/);
      expect(() => getInitializer({ className: 'glorot_uniform', config: {} }, 'kernelInitializer')).to.throw(ArgumentRangeError, /kernelInitializer.className.*Did you mean 'glorotUniform'/);
    });

    it('refuses unknown options, including on the named variance-scaling initializers', () => {
      expect(() => initializers.randomUniform({ minVal: 0 } as never)).to.throw(ArgumentRangeError, /randomUniform args.minVal.*Did you mean 'minval'/);
      expect(() => initializers.heNormal({ scale: 2 } as never)).to.throw(ArgumentRangeError, /heNormal args.scale/);
      expect(() => initializers.varianceScaling({ seed: 1 } as never)).to.throw(ArgumentRangeError, /seed/);
    });
  });

  describe('in a Dense layer', () => {
    it('fills the kernel from a factory and accepts every name', () => {
      const model = sequential([dense({ inputShape: [3], units: 2, kernelInitializer: initializers.constant({ value: 0.5 }), biasInitializer: 'ones' })]);
      const [kernel, bias] = model.getWeights();
      expect([...(kernel as Tensor).data]).to.deep.equal(Array(6).fill(0.5));
      expect([...(bias as Tensor).data]).to.deep.equal([1, 1]);
      for (const name of initializerNames) expect(() => dense({ inputShape: [3], units: 2, kernelInitializer: name })).to.not.throw();
    });
  });
});
