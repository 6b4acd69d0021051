/**
 * Weight initializers, drawing from the one seedable generator (lib/random.ts).
 *   glorotUniform: U(-l, l), l = sqrt(6 / (fanIn + fanOut))   (Glorot & Bengio, 2010)
 *   heNormal:      N(0, 2 / fanIn) truncated at 2 standard deviations, as Keras's he_normal
 *                  (He et al., 2015; Keras draws from a truncated normal whose stddev is
 *                  corrected by 0.87962566103423978 so the variance stays 2 / fanIn)
 *   zeros:         0
 */
import { ArgumentTypeError } from './errors';
import { globalRandom } from './random';
import { describe, oneOf, plainObject } from './validate';

export interface Initializer {
  readonly className: InitializerName;
  /** Fills a parameter view. fanIn and fanOut are those of the weight matrix it belongs to. */
  fill(view: Float32Array, fanIn: number, fanOut: number): void;
  getConfig(): Record<string, unknown>;
}

export const initializerNames = ['zeros', 'glorotUniform', 'heNormal'] as const;
export type InitializerName = (typeof initializerNames)[number];

/** Corrects the standard deviation of a normal truncated at +-2 sigma back to the one asked for. */
const TRUNCATED_NORMAL_STDDEV_CORRECTION = 0.87962566103423978;

function truncatedNormal(stddev: number): number {
  for (;;) {
    const z = globalRandom.normal();
    if (Math.abs(z) <= 2) return (z * stddev) / TRUNCATED_NORMAL_STDDEV_CORRECTION;
  }
}

const factories: Record<InitializerName, () => Initializer> = {
  zeros: () => ({
    className: 'zeros',
    fill: (view) => view.fill(0),
    getConfig: () => ({}),
  }),
  glorotUniform: () => ({
    className: 'glorotUniform',
    fill: (view, fanIn, fanOut) => {
      const limit = Math.sqrt(6 / (fanIn + fanOut));
      for (let i = 0; i < view.length; i++) view[i] = (2 * globalRandom.uniform() - 1) * limit;
    },
    getConfig: () => ({}),
  }),
  heNormal: () => ({
    className: 'heNormal',
    fill: (view, fanIn) => {
      const stddev = Math.sqrt(2 / fanIn);
      for (let i = 0; i < view.length; i++) view[i] = truncatedNormal(stddev);
    },
    getConfig: () => ({}),
  }),
};

export const zeros = (): Initializer => factories.zeros();
export const glorotUniform = (): Initializer => factories.glorotUniform();
export const heNormal = (): Initializer => factories.heNormal();

/** An initializer from a name or an initializer object; `argument` names it in errors. */
export function getInitializer(value: unknown, argument: string): Initializer {
  if (typeof value === 'string') return factories[oneOf(value, argument, initializerNames)]();
  const obj = plainObject(value, argument);
  if (typeof obj['fill'] !== 'function' || typeof obj['className'] !== 'string') {
    throw new ArgumentTypeError({ argument, expected: `an initializer name (${initializerNames.join(', ')}) or an initializer object`, received: describe(value) });
  }
  return obj as unknown as Initializer;
}
