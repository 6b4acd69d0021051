/**
 * k-fold cross-validation (scikit-learn's cross_validate over a Keras model): every fold is held
 * out once while a fresh model, built by the caller, trains on the others. The model is a
 * Sequential or a graph model of one input and one output: the folds deal the rows of one x and
 * one y.
 */
import { assignFolds } from '../data/folds';
import { takeRows } from '../data/rows';
import { sampleOrder, samplesAndLabels } from '../data/split';
import { ArgumentRangeError, ArgumentTypeError, ModelStateError } from '../errors';
import type { LabelsLike, Tensor, TensorLike } from '../tensor';
import { boolean, describe, functionValue, plainObject, positiveInteger } from '../validate';
import type { FitArgs, Logs } from '../core/fit';
import { Model } from '../core/model';

export interface CrossValidateArgs extends FitArgs {
  /** Number of folds, from 2 to the number of samples (default 5). */
  folds?: number;
  /** Keep each class's share of samples in every fold (default false). Classes are y's values, or the argmax of one-hot rows. */
  stratify?: boolean;
  /** Shuffle the samples before dealing them into folds; also passed to fit (default true). */
  shuffle?: boolean;
}

export interface CrossValidation {
  /** What model.evaluate returned on each held-out fold, in fold order. */
  readonly folds: Logs[];
  /** Mean over the folds of each value. */
  readonly mean: Logs;
  /** Population standard deviation over the folds of each value. */
  readonly std: Logs;
}

type BuildModel = () => Model | Promise<Model>;

function foldCount(value: unknown, samples: number): number {
  const expected = `an integer from 2 to ${samples} (the number of samples)`;
  const folds = positiveInteger(value, 'folds');
  if (folds < 2 || folds > samples) throw new ArgumentRangeError({ argument: 'folds', expected, received: describe(value) });
  return folds;
}

/** The model buildModel() returned, checked to be a new, compiled model of one input and one output that accepts labels `ys`. */
async function freshModel(buildModel: BuildModel, built: Set<Model>, ys: Tensor): Promise<Model> {
  const expected = 'a function returning a new compiled model (sequential() or model())';
  const model: unknown = await buildModel();
  if (!(model instanceof Model)) throw new ArgumentTypeError({ argument: 'buildModel', expected, received: `a function returning ${describe(model)}` });
  if (built.has(model)) {
    throw new ArgumentRangeError({ argument: 'buildModel', expected, received: 'a function returning the same model twice' }, 'Create the model inside buildModel, so that every fold starts untrained.');
  }
  built.add(model);
  const inputs = model.inputSpecs().length;
  const outputs = model.outputNames.length;
  if (inputs !== 1 || outputs !== 1) {
    throw new ArgumentRangeError(
      { argument: 'buildModel', expected: 'a function returning a model of one input and one output, whose samples are the rows of one x and one y', received: `a function returning a model of ${inputs} input${inputs === 1 ? '' : 's'} and ${outputs} output${outputs === 1 ? '' : 's'}` },
      'For several inputs or outputs, deal the rows into folds yourself and fit a model per fold, giving fit() one tensor per input and output.',
    );
  }
  try {
    model.checkLabels(ys, ys.shape[0] as number);
  } catch (error) {
    if (!(error instanceof ModelStateError)) throw error;
    throw new ArgumentRangeError({ argument: 'buildModel', expected, received: 'a function returning a model that is not compiled' }, 'Call model.compile({ optimizer, loss }) inside buildModel.');
  }
  return model;
}

function summarize(folds: readonly Logs[]): { mean: Logs; std: Logs } {
  const mean: Logs = {};
  const std: Logs = {};
  for (const key of Object.keys(folds[0] as Logs)) {
    const values = folds.map((logs) => logs[key] as number);
    const m = values.reduce((a, b) => a + b, 0) / values.length;
    mean[key] = m;
    std[key] = Math.sqrt(values.reduce((a, v) => a + (v - m) * (v - m), 0) / values.length);
  }
  return { mean, std };
}

/**
 * Builds a fresh model with buildModel() for every fold, fits it on the other folds (the rest
 * of `args` goes to model.fit, verbose 0 unless given) and evaluates it on the held-out fold.
 */
export async function crossValidate(buildModel: BuildModel, x: TensorLike, y: LabelsLike, args: CrossValidateArgs = {}): Promise<CrossValidation> {
  functionValue(buildModel, 'buildModel');
  const { xs, ys, samples } = samplesAndLabels(x, y);
  const { folds: foldsOption, stratify: stratifyOption, shuffle: shuffleOption, ...fitArgs } = plainObject(args, 'args') as CrossValidateArgs;
  const folds = foldCount(foldsOption ?? 5, samples);
  const stratify = boolean(stratifyOption ?? false, 'stratify');
  const shuffle = boolean(shuffleOption ?? true, 'shuffle');

  const order = sampleOrder(samples, shuffle);
  const foldOf = assignFolds(order, ys, folds, stratify);
  const built = new Set<Model>();
  const results: Logs[] = [];
  for (let f = 0; f < folds; f++) {
    const train = order.filter((r) => foldOf[r] !== f);
    const test = order.filter((r) => foldOf[r] === f);
    const model = await freshModel(buildModel, built, ys);
    await model.fit(takeRows(xs, train), takeRows(ys, train), { verbose: 0, ...fitArgs, shuffle });
    results.push(model.evaluate(takeRows(xs, test), takeRows(ys, test)));
  }
  return { folds: results, ...summarize(results) };
}
