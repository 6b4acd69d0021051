/**
 * A model as JSON and back: the layer stack as { className, config } entries and the compile
 * config (loss, metric names, optimizer). model.toJSON() and the model file's header share it;
 * building from it turns every argument error of a layer, loss or optimizer into a
 * ModelFormatError naming the source and the entry.
 */
import { ArgumentRangeError, ArgumentTypeError, ModelFormatError } from '../errors';
import { layerFromConfig } from '../layers/registry';
import * as losses from '../losses';
import type { Metric } from '../metrics';
import { metricNames } from '../metrics/resolve';
import type { Head, HeadArgs } from '../core/heads';
import type { Model } from '../core/model';
import { makeModel } from '../core/registry';
import { optimizerFromConfig } from '../optimizers/by-name';
import type { Optimizer } from '../optimizers/optimizer';
import type { CompileConfig, ModelJSON, SerializedObject } from './header';
import { FORMAT_VERSION } from './container';

export const myelinVersion: string = (require('../../package.json') as { version: string }).version;

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

/** What compile() was given, as JSON; a custom loss is written by its name with a null config (loading then needs it passed again). */
export function compileToJSON(compiled: { readonly optimizer: Optimizer; readonly heads: readonly Head[]; readonly args: HeadArgs }): CompileConfig {
  const { optimizer } = compiled;
  const loss = (compiled.heads[0] as Head).loss;
  const given = compiled.args.metrics;
  const metricValues: readonly unknown[] = given === undefined ? [] : Array.isArray(given) ? given : [given];
  const config = optimizer.getConfig();
  if (typeof config['learningRate'] === 'function') {
    throw new ArgumentTypeError(
      { argument: 'optimizer learningRate', expected: 'a number or a schedule from schedules.* to save the model', received: 'a plain function' },
      'A plain function cannot be written to a file; schedules.* give the same with a config.',
    );
  }
  return {
    loss: { name: loss.name, config: isBuiltInLoss(loss) ? loss.getConfig() : null },
    metrics: metricValues.map((m) => (typeof m === 'string' ? m : (m as Metric).name)),
    optimizer: { className: optimizer.className, config },
  };
}

/** The topology and compile config of a model, as a plain object. */
export function modelToJSON(model: Model): ModelJSON {
  const compiled = model.compileArgs();
  return {
    formatVersion: FORMAT_VERSION,
    myelinVersion,
    topology: model.layers.map((layer): SerializedObject => ({ className: layer.className, config: layer.getConfig() })),
    compile: compiled === null ? null : compileToJSON(compiled),
  };
}

/** Runs `make`, turning an argument error (a bad config) into a ModelFormatError about `where` in `source`. */
export function asFormatError<T>(source: string, where: string, make: () => T): T {
  try {
    return make();
  } catch (error) {
    if (error instanceof ArgumentTypeError || error instanceof ArgumentRangeError) throw new ModelFormatError(source, `${where}: ${error.message}`, { cause: error });
    throw error;
  }
}

/** The layers of a topology, stacked in a new model (built, weights not yet drawn). Layer names must be distinct. */
export function buildModel(topology: readonly SerializedObject[], source: string): Model {
  const names = new Set<string>();
  const layers = topology.map((entry, i) => {
    const layer = asFormatError(source, `topology[${i}] (${entry.className})`, () => layerFromConfig(entry, `topology[${i}]`));
    if (names.has(layer.name)) throw new ModelFormatError(source, `topology[${i}] reuses the layer name '${layer.name}'`);
    names.add(layer.name);
    return layer;
  });
  if (layers.length === 0) throw new ModelFormatError(source, 'the topology has no layers');
  // Today's files name no model class: their topology is a Sequential's chain of layers.
  return asFormatError(source, 'topology', () => makeModel('Sequential', layers) as Model);
}

/** How loadModel compiles: overrides for what a file cannot hold (a custom loss or metric objects). */
export interface CompileOverrides {
  /** Compile the model as the file says (default true); false loads it uncompiled. */
  compile?: boolean;
  /** A loss to use instead of the file's: needed when the model was compiled with a custom loss. */
  loss?: losses.LossIdentifier;
  /** Metrics to use instead of the file's names, e.g. metric objects with options. */
  metrics?: unknown;
}

/** The loss a compile config names, unless overridden. */
function restoreLoss(compile: CompileConfig, overrides: CompileOverrides, source: string): losses.LossIdentifier {
  if (overrides.loss !== undefined) return overrides.loss;
  const { name, config } = compile.loss;
  const factory = lossFactories[name as losses.LossName] as ((config?: unknown) => losses.Loss) | undefined;
  if (factory === undefined || config === null) {
    throw new ModelFormatError(source, `the model was compiled with the custom loss '${name}', which a file cannot hold: pass it again, loadModel(path, { loss })`);
  }
  if (!configurableLosses.includes(name) && Object.keys(config).length > 0) {
    throw new ModelFormatError(source, `compile.loss.config: '${name}' takes no options but has ${Object.keys(config).join(', ')}`);
  }
  return asFormatError(source, 'compile.loss', () => (configurableLosses.includes(name) ? factory(config) : factory()));
}

/** Compiles `model` as `compile` says; returns the optimizer (whose state the caller may restore). */
export function compileModel(model: Model, compile: CompileConfig, overrides: CompileOverrides, source: string): Optimizer {
  const optimizer = asFormatError(source, 'compile.optimizer', () => optimizerFromConfig(compile.optimizer, 'optimizer'));
  const loss = restoreLoss(compile, overrides, source);
  let metrics = overrides.metrics;
  if (metrics === undefined) {
    const unknown = compile.metrics.find((m) => !(metricNames as readonly string[]).includes(m));
    if (unknown !== undefined) {
      throw new ModelFormatError(source, `the model was compiled with the metric '${unknown}', which is not a built-in metric name: pass the metrics again, loadModel(path, { metrics })`);
    }
    metrics = [...compile.metrics];
  }
  const args = { optimizer, loss, metrics } as Parameters<Model['compile']>[0];
  // Overrides are the caller's arguments: their errors stay argument errors.
  if (overrides.loss !== undefined || overrides.metrics !== undefined) model.compile(args);
  else asFormatError(source, 'compile', () => model.compile(args));
  return optimizer;
}
