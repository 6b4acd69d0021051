/**
 * compile()'s metrics: names and metric objects made into one fresh metric each, checked against
 * the loss's labels and the output width. 'accuracy' picks its variant as Keras does: class-index
 * labels -> sparse categorical; one output -> binary (threshold 0.5); otherwise categorical.
 */
import { ArgumentRangeError, ArgumentTypeError, ShapeError } from '../errors';
import type { Loss } from '../losses';
import { describe, oneOf } from '../validate';
import { binaryAccuracy, categoricalAccuracy, sparseCategoricalAccuracy, sparseTopKCategoricalAccuracy, topKCategoricalAccuracy } from './accuracy';
import { AUC, auc, precision, recall } from './confusion';
import { Metric } from './metric';
import type { MetricOptions } from './options';
import { meanAbsoluteError, meanSquaredError } from './regression';

const factories = {
  binaryAccuracy,
  categoricalAccuracy,
  sparseCategoricalAccuracy,
  topKCategoricalAccuracy,
  sparseTopKCategoricalAccuracy,
  meanSquaredError,
  mse: meanSquaredError,
  meanAbsoluteError,
  mae: meanAbsoluteError,
  precision,
  recall,
  auc,
} satisfies Record<string, (config: MetricOptions) => Metric>;

export const metricNames = ['accuracy', 'acc', ...(Object.keys(factories) as (keyof typeof factories)[])] as const;
export type MetricName = 'accuracy' | 'acc' | keyof typeof factories;

function byName(name: MetricName, loss: Loss, outputUnits: number): Metric {
  if (name !== 'accuracy' && name !== 'acc') return factories[name]({ name });
  if (loss.sparse) return sparseCategoricalAccuracy({ name });
  return outputUnits === 1 ? binaryAccuracy({ name }) : categoricalAccuracy({ name });
}

function getMetric(value: unknown, argument: string, loss: Loss, outputUnits: number): Metric {
  if (value instanceof Metric) return value.clone();
  if (typeof value !== 'string') {
    throw new ArgumentTypeError({ argument, expected: "a metric name (e.g. 'accuracy') or a metric from metrics.*", received: describe(value) });
  }
  return byName(oneOf(value, argument, metricNames), loss, outputUnits);
}

/** A fresh metric for each entry, in order; the same values give a new, independent set. */
export function getMetrics(values: readonly unknown[], loss: Loss, outputUnits: number): Metric[] {
  const names = new Set<string>(['loss']);
  return values.map((value, i) => {
    const argument = `metrics[${i}]`;
    const metric = getMetric(value, argument, loss, outputUnits);
    if (metric.labels === 'indices' && !loss.sparse) {
      throw new ArgumentRangeError(
        { argument, expected: `a metric on labels shaped like the outputs, as loss '${loss.name}' takes`, received: `'${metric.name}', which reads class indices` },
        "Use 'accuracy', or a sparse loss such as 'sparseCategoricalCrossentropy'.",
      );
    }
    if (metric.labels === 'targets' && loss.sparse) {
      throw new ArgumentRangeError(
        { argument, expected: `a metric on class-index labels, as loss '${loss.name}' takes`, received: `'${metric.name}', which reads labels shaped like the outputs` },
        "Use 'accuracy', 'sparseCategoricalAccuracy' or 'sparseTopKCategoricalAccuracy'.",
      );
    }
    if (metric instanceof AUC && outputUnits !== 1) {
      throw new ShapeError({ argument, expected: 'a model with one output column for auc (binary ROC AUC)', received: `${outputUnits} outputs` });
    }
    if (names.has(metric.name)) {
      throw new ArgumentRangeError({ argument, expected: "a metric name not used by 'loss' or another metric", received: `'${metric.name}' again` }, 'Give one a different name: metrics.precision({ name: ... }).');
    }
    names.add(metric.name);
    return metric;
  });
}
