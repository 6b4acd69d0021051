/** Regression metrics, as keras.metrics: errors averaged over every output of every sample. */
import type { Metric } from './metric';
import { MeanMetric } from './metric';
import { metricOptions, type MetricOptions } from './options';

/** mean((pred - label)^2), as keras.metrics.mean_squared_error. */
export function meanSquaredError(config: MetricOptions = {}): Metric {
  const { name } = metricOptions(config, 'meanSquaredError', []);
  return new MeanMetric(name, 'targets', 'down', (pred, labels, n, c) => {
    let sum = 0;
    for (let i = 0; i < n * c; i++) sum += ((pred[i] as number) - (labels[i] as number)) ** 2;
    return sum / c;
  });
}

/** mean(|pred - label|), as keras.metrics.mean_absolute_error. */
export function meanAbsoluteError(config: MetricOptions = {}): Metric {
  const { name } = metricOptions(config, 'meanAbsoluteError', []);
  return new MeanMetric(name, 'targets', 'down', (pred, labels, n, c) => {
    let sum = 0;
    for (let i = 0; i < n * c; i++) sum += Math.abs((pred[i] as number) - (labels[i] as number));
    return sum / c;
  });
}
