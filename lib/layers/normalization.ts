/**
 * Normalization (Keras's preprocessing layer): standardizes each feature with fixed statistics,
 * y = (x - mean) / max(sqrt(variance), 1e-7), the floor being Keras's backend epsilon. The mean
 * and variance come from the config or from adapt(data), and are non-trainable state. Until
 * either sets them the layer is the identity (mean 0, variance 1), as a Keras layer built
 * without adapt.
 */
import { ArgumentTypeError, ShapeError } from '../errors';
import type { Initializer } from '../initializers';
import { toMatrix, type TensorLike } from '../tensor';
import { describe, FINITE, finiteValues, float32In, knownOptions, plainObject, type Interval } from '../validate';
import { parseInputShape } from './dense';
import { Layer, layerName, type ParamSpec } from './layer';
import type { Kernels } from '../core/kernels';

/** Floor on the standard deviation: a constant feature passes as x - mean instead of dividing by 0. */
export const STDDEV_FLOOR = 1e-7;

export interface NormalizationConfig {
  /** Per-feature mean (one number for all features); give variance with it. */
  mean?: number | readonly number[];
  /** Per-feature variance, >= 0 (one number for all features); give mean with it. */
  variance?: number | readonly number[];
  /** Features per sample, for the first layer of a model: [features]. */
  inputShape?: readonly number[];
  name?: string;
  /** Whether training updates the layer's weights (default true); see Layer#trainable. */
  trainable?: boolean;
}

/** The statistics the layer was given or adapted to; a single number stands for every feature. */
interface Statistics {
  readonly mean: Float64Array;
  readonly variance: Float64Array;
  /** What set them, for a width mismatch found at build: 'mean' (the config) or 'adapt data'. */
  readonly origin: string;
}

function parseStatistic(value: unknown, argument: string, interval: Interval): Float64Array {
  if (typeof value === 'number') return Float64Array.of(float32In(value, argument, interval));
  if (!Array.isArray(value) || value.length === 0) {
    throw new ShapeError({ argument, expected: 'a number or a non-empty array of numbers, one per feature', received: describe(value) });
  }
  return Float64Array.from(value, (v: unknown, i) => float32In(v, `${argument}[${i}]`, interval));
}

export class Normalization extends Layer {
  readonly className = 'Normalization';
  private statistics: Statistics | null = null;
  private mean: Float32Array = new Float32Array(0);
  private variance: Float32Array = new Float32Array(0);

  constructor(config: NormalizationConfig = {}) {
    const options = plainObject(config, 'normalization config');
    knownOptions(options, 'normalization config', ['mean', 'variance', 'inputShape', 'name', 'trainable']);
    super(
      layerName(options['name'], 'normalization'),
      parseInputShape(options['inputShape'], 'inputShape'),
      options['trainable'],
    );
    const [mean, variance] = [options['mean'], options['variance']];
    if ((mean === undefined) !== (variance === undefined)) {
      const [given, missing] = mean === undefined ? ['variance', 'mean'] : ['mean', 'variance'];
      throw new ArgumentTypeError({ argument: missing, expected: `a value, since ${given} is given (give both or neither)`, received: 'undefined' });
    }
    if (mean !== undefined) {
      this.statistics = {
        mean: parseStatistic(mean, 'mean', FINITE),
        variance: parseStatistic(variance, 'variance', { min: 0, max: Infinity, maxInclusive: false }),
        origin: 'mean',
      };
    }
  }

  protected computeOutputUnits(inputUnits: number): number {
    const s = this.statistics;
    if (s !== null) {
      // Single numbers stand for every feature; arrays must match the width.
      const widen = (a: Float64Array, argument: string): Float64Array => {
        if (a.length === inputUnits) return a;
        if (a.length === 1) return new Float64Array(inputUnits).fill(a[0] as number);
        throw new ShapeError({ argument, expected: `${inputUnits} values, one per input feature of '${this.name}'`, received: `${a.length}` });
      };
      const varianceArgument = s.origin === 'mean' ? 'variance' : s.origin;
      this.statistics = { mean: widen(s.mean, s.origin), variance: widen(s.variance, varianceArgument), origin: s.origin };
    }
    return inputUnits;
  }

  /** mean and variance, as non-trainable state filled from the statistics (or 0 and 1). */
  protected paramSpecs(): ParamSpec[] {
    const u = this.inputUnits;
    const fromStatistics = (pick: (s: Statistics) => Float64Array, fallback: number): Initializer => ({
      className: 'constant',
      fill: (view) => {
        if (this.statistics === null) view.fill(fallback);
        else view.set(pick(this.statistics));
      },
      getConfig: () => ({}),
    });
    return [
      { name: 'mean', shape: [u], initializer: fromStatistics((s) => s.mean, 0), fanIn: u, fanOut: u, trainable: false },
      { name: 'variance', shape: [u], initializer: fromStatistics((s) => s.variance, 1), fanIn: u, fanOut: u, trainable: false, domain: 'nonNegative' },
    ];
  }

  bindParams(params: Float32Array[]): void {
    this.mean = params[0] as Float32Array;
    this.variance = params[1] as Float32Array;
  }

  /**
   * Sets the mean and (biased) variance of each feature from data [samples, features], as
   * Keras's adapt. Before the layer is in a model they are kept for its build; after, they are
   * written into the model's state at once.
   */
  adapt(data: TensorLike): void {
    const t = toMatrix(data, 'data');
    const [rows, cols] = t.shape as [number, number];
    const expected = this.built ? this.inputUnits : this.declaredInputUnits;
    if (expected !== undefined && cols !== expected) {
      throw new ShapeError({ argument: 'data', expected: `samples of ${expected} features (shape [n, ${expected}])`, received: `shape [${t.shape.join(', ')}]` });
    }
    finiteValues(t.data, 'data');
    const mean = new Float64Array(cols);
    const variance = new Float64Array(cols);
    for (let j = 0; j < cols; j++) {
      let sum = 0;
      for (let i = 0; i < rows; i++) sum += t.data[i * cols + j] as number;
      const m = sum / rows;
      let squares = 0;
      for (let i = 0; i < rows; i++) squares += ((t.data[i * cols + j] as number) - m) ** 2;
      mean[j] = m;
      variance[j] = squares / rows;
    }
    this.statistics = { mean, variance, origin: 'adapt data' };
    // Views of a model's state exist once the model has made its arena; before that, the
    // arena's initializer reads the statistics.
    if (this.mean.length === cols) {
      this.mean.set(mean);
      this.variance.set(variance);
    }
  }

  forward<S extends number>(k: Kernels<S>, x: Float32Array, y: Float32Array, n: number): void {
    k.standardizeForward(y, x, this.mean, this.variance, STDDEV_FLOOR, n, this.inputUnits);
  }

  backward<S extends number>(k: Kernels<S>, dy: Float32Array, dx: Float32Array | null, _x: Float32Array, _y: Float32Array, n: number): void {
    if (dx !== null) k.standardizeBackward(dx, dy, this.variance, STDDEV_FLOOR, n, this.inputUnits);
  }

  protected layerConfig(): Record<string, unknown> {
    const config: Record<string, unknown> = { name: this.name };
    if (this.statistics !== null) {
      config['mean'] = Array.from(this.statistics.mean);
      config['variance'] = Array.from(this.statistics.variance);
    }
    if (this.declaredInputUnits !== undefined) config['inputShape'] = [this.declaredInputUnits];
    return config;
  }
}

export function normalization(config?: NormalizationConfig): Normalization {
  return new Normalization(config);
}
