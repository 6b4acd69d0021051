/**
 * What compile() was given, as JSON and back: the loss (one, or for a model of several outputs
 * one per output, as an array or keyed by output name), the loss weights, the metric names (one
 * list, or one per output) and the optimizer. The form compile() was given is kept, so a loaded
 * model compiles as the saved one did. A custom loss or metric is written by its name only:
 * loading then asks for it again (loadModel(path, { loss, metrics })).
 */
import { ArgumentTypeError, ModelFormatError } from '../errors';
import * as losses from '../losses';
import type { Metric } from '../metrics';
import { metricNames } from '../metrics/resolve';
import type { Head, HeadArgs } from '../core/heads';
import type { CompileArgs, Model } from '../core/model';
import { optimizerFromConfig } from '../optimizers/by-name';
import type { Optimizer } from '../optimizers/optimizer';
import { isLossEntry, type CompileConfig, type LossEntry } from './header';
import { asFormatError } from './format-error';

/** The built-in losses by name; those with options take their config, the others only {}. */
const lossFactories: Record<losses.LossName, (config?: never) => losses.Loss> = {
  meanSquaredError: losses.meanSquaredError,
  meanAbsoluteError: losses.meanAbsoluteError,
  huber: losses.huber,
  logCosh: losses.logCosh,
  binaryCrossentropy: losses.binaryCrossentropy,
  categoricalCrossentropy: losses.categoricalCrossentropy,
  sparseCategoricalCrossentropy: losses.sparseCategoricalCrossentropy,
  hinge: losses.hinge,
  squaredHinge: losses.squaredHinge,
  kullbackLeiblerDivergence: losses.kullbackLeiblerDivergence,
};
const configurableLosses: readonly string[] = ['huber', 'binaryCrossentropy', 'categoricalCrossentropy', 'sparseCategoricalCrossentropy'];

/** Whether a loss is a built-in one (so its name and config recreate it), not a custom loss that took a built-in's name. */
function isBuiltInLoss(loss: losses.Loss): boolean {
  const factory = lossFactories[loss.name as losses.LossName] as (() => losses.Loss) | undefined;
  return factory !== undefined && Object.getPrototypeOf(factory()) === Object.getPrototypeOf(loss);
}

function lossEntry(loss: losses.Loss): LossEntry {
  return { name: loss.name, config: isBuiltInLoss(loss) ? loss.getConfig() : null };
}

/** Whether compile() was given an object keyed by output name (not a loss or metric object, which are class instances). */
function isKeyedByOutput(value: unknown): value is Readonly<Record<string, unknown>> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && Object.getPrototypeOf(value) === Object.prototype;
}

/** A metric list as compile() takes it (a name, an object, a list of them, or nothing), as names. */
function metricNameList(value: unknown): string[] {
  const list: readonly unknown[] = value === undefined ? [] : Array.isArray(value) ? value : [value];
  return list.map((m) => (typeof m === 'string' ? m : (m as Metric).name));
}

/** The metrics in the form compile() was given them: one list for every output, a list per output, or lists keyed by output name. */
function metricsToJSON(given: unknown, outputs: number): CompileConfig['metrics'] {
  if (outputs > 1 && Array.isArray(given) && given.some((m) => Array.isArray(m))) return given.map(metricNameList);
  if (outputs > 1 && isKeyedByOutput(given)) {
    return Object.fromEntries(Object.entries(given).filter(([, list]) => list !== undefined).map(([name, list]) => [name, metricNameList(list)]));
  }
  return metricNameList(given);
}

/** The losses in the form compile() was given them: one, an array in the outputs' order, or keyed by output name. */
function lossToJSON(given: unknown, heads: readonly Head[]): CompileConfig['loss'] {
  if (heads.length > 1 && Array.isArray(given)) return heads.map((head) => lossEntry(head.loss));
  if (heads.length > 1 && isKeyedByOutput(given)) return Object.fromEntries(heads.map((head) => [head.name, lossEntry(head.loss)]));
  return lossEntry((heads[0] as Head).loss);
}

/** The loss weights as compile() was given them (the values its heads took), or undefined when it was given none. */
function lossWeightsToJSON(given: unknown, heads: readonly Head[]): CompileConfig['lossWeights'] | undefined {
  if (given === undefined) return undefined;
  const weightOf = (name: string): number => heads.find((head) => head.name === name)?.weight ?? 1;
  if (Array.isArray(given)) return heads.map((head) => head.weight);
  return Object.fromEntries(Object.keys(given as object).map((name) => [name, weightOf(name)]));
}

/** What compile() was given, as JSON. */
export function compileToJSON(compiled: { readonly optimizer: Optimizer; readonly heads: readonly Head[]; readonly args: HeadArgs }): CompileConfig {
  const { optimizer, heads, args } = compiled;
  const config = optimizer.getConfig();
  if (typeof config['learningRate'] === 'function') {
    throw new ArgumentTypeError(
      { argument: 'optimizer learningRate', expected: 'a number or a schedule from schedules.* to save the model', received: 'a plain function' },
      'A plain function cannot be written to a file; schedules.* give the same with a config.',
    );
  }
  const lossWeights = lossWeightsToJSON(args.lossWeights, heads);
  return {
    loss: lossToJSON(args.loss, heads),
    ...(lossWeights === undefined ? {} : { lossWeights }),
    metrics: metricsToJSON(args.metrics, heads.length),
    optimizer: { className: optimizer.className, config },
  };
}

/** How loadModel compiles: overrides for what a file cannot hold (a custom loss or metric objects). */
export interface CompileOverrides {
  /** Compile the model as the file says (default true); false loads it uncompiled. */
  compile?: boolean;
  /** A loss to use instead of the file's (one, or per output as compile() takes them): needed when the model was compiled with a custom loss. */
  loss?: CompileArgs['loss'];
  /** Metrics to use instead of the file's names, e.g. metric objects with options. */
  metrics?: CompileArgs['metrics'];
}

/** The loss an entry names; `output` says whose, for a model of several outputs. */
function restoreLoss(entry: LossEntry, where: string, output: string | null, source: string): losses.Loss {
  const { name, config } = entry;
  const factory = lossFactories[name as losses.LossName] as ((config?: unknown) => losses.Loss) | undefined;
  if (factory === undefined || config === null) {
    throw new ModelFormatError(source, `the model was compiled with the custom loss '${name}'${output === null ? '' : ` for the output '${output}'`}, which a file cannot hold: pass it again, loadModel(path, { loss })`);
  }
  if (!configurableLosses.includes(name) && Object.keys(config).length > 0) {
    throw new ModelFormatError(source, `${where}.config: '${name}' takes no options but has ${Object.keys(config).join(', ')}`);
  }
  return asFormatError(source, where, () => (configurableLosses.includes(name) ? factory(config) : factory()));
}

/** The losses a compile config names, in its form: one, an array, or keyed by output name. */
function restoreLosses(loss: CompileConfig['loss'], outputs: readonly string[], source: string): unknown {
  if (isLossEntry(loss)) return restoreLoss(loss, 'compile.loss', null, source);
  if (Array.isArray(loss)) return (loss as readonly LossEntry[]).map((entry, i) => restoreLoss(entry, `compile.loss[${i}]`, outputs[i] ?? null, source));
  return Object.fromEntries(Object.entries(loss as Readonly<Record<string, LossEntry>>).map(([name, entry]) => [name, restoreLoss(entry, `compile.loss.${name}`, name, source)]));
}

/** The metric names a compile config holds, copied in its form; refuses a name that is not a built-in metric's. */
function restoreMetrics(metrics: CompileConfig['metrics'], source: string): unknown {
  const lists: readonly (readonly string[])[] = Array.isArray(metrics)
    ? metrics.every((m) => typeof m === 'string') ? [metrics as readonly string[]] : (metrics as readonly (readonly string[])[])
    : Object.values(metrics as Readonly<Record<string, readonly string[]>>);
  const unknown = lists.flat().find((m) => !(metricNames as readonly string[]).includes(m));
  if (unknown !== undefined) {
    throw new ModelFormatError(source, `the model was compiled with the metric '${unknown}', which is not a built-in metric name: pass the metrics again, loadModel(path, { metrics })`);
  }
  return structuredClone(metrics);
}

/** Compiles `model` as `compile` says; returns the optimizer (whose state the caller may restore). */
export function compileModel(model: Model, compile: CompileConfig, overrides: CompileOverrides, source: string): Optimizer {
  const optimizer = asFormatError(source, 'compile.optimizer', () => optimizerFromConfig(compile.optimizer, 'optimizer'));
  const loss = overrides.loss !== undefined ? overrides.loss : restoreLosses(compile.loss, model.outputNames, source);
  const metrics = overrides.metrics !== undefined ? overrides.metrics : restoreMetrics(compile.metrics, source);
  const args = { optimizer, loss, metrics, ...(compile.lossWeights === undefined ? {} : { lossWeights: structuredClone(compile.lossWeights) }) } as Parameters<Model['compile']>[0];
  // Overrides are the caller's arguments: their errors stay argument errors.
  if (overrides.loss !== undefined || overrides.metrics !== undefined) model.compile(args);
  else asFormatError(source, 'compile', () => model.compile(args));
  return optimizer;
}
