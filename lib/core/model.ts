/**
 * The model core: a graph of built layers over one parameter arena, its compile state, and
 * everything a model does with them (fit, evaluate, predict, trainOnBatch, weights, saving), for
 * every front end: Sequential (lib/models/sequential.ts) only builds the graph. The public
 * surface is TensorFlow.js's; the heavy parts live beside it: a batch's work (batch-work.ts), the
 * plans that run it (step-plans.ts), fit (fit.ts), evaluation (evaluate.ts), prediction
 * (predict.ts) and named weights (named-weights.ts).
 */
import { saveModel, saveModelSync, type ModelJSON, type SaveOptions } from '../io';
import { modelToJSON } from '../io/topology';
import { ArgumentRangeError, ArgumentTypeError, ModelStateError, ShapeError } from '../errors';
import { Dense } from '../layers/dense';
import { checkDomain } from '../layers/weight-domain';
import type { Layer, LayerOwner, ParamSpec } from '../layers/layer';
import { checkClaims, claimsFit, MAX_LAYERS, type Claim } from '../limits';
import type { LossIdentifier } from '../losses';
import type { Metric, MetricName } from '../metrics';
import { exportOnnx as writeOnnx, exportOnnxSync as writeOnnxSync, type ExportOnnxOptions } from '../onnx/export';
import { getOptimizer, type OptimizerName } from '../optimizers/by-name';
import type { Optimizer } from '../optimizers/optimizer';
import { batchOrSample, Tensor, toMatrix, type LabelsLike, type TensorLike } from '../tensor';
import { describe, finiteValues, knownOptions, plainObject, positiveInteger } from '../validate';
import { ParameterArena, type ParamSlot } from './arena';
import { batchWork, type Batch, type BatchModel } from './batch-work';
import { evaluateNow } from './evaluate';
import { fitLoop, type FitArgs, type History, type Logs } from './fit';
import { Graph } from './graph';
import { makeHeads, outputNames, type Head, type HeadArgs } from './heads';
import { checkInputList, packColumns, packLabels, samplesAsBatches, unpackColumns } from './model-data';
import { now } from './kernels';
import { getNamedWeights, orderedWeights } from './named-weights';
import { signalOption } from './plan';
import { InferenceBuffers, predictInto, predictOffThread } from './predict';
import { combineValues, refusedUpdateError, StepPlans, type StepResult } from './step-plans';
import { formatSummary } from './summary';

export interface CompileArgs {
  optimizer: OptimizerName | Optimizer;
  /**
   * A name ('categoricalCrossentropy', 'mse') or a loss object (losses.huber({ delta: 2 })); for a
   * model of several outputs, one for all, an array in the outputs' order, or an object keyed by
   * output name.
   */
  loss: LossIdentifier | LossIdentifier[] | Record<string, LossIdentifier>;
  /** Each output's weight in the total loss (default 1), as an array or an object keyed by output name. */
  lossWeights?: number[] | Record<string, number>;
  /**
   * Names ('accuracy', 'mae') or metric objects (metrics.precision()); each logs under its name
   * (<output>_<name> for a model of several outputs, each output getting every metric, or those an
   * array of lists in the outputs' order or an object keyed by output name gives it).
   */
  metrics?: MetricName | Metric | (MetricName | Metric)[] | (MetricName | Metric | (MetricName | Metric)[])[] | Record<string, MetricName | Metric | (MetricName | Metric)[]>;
}

export interface BatchArgs {
  /** Samples per native call (default 256): bounds memory, not the result. */
  batchSize?: number;
}

export interface PredictAsyncArgs extends BatchArgs {
  /** Aborts the call while it waits or runs; it then rejects with an AbortError. */
  signal?: AbortSignal;
}

/** What compile() made. @internal */
export interface Compiled {
  readonly optimizer: Optimizer;
  /** Each output's loss, weight and metrics (fit's, and their twins for evaluations). */
  readonly heads: readonly Head[];
  /** What compile() was given, to compile again when a layer is added. */
  readonly args: HeadArgs;
}

const DEFAULT_PREDICT_BATCH = 256;

/** The model behind each layer owner: a layer knows its owner, a graph model needs the model. */
const ownerModels = new WeakMap<LayerOwner, Model>();

/** Labels: one tensor, or for a model of several outputs one per output (an array in order, or an object keyed by output name). */
export type ModelLabels = LabelsLike | readonly LabelsLike[] | Readonly<Record<string, LabelsLike>>;

/** What predict() takes: one tensor (or one sample), or for a model of several inputs one per input (each a batch or, for predict, one sample). */
export type ModelInputs = TensorLike | readonly number[] | Float32Array | readonly (TensorLike | readonly number[] | Float32Array)[] | Readonly<Record<string, TensorLike | readonly number[] | Float32Array>>;

/** The arenas `floats` make: parameters and their gradients, and the state array. */
function arenaClaims(floats: { readonly trainable: number; readonly state: number }): Claim[] {
  return [
    { what: 'the parameter arena', floats: floats.trainable },
    { what: 'the gradient arena', floats: floats.trainable },
    { what: 'the state array', floats: floats.state },
  ];
}

/** One output's tensor, or every output's. */
function oneOrMany(results: Tensor[]): Tensor | Tensor[] {
  return results.length === 1 ? (results[0] as Tensor) : results;
}

export class Model {
  /** Set to true (from a callback) to end fit() after the current batch, as in Keras. */
  stopTraining = false;
  /**
   * The name of each class the model predicts (output i's, or for one sigmoid output classes 0
   * and 1), or null. save() writes them in the file (checked then: one distinct name per class)
   * and loadModel() restores them; the command line sets them from the labels' names.
   */
  classNames: readonly string[] | null = null;
  private built: Layer[] = [];
  /** The layers by name: names are unique in a model (getLayer, named weights and files find layers by them). */
  private readonly byName = new Map<string, Layer>();
  private specs: ParamSpec[][] = [];
  /** Floats in the parameter arena and the state array, kept as layers are added. */
  private readonly floats = { trainable: 0, state: 0 };
  private graphCache: Graph | null = null;
  private arena: ParameterArena | null = null;
  private compiled: Compiled | null = null;
  /** Changes whenever anything a plan binds changes: the layers, the arena, the compile state. */
  private structure = 0;
  private stepPlansCache: StepPlans | null = null;
  /** predict()'s layer outputs. */
  private inferenceBuffers: InferenceBuffers | null = null;
  /** predictAsync()'s: its runs go one at a time, so they share them, apart from predict()'s. */
  private asyncInferenceBuffers: InferenceBuffers | null = null;
  private fitting = false;
  /**
   * The model whose arena holds this one's weights, for a model made of another's layers (an
   * encoder cut from a trained autoencoder, a model nested in a larger one): the two share the
   * weights, and this one predicts and evaluates but does not train. Null for a model that holds
   * its own. @internal
   */
  protected lender: Model | null = null;
  /** A run of fit's steps is queued or running: the weights and fit's buffers are not the main thread's. */
  private trainingRunPending = false;
  /** predictAsync() runs queued or running: they read the weights, which must not change under them. */
  private predictionsPending = 0;

  /** The layers, in order. */
  get layers(): readonly Layer[] {
    return this.built;
  }

  /** The graph of the layers, made anew when they change. @internal */
  graph(): Graph {
    this.graphCache ??= this.makeGraph();
    return this.graphCache;
  }

  /** The graph of the layers: Sequential's chain; a graph model gives its own. */
  protected makeGraph(): Graph {
    return Graph.chain(this.built[0]?.inputUnits ?? 0, this.built);
  }

  /** Features per sample: every input's, for a model of several. */
  get inputUnits(): number {
    return this.built.length === 0 ? 0 : this.graph().input.units;
  }

  /** Values per sample of the output: every output's, for a model of several. */
  get outputUnits(): number {
    return this.built.length === 0 ? 0 : this.graph().outputs.reduce((sum, node) => sum + node.units, 0);
  }

  /** Each input's name and width, in order. @internal */
  inputSpecs(): { readonly name: string; readonly units: number }[] {
    return [{ name: 'input', units: this.inputUnits }];
  }

  /** Each output's name, in order: its layer's. */
  get outputNames(): string[] {
    return this.built.length === 0 ? [] : outputNames(this.graph());
  }

  /**
   * Builds `layer` on `inputUnits` inputs and appends it: the front ends' one way to grow the
   * model. Refused while fit trains or runs on the model are pending, and for a size whose
   * arenas could not be allocated. @internal
   */
  protected appendLayer(layer: Layer, inputUnits: number): void {
    if (this.fitting) throw new ModelStateError('add() cannot run while fit() is training this model: wait for fit to finish.');
    this.expectIdle('add()', true);
    this.expectOwnLayers('add()');
    if (this.built.length >= MAX_LAYERS) {
      throw new ArgumentRangeError({ argument: 'layer', expected: `at most ${MAX_LAYERS} layers in a model`, received: `'${layer.name}', which would be layer ${this.built.length + 1}` });
    }
    if (this.byName.has(layer.name)) {
      throw new ArgumentRangeError({ argument: 'layer', expected: `a layer whose name no other layer of the model has (${this.built.length} layers)`, received: `a second layer named '${layer.name}'` });
    }
    const specs = layer.build(inputUnits);
    let floats: { trainable: number; state: number };
    try {
      floats = this.checkArenaSize(layer, specs);
    } catch (error) {
      layer.built = false;
      throw error;
    }
    Object.assign(this.floats, floats);
    this.specs.push(specs);
    this.built.push(layer);
    this.byName.set(layer.name, layer);
    layer.attach(this.owner);
    this.structureChanged();
  }

  /** What the layers ask of the model: their weights, and leave to change their trainable flag. */
  private readonly owner: LayerOwner = this.registerOwner({
    trainableChanging: (layer) => {
      const call = `Setting trainable on '${layer.name}'`;
      if (this.fitting) throw new ModelStateError(`${call} cannot happen while fit() is training this model: wait for fit to finish.`);
      this.expectIdle(call, true);
    },
    trainableChanged: () => {
      this.specs = this.built.map((l) => l.weightSpecs());
      this.countFloats();
      this.structureChanged();
    },
    layerWeights: (layer) => {
      this.expectIdle('getWeights()');
      const arena = this.requireArena();
      return arena.slotsOf(layer).map((s) => new Tensor(arena.view(s).slice(), s.spec.shape));
    },
    setLayerWeights: (layer, weights) => {
      this.expectIdle('setWeights()', true);
      const slots = this.requireArena().slotsOf(layer);
      if (!Array.isArray(weights) || weights.length !== slots.length) {
        throw new ArgumentTypeError({ argument: 'weights', expected: `an array of ${slots.length} tensors, in the order of ${layer.name}.getWeights()`, received: describe(weights) });
      }
      this.writeWeights(slots, weights, 'weights');
    },
  });

  /** Records which model an owner speaks for. */
  private registerOwner(owner: LayerOwner): LayerOwner {
    ownerModels.set(owner, this);
    return owner;
  }

  /** Counts the arenas' floats from the specs. */
  private countFloats(): void {
    this.floats.trainable = 0;
    this.floats.state = 0;
    for (const specs of this.specs) for (const spec of specs) this.floats[spec.trainable === false ? 'state' : 'trainable'] += spec.shape.reduce((a, b) => a * b, 1);
  }

  /** Removes the last layer (its weights go with it); the others keep theirs. @internal */
  protected removeLastLayer(call: string): Layer {
    if (this.fitting) throw new ModelStateError(`${call} cannot run while fit() is training this model: wait for fit to finish.`);
    this.expectIdle(call, true);
    this.expectOwnLayers(call);
    const layer = this.built.pop();
    if (layer === undefined) throw new ModelStateError(`${call}: the model has no layers to remove.`);
    this.byName.delete(layer.name);
    this.specs.pop();
    layer.detach();
    this.countFloats();
    this.structureChanged();
    return layer;
  }

  /**
   * After the layers changed: a new graph, the arena laid out anew (weights kept, and the
   * optimizer's slots moved with them), compiled again.
   */
  private structureChanged(): void {
    this.structure++;
    this.graphCache = null;
    this.stepPlansCache = null;
    this.inferenceBuffers = null;
    this.asyncInferenceBuffers = null;
    if (this.arena !== null) {
      const previous = this.arena;
      this.arena = new ParameterArena(this.built, this.specs, previous);
      this.compiled?.optimizer.remapSlots(previous.movesTo(this.arena), this.arena.params.length);
    }
    if (this.compiled !== null) this.compiled = this.compileWith(this.compiled.optimizer, this.compiled.args);
  }

  /**
   * Refuses a layer whose weights would make the arenas larger than can be allocated; returns the
   * arenas' floats with it.
   */
  private checkArenaSize(layer: Layer, specs: readonly ParamSpec[]): { trainable: number; state: number } {
    const counts = { ...this.floats };
    for (const spec of specs) counts[spec.trainable === false ? 'state' : 'trainable'] += spec.shape.reduce((a, b) => a * b, 1);
    const shapes = specs.map((spec) => `${spec.name} [${spec.shape.join(', ')}]`).join(', ');
    checkClaims(`layer '${layer.name}'`, `a layer of ${layer.outputUnits} units on ${layer.inputUnits} inputs, with weights ${shapes || 'none'}`, arenaClaims(counts));
    return counts;
  }

  /** Bytes of the arenas: parameters, gradients and state. */
  private arenaBytes(): number {
    return (this.floats.trainable * 2 + this.floats.state) * 4;
  }

  /**
   * Refuses a batch of n rows whose buffers (each layer's output and gradient, and `extra`, such
   * as a prediction's result) could not be allocated; `argument` is what chose n. @internal
   */
  checkBatchSize(argument: string, n: number, extra: readonly Claim[] = []): void {
    // trainOnBatch checks every call: the sizes first, the claims' names only when they do not fit.
    let largest = 0;
    let total = 0;
    for (const l of this.built) {
      largest = Math.max(largest, n * l.outputUnits);
      total += 2 * n * l.outputUnits;
    }
    for (const c of extra) {
      largest = Math.max(largest, c.floats);
      total += c.floats;
    }
    if (claimsFit(largest, total, this.arenaBytes())) return;
    const perLayer = this.built.flatMap((l): Claim[] => {
      const what = `${n} rows of '${l.name}' (${l.outputUnits} units)`;
      return [{ what: `${what}, outputs`, floats: n * l.outputUnits }, { what: `${what}, gradients`, floats: n * l.outputUnits }];
    });
    checkClaims(argument, `${n} samples per batch`, [...perLayer, ...extra], this.arenaBytes());
  }

  /** The parameter arena, made (and initialized) on first use so that seed() before it counts. */
  private requireArena(): ParameterArena {
    if (this.built.length === 0) throw new ModelStateError('The model has no layers: add one with model.add(layers.dense({ ... })).');
    if (this.lender !== null) return this.lender.requireArena();
    this.arena ??= new ParameterArena(this.built, this.specs, this.adopted);
    this.adopted = [];
    return this.arena;
  }

  /** The arenas of the models whose layers this one took over, whose weights its arena starts from. */
  private adopted: ParameterArena[] = [];

  /**
   * Takes built layers as the model's, in order: a graph model's. Layers no model holds become
   * this model's. Layers another model holds stay there when that model holds them all (this one
   * borrows its arena: a sub-model); a model whose every layer is among `layers` (a model nested in
   * this one, or one it was cut from and extends) hands them over, keeping their weights, and
   * borrows this one's arena from then on. @internal
   */
  protected adoptLayers(layers: readonly Layer[]): void {
    const seen = new Set<string>();
    for (const layer of layers) {
      if (seen.has(layer.name)) throw new ArgumentRangeError({ argument: 'outputs', expected: 'layers of distinct names in the graph', received: `two layers named '${layer.name}'` });
      seen.add(layer.name);
    }
    const holders = new Set<Model>();
    for (const layer of layers) {
      const holder = layer.holder === null ? undefined : ownerModels.get(layer.holder);
      if (holder !== undefined) holders.add(holder);
    }
    const only = holders.size === 1 ? [...holders][0] as Model : null;
    if (only !== null && layers.every((layer) => layer.holder === only.owner)) {
      this.lender = only;
      this.setLayers(layers, false);
      return;
    }
    for (const holder of holders) {
      const missing = holder.built.find((layer) => !layers.includes(layer));
      if (missing !== undefined) {
        throw new ArgumentRangeError(
          { argument: 'outputs', expected: "layers that no other model holds, or all of another model's layers (a nested model)", received: `'${holder.built.find((l) => layers.includes(l))?.name}', held by a model that also holds '${missing.name}', which this graph does not use` },
          'Build the new model from the whole model (apply it like a layer), or cut a sub-model of one model only.',
        );
      }
      holder.expectIdle('Nesting a model', true);
      if (holder.fitting) throw new ModelStateError('A model cannot be nested while fit() trains it: wait for fit to finish.');
    }
    this.adopted = [...holders].map((holder) => holder.requireArena());
    this.setLayers(layers, true);
    for (const holder of holders) holder.lendFrom(this);
  }

  /** Sets the layers and their specs; attaches them when this model holds them. */
  private setLayers(layers: readonly Layer[], hold: boolean): void {
    this.built = [...layers];
    this.byName.clear();
    for (const layer of layers) this.byName.set(layer.name, layer);
    this.specs = layers.map((layer) => layer.weightSpecs());
    this.countFloats();
    if (hold) {
      checkClaims('outputs', `a graph of ${layers.length} layers`, arenaClaims(this.floats));
      for (const layer of layers) layer.attach(this.owner);
    }
    this.structureChanged();
  }

  /** This model's layers went to `model` (nested in it): it borrows that model's arena from now on. */
  private lendFrom(model: Model): void {
    this.lender = model;
    this.arena = null;
    this.structureChanged();
  }

  /** A model whose layers another model holds cannot change them: refuses `call`. */
  private expectOwnLayers(call: string): void {
    if (this.lender !== null) {
      throw new ModelStateError(`${call}: this model's layers belong to another model (it was nested in it, or cut from it), whose graph they are part of; build a new model instead.`);
    }
  }

  /** A model that borrows its weights does not train: refuses `call`. */
  private expectOwnWeights(call: string): void {
    if (this.lender !== null) {
      throw new ModelStateError(
        `${call}: this model's layers belong to another model (it was cut from it, or nested in it), so training it would change that model's weights under it. ` +
          'Train the model that holds them, or train a copy: modelFromJSON(model.toJSON()), then setWeights(model.getWeights()).',
      );
    }
  }

  /** The slots of this model's weights: the arena's, or for a model that borrows it, its own layers'. @internal */
  weightSlots(): readonly ParamSlot[] {
    const arena = this.requireArena();
    return this.lender === null ? arena.slots : this.built.flatMap((layer) => arena.slotsOf(layer));
  }

  compile(args: CompileArgs): void {
    if (this.fitting) throw new ModelStateError('compile() cannot run while fit() is training this model: wait for fit to finish.');
    const options = plainObject(args, 'compile args');
    knownOptions(options, 'compile args', ['optimizer', 'loss', 'lossWeights', 'metrics']);
    if (this.built.length === 0) throw new ModelStateError('Cannot compile a model with no layers: add one with model.add(layers.dense({ ... })).');
    const optimizer = getOptimizer(options['optimizer'], 'optimizer');
    const slots = optimizer.slotNames();
    const params = this.floats.trainable;
    checkClaims('optimizer', `${optimizer.className}, whose slots ${slots.join(', ')} each hold 2 x ${params} floats`, slots.map((name) => ({ what: `the slot arenas '${name}'`, floats: 2 * params })), this.arenaBytes());
    if (options['loss'] === undefined) throw new ArgumentTypeError({ argument: 'loss', expected: "a loss name ('meanSquaredError') or a loss object", received: 'undefined' });
    const metrics = options['metrics'];
    this.compiled = this.compileWith(optimizer, { loss: options['loss'], lossWeights: options['lossWeights'], metrics: Array.isArray(metrics) ? [...(metrics as unknown[])] : metrics });
    this.structure++;
    this.stepPlansCache = null;
  }

  private compileWith(optimizer: Optimizer, args: HeadArgs): Compiled {
    return { optimizer, heads: makeHeads(this.graph(), args, this.lender !== null), args };
  }

  private requireCompiled(): Compiled {
    if (this.compiled === null) {
      throw new ModelStateError("The model is not compiled: call model.compile({ optimizer: 'adam', loss: 'meanSquaredError' }) first.");
    }
    // A borrowing model's heads fuse as the model holding its layers did when it compiled; that
    // model may have compiled since (or nested this one, unfusing them): its heads are made anew.
    if (this.lender !== null && this.compiled.heads.some((head) => head.fused !== (head.node.layer instanceof Dense && head.node.layer.fusedIntoLoss))) {
      this.compiled = this.compileWith(this.compiled.optimizer, this.compiled.args);
      this.structure++;
      this.stepPlansCache = null;
    }
    return this.compiled;
  }

  /** The compiled optimizer: callbacks read and set its learningRate. */
  get optimizer(): Optimizer {
    return this.requireCompiled().optimizer;
  }

  /** What a batch's work needs: the graph, the arena and the compile state. @internal */
  batchModel(): BatchModel {
    const { heads, optimizer } = this.requireCompiled();
    return { graph: this.graph(), arena: this.requireArena(), heads, optimizer };
  }

  /** Whether a training step is all kernel calls (no loss, regularizer or constraint in JavaScript), so a plan can run it. @internal */
  get plannable(): boolean {
    return this.requireCompiled().heads.every((head) => head.loss.native) && this.requireArena().native;
  }

  /**
   * The plans of this model's training and evaluation steps, kept while nothing they bind
   * changes (layers, arena, compile state, optimizer slots). @internal
   */
  stepPlans(): StepPlans {
    const optimizer = this.requireCompiled().optimizer;
    if (this.stepPlansCache === null || !this.stepPlansCache.current(this.structure, optimizer.slotsVersion)) {
      this.stepPlansCache = new StepPlans(this, this.structure, optimizer.slotsVersion);
    }
    return this.stepPlansCache;
  }

  /**
   * Validates a batch of inputs against the model: a matrix of inputUnits finite columns, or for a
   * model of several inputs one per input (an array in order, or an object keyed by input name),
   * packed side by side as the core runs them. @internal
   */
  checkInputs(x: unknown, argument = 'x'): Tensor {
    return packColumns(this.checkInputList(x, argument));
  }

  /** Validates a batch of inputs: one matrix per input, as given. @internal */
  checkInputList(x: unknown, argument = 'x'): Tensor[] {
    return checkInputList(x, this.inputSpecs(), argument);
  }

  /**
   * Validates labels against the inputs and each output's loss (one per sample, of its kind), and
   * for a model of several outputs packs them side by side. @internal
   */
  checkLabels(y: unknown, samples: number, argument = 'y'): Tensor {
    return packLabels(this.requireCompiled().heads, y, samples, argument);
  }

  /** The compiled heads: each output's loss, weight and metrics. @internal */
  heads(): readonly Head[] {
    return this.requireCompiled().heads;
  }

  /**
   * One batch's work now, on the main thread: its loss, predictions and, when `train`, one
   * optimizer step (refused, with everything as it was, when it would leave a weight or a slot
   * not finite). For a model whose loss, regularizer or constraint is JavaScript. The batch holds
   * `weightCols` sample weights per row (one per output when given per output). @internal
   */
  runBatchNow(batch: Batch, train: boolean, weightCols = 1): StepResult {
    const model = this.batchModel();
    const values = batchWork(model, now, this.workspaceFor(batch.n, weightCols), batch, train ? 'train' : 'evaluate');
    const result = combineValues(model.heads, values.losses, values.penalties, train ? values.outcome : null, values.predictions);
    if (train && Number.isFinite(result.loss)) model.optimizer.advance(1);
    return result;
  }

  /** The workspace of batches of n rows. @internal */
  workspaceFor(n: number, weightCols = 1): import('./workspace').Workspace {
    return this.stepPlans().workspace(n, weightCols);
  }

  /** Marks a run of fit's steps as queued or running (synchronous calls are refused meanwhile). @internal */
  set trainingRun(pending: boolean) {
    this.trainingRunPending = pending;
  }

  /**
   * Refuses a synchronous call that would read or write what a queued or running run of fit()
   * uses, or (when it `writes` the weights) what a queued or running predictAsync() reads. @internal
   */
  expectIdle(call: string, writes = false): void {
    if (this.trainingRunPending) {
      throw new ModelStateError(
        `${call} cannot run now: a training step of fit() is updating this model's weights on another thread. ` +
          'Use await model.predictAsync(x), which runs between steps, or call it from a fit callback (onBatchEnd, onEpochEnd), which runs between steps too.',
      );
    }
    if (writes && this.predictionsPending > 0) {
      throw new ModelStateError(
        `${call} cannot run now: ${this.predictionsPending} predictAsync() call(s) on this model are queued or running and read its weights. ` +
          'Await them first, or serve a copy of the model (modelFromJSON(model.toJSON()) then setWeights) and swap it in.',
      );
    }
  }

  /**
   * The loss on (x, y) and a copy of its gradient with respect to every parameter, in the
   * arena's layout (the order of getWeights()); no weight changes. For gradient checks.
   */
  computeGradients(x: ModelInputs, y: ModelLabels): { loss: number; grads: Float32Array } {
    this.expectIdle('computeGradients()');
    const xs = this.checkInputs(x);
    const n = xs.shape[0] as number;
    const batch = { input: xs.data, labels: this.checkLabels(y, n).data, weights: null, n };
    const model = this.batchModel();
    const values = batchWork(model, now, this.workspaceFor(n), batch, 'gradients');
    return { loss: combineValues(model.heads, values.losses, values.penalties, null, values.predictions).loss, grads: this.requireArena().grads.slice() };
  }

  private batchSizeOption(args: unknown, defaultSize: number): number {
    if (args === undefined) return defaultSize;
    const options = plainObject(args, 'args');
    knownOptions(options, 'args', ['batchSize']);
    return options['batchSize'] === undefined ? defaultSize : positiveInteger(options['batchSize'], 'batchSize');
  }

  /** Trains until `epochs` are done or stopTraining is set; yields to the event loop between batches. */
  async fit(x: ModelInputs, y: ModelLabels, args: FitArgs = {}): Promise<History> {
    this.requireCompiled();
    this.expectOwnWeights('fit()');
    if (this.fitting) throw new ModelStateError('fit() is already running on this model: wait for it to finish before starting another.');
    this.fitting = true;
    try {
      // Weights first, then the shuffle: seed(n) gives the same initial weights whether or not
      // fit shuffles, and whatever fit's options draw.
      this.requireArena();
      return await fitLoop(this, x, y, args);
    } finally {
      this.fitting = false;
    }
  }

  /** Loss and metrics on a labelled set, e.g. { loss: 0.12, accuracy: 0.97 }. */
  evaluate(x: ModelInputs, y: ModelLabels, args?: BatchArgs): Logs {
    this.requireCompiled();
    this.expectIdle('evaluate()');
    const batchSize = this.batchSizeOption(args, DEFAULT_PREDICT_BATCH);
    const xs = this.checkInputs(x);
    this.checkBatchSize('batchSize', Math.min(batchSize, xs.shape[0] as number));
    return evaluateNow(this, xs, this.checkLabels(y, xs.shape[0] as number), batchSize, null);
  }

  /**
   * Outputs for a batch of samples, as a new [n, outputUnits] tensor; one sample (a flat array of
   * inputUnits values) gives one row. A model of several inputs takes one tensor per input (an
   * array in order, or an object keyed by input name); one of several outputs gives an array of
   * tensors, one per output, as TensorFlow.js does.
   */
  predict(x: ModelInputs, args?: BatchArgs): Tensor | Tensor[] {
    this.expectIdle('predict()');
    const batchSize = this.batchSizeOption(args, DEFAULT_PREDICT_BATCH);
    const xs = this.predictionInputs(x);
    const results = this.predictionResults(xs, batchSize);
    predictInto(this.inferenceModel(), now, results.map((r) => r.data), xs, batchSize, (this.inferenceBuffers ??= new InferenceBuffers(this.graph())));
    return oneOrMany(results);
  }

  /**
   * predict(), with its native work on a libuv thread: the event loop stays free meanwhile. Calls
   * run one at a time in the order made (see lib/core/plan.ts), each on the weights as they are
   * when it runs: during fit(), between two training steps. `signal` aborts a call that waits or
   * runs (it rejects with an AbortError). The prediction is of x as it is when called: x is
   * copied first, so it may change, or be transferred to another thread, meanwhile.
   */
  async predictAsync(x: ModelInputs, args?: PredictAsyncArgs): Promise<Tensor | Tensor[]> {
    const options = args === undefined ? {} : plainObject(args, 'args');
    knownOptions(options, 'args', ['batchSize', 'signal']);
    const signal = signalOption(options['signal']);
    const batchSize = options['batchSize'] === undefined ? DEFAULT_PREDICT_BATCH : positiveInteger(options['batchSize'], 'batchSize');
    const checked = this.predictionInputs(x);
    // Rows converted from number[][] (or one sample) are ours already; anyone else's array is copied.
    const xs = checked.length === 1 && Array.isArray(x) ? checked : checked.map((t) => new Tensor(t.data.slice(), t.shape));
    return oneOrMany(await this.predictEveryOutputOffThread(xs, batchSize, signal));
  }

  /** predict's inputs: one matrix per input; a flat array is one sample (of each input, for a model of several). */
  private predictionInputs(x: unknown): Tensor[] {
    const inputs = this.inputSpecs();
    return inputs.length === 1 ? [this.checkInputs(batchOrSample(x, this.inputUnits))] : this.checkInputList(samplesAsBatches(x, inputs));
  }

  /**
   * predictAsync() of rows that no one else holds (the batcher's own batch buffers), so not
   * copied, for a model of one output; a model of several inputs takes their columns side by
   * side, which are copied apart. @internal
   */
  async predictOffThread(xs: Tensor, batchSize: number, signal?: AbortSignal): Promise<Tensor> {
    const specs = this.inputSpecs();
    const n = xs.shape[0] as number;
    let offset = 0;
    const parts = specs.length === 1 ? [xs] : specs.map((spec) => {
      const part = new Tensor(unpackColumns(xs.data, n, this.inputUnits, offset, spec.units, new Float32Array(n * spec.units)), [n, spec.units]);
      offset += spec.units;
      return part;
    });
    return (await this.predictEveryOutputOffThread(parts, batchSize, signal))[0] as Tensor;
  }

  /** predictAsync() of inputs no one else holds: one tensor per output. */
  private async predictEveryOutputOffThread(xs: readonly Tensor[], batchSize: number, signal?: AbortSignal): Promise<Tensor[]> {
    const results = this.predictionResults(xs, batchSize);
    const buffers = (this.asyncInferenceBuffers ??= new InferenceBuffers(this.graph()));
    this.predictionsPending += 1;
    try {
      await predictOffThread(this.inferenceModel(), results.map((r) => r.data), xs, batchSize, buffers, signal);
    } finally {
      this.predictionsPending -= 1;
    }
    return results;
  }

  /** What a prediction needs: the graph, with the arena made. */
  private inferenceModel(): { graph: Graph } {
    this.requireArena();
    return { graph: this.graph() };
  }

  /** The tensors a prediction of xs fills, one per output, their shapes fixed now, after the size checks. */
  private predictionResults(xs: readonly Tensor[], batchSize: number): Tensor[] {
    const samples = (xs[0] as Tensor).shape[0] as number;
    const outputs = this.graph().outputs;
    const capacity = 2 ** Math.ceil(Math.log2(Math.min(batchSize, samples)));
    const claims = outputs.map((node) => ({ what: `the result [${samples}, ${node.units}]`, floats: samples * node.units }));
    this.checkBatchSize(samples <= batchSize ? 'x' : 'batchSize', capacity, claims);
    return outputs.map((node) => new Tensor(new Float32Array(samples * node.units), [samples, node.units]));
  }

  /** One optimizer step on one batch; returns its loss (before the step). */
  trainOnBatch(x: ModelInputs, y: ModelLabels): number {
    if (this.fitting) throw new ModelStateError('trainOnBatch() cannot run while fit() is training this model.');
    this.expectOwnWeights('trainOnBatch()');
    this.expectIdle('trainOnBatch()', true);
    const xs = this.checkInputs(x);
    const n = xs.shape[0] as number;
    const ys = this.checkLabels(y, n);
    this.checkBatchSize('x', n);
    const batch = { input: xs.data, labels: ys.data, weights: null, n };
    const { loss, updateRefused } = this.plannable ? this.stepPlans().trainNow(batch) : this.runBatchNow(batch, true);
    if (updateRefused) throw refusedUpdateError('trainOnBatch()');
    return loss;
  }

  /**
   * Copies of the weights, layer by layer in each layer's order (Dense: kernel then bias;
   * BatchNormalization: gamma, beta, moving mean, moving variance), as in TensorFlow.js.
   */
  getWeights(): Tensor[] {
    this.expectIdle('getWeights()');
    const arena = this.requireArena();
    return this.weightSlots().map((s) => new Tensor(arena.view(s).slice(), s.spec.shape));
  }

  /**
   * Overwrites every weight, in the order and shapes of getWeights(), or by name as
   * getNamedWeights() gives them ({ 'dense_1/kernel': ..., ... }, every weight named once);
   * checks all before writing any.
   */
  setWeights(weights: readonly TensorLike[] | Readonly<Record<string, TensorLike>>): void {
    this.expectIdle('setWeights()', true);
    const slots = this.weightSlots();
    if (!Array.isArray(weights) && typeof weights === 'object' && weights !== null && !ArrayBuffer.isView(weights) && !(weights instanceof Tensor)) {
      weights = orderedWeights(this, weights);
    }
    if (!Array.isArray(weights) || weights.length !== slots.length) {
      throw new ArgumentTypeError({ argument: 'weights', expected: `an array of ${slots.length} tensors, in the order of getWeights()`, received: describe(weights) });
    }
    this.writeWeights(slots, weights, 'weights');
  }

  /**
   * Checks `values` against `slots` (shape, finite, each weight's domain), then writes them all:
   * nothing is written when one is wrong. @internal
   */
  writeWeights(slots: readonly ParamSlot[], values: readonly unknown[], argument: string): void {
    const arena = this.requireArena();
    const checked = slots.map((slot, i) => {
      const t = values[i] instanceof Tensor ? (values[i] as Tensor) : toMatrix(values[i], `${argument}[${i}]`);
      if (t.size !== slot.size) {
        throw new ShapeError({ argument: `${argument}[${i}]`, expected: `${slot.size} values (shape [${slot.spec.shape.join(', ')}]) for ${slot.layer.name}/${slot.spec.name}`, received: `shape [${t.shape.join(', ')}]` });
      }
      finiteValues(t.data, `${argument}[${i}]`);
      checkDomain(t.data, slot.spec.domain, `${argument}[${i}] (${slot.layer.name}/${slot.spec.name})`);
      return t.data;
    });
    slots.forEach((slot, i) => arena.view(slot).set(checked[i] as Float32Array));
  }

  /** Copies of every weight keyed Keras-style, 'layerName/weightName' ('dense_1/kernel'), in the order of getWeights(). */
  getNamedWeights(): Record<string, Tensor> {
    this.expectIdle('getNamedWeights()');
    return getNamedWeights(this);
  }

  /** The layer named `name`, or at position `index`, as Keras's get_layer. */
  getLayer(nameOrIndex: string | number): Layer {
    if (typeof nameOrIndex === 'number') {
      const layer = Number.isInteger(nameOrIndex) ? this.built[nameOrIndex] : undefined;
      if (layer === undefined) throw new ArgumentRangeError({ argument: 'index', expected: `a layer index from 0 to ${this.built.length - 1}`, received: describe(nameOrIndex) });
      return layer;
    }
    if (typeof nameOrIndex !== 'string') throw new ArgumentTypeError({ argument: 'name', expected: 'a layer name (string) or index (number)', received: describe(nameOrIndex) });
    const layer = this.byName.get(nameOrIndex);
    if (layer === undefined) {
      throw new ArgumentRangeError({ argument: 'name', expected: `the name of one of the model's layers (${this.built.map((l) => `'${l.name}'`).join(', ')})`, received: describe(nameOrIndex) });
    }
    return layer;
  }

  /**
   * Writes the model to `path` in myelin's format (docs/format.md): topology, weights, compile
   * config and, unless includeOptimizer is false, the optimizer's state. The write is atomic:
   * on any failure the file at `path` is left as it was. loadModel(path) reads it back. A
   * symbolic link at `path` is followed (its target replaced, the link kept); a FIFO, device or
   * directory is refused.
   */
  async save(path: string, options?: SaveOptions): Promise<void> {
    this.expectIdle('save()');
    await saveModel(this, path, options);
  }

  /** save, blocking. */
  saveSync(path: string, options?: SaveOptions): void {
    this.expectIdle('saveSync()');
    saveModelSync(this, path, options);
  }

  /** The topology and compile config as a plain object (no weights); modelFromJSON() rebuilds the model from it. */
  toJSON(): ModelJSON {
    return modelToJSON(this);
  }

  /** The parameter arena, made (and initialized) on first use; for lib/io and named weights. @internal */
  parameterArena(): ParameterArena {
    return this.requireArena();
  }

  /** What compile() was given, or null when not compiled; for lib/io. @internal */
  compileArgs(): { readonly optimizer: Optimizer; readonly heads: readonly Head[]; readonly args: HeadArgs } | null {
    return this.compiled;
  }

  /** Each of a layer's weights by name, as views of the arena: writing them changes the model. @internal */
  weightViews(layer: Layer): Map<string, Float32Array> {
    const arena = this.requireArena();
    return new Map(arena.slotsOf(layer).map((s) => [s.spec.name, arena.view(s)]));
  }

  /**
   * Writes the model as an ONNX file (opset 17) for inference in any ONNX runtime, holding what
   * predict() returns: a Sequential's input 'input' [N, features] and output 'output'; a graph
   * model's inputs and outputs named as the model's are. Dropout and noise layers are dropped; a
   * layer with no ONNX form is named in the error. The write is atomic.
   */
  async exportOnnx(path: string, options?: ExportOnnxOptions): Promise<void> {
    this.expectIdle('exportOnnx()');
    await writeOnnx(this, path, options);
  }

  /** exportOnnx, blocking. */
  exportOnnxSync(path: string, options?: ExportOnnxOptions): void {
    this.expectIdle('exportOnnxSync()');
    writeOnnxSync(this, path, options);
  }

  countParams(): number {
    return this.built.reduce((sum, l) => sum + l.countParams(), 0);
  }

  /** Prints (and returns) a table of layers, output shapes and parameter counts. */
  summary(printFn: (line: string) => void = console.log): string {
    const text = formatSummary(this);
    text.split('\n').forEach((line) => printFn(line));
    return text;
  }
}
