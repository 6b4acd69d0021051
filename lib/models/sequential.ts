/**
 * Sequential: a stack of layers, built as they are added, trained on one parameter arena.
 * The public surface is TensorFlow.js's (add, compile, fit, evaluate, predict, summary,
 * trainOnBatch); the training step underneath allocates nothing after its first call for a
 * batch size.
 */
import { activationCode } from '../activations';
import { native } from '../backend';
import { ArgumentTypeError, ArgumentRangeError, ModelStateError, ShapeError, TrainingError } from '../errors';
import { Dense } from '../layers/dense';
import { Layer, type ParamSpec } from '../layers/layer';
import { checkDomain } from '../layers/weight-domain';
import { MAX_LAYERS } from '../limits';
import { getLoss, type Loss, type LossIdentifier } from '../losses';
import type { Metric, MetricName } from '../metrics';
import { getMetrics } from '../metrics/resolve';
import { exportOnnx as writeOnnx, exportOnnxSync as writeOnnxSync, type ExportOnnxOptions } from '../onnx/export';
import { getOptimizer, type OptimizerName } from '../optimizers/by-name';
import type { Optimizer, PendingUpdate } from '../optimizers/optimizer';
import { batchOrSample, shapeText, Tensor, toLabels, toMatrix, type LabelsLike, type TensorLike } from '../tensor';
import { checkClaims, type Claim } from '../limits';
import { describe, finiteValues, knownOptions, plainObject, positiveInteger } from '../validate';
import { ParameterArena } from './arena';
import { fitLoop, type FitArgs, type History, type Logs } from './fit';
import { foldBatchNorm } from './fold-batch-norm';
import { saveModel, saveModelSync, type ModelJSON, type SaveOptions } from '../io';
import { modelToJSON } from '../io/topology';
import { getNamedWeights, orderedWeights } from './named-weights';
import { record, runOffThread, Scalars, signalOption } from '../program';
import { formatSummary } from './summary';
import { InferenceBuffers, Workspace, WorkspaceCache } from './workspace';

export interface CompileArgs {
  optimizer: OptimizerName | Optimizer;
  /** A name ('categoricalCrossentropy', 'mse') or a loss object (losses.huber({ delta: 2 })). */
  loss: LossIdentifier;
  /** Names ('accuracy', 'mae') or metric objects (metrics.precision()); each logs under its name. */
  metrics?: MetricName | Metric | (MetricName | Metric)[];
}

export interface BatchArgs {
  /** Samples per native call (default 256): bounds memory, not the result. */
  batchSize?: number;
}

export interface PredictAsyncArgs extends BatchArgs {
  /** Aborts the call while it waits or runs; it then rejects with an AbortError. */
  signal?: AbortSignal;
}

interface Compiled {
  readonly optimizer: Optimizer;
  readonly loss: Loss;
  /** What compile() was given, to compile again when a layer is added. */
  readonly metricValues: readonly unknown[];
  /** The metrics fit() accumulates over an epoch. */
  readonly metrics: readonly Metric[];
  /** Their twins for evaluate() and validation, so an evaluation never disturbs a running epoch. */
  readonly evalMetrics: readonly Metric[];
  /** The output activation is applied inside the loss kernel (softmax/sigmoid cross-entropy). */
  readonly fused: boolean;
  readonly workspaces: WorkspaceCache;
}

/** One batch of an evaluation: its rows of input, labels and sample weights. */
interface EvaluationBatch {
  readonly input: Float32Array;
  readonly labels: Float32Array;
  readonly weights: Float32Array | null;
  readonly n: number;
}

/** The outcome of one batch: its loss and the predictions it was computed from. */
export interface BatchResult {
  /** NaN when the update was refused. */
  readonly loss: number;
  readonly predictions: Float32Array;
  /** The optimizer refused the update, which would have left a weight or a slot NaN or infinite. */
  readonly updateRefused: boolean;
}

const DEFAULT_PREDICT_BATCH = 256;

export class Sequential {
  readonly layers: Layer[] = [];
  /** Set to true (from a callback) to end fit() after the current batch, as in Keras. */
  stopTraining = false;
  /**
   * The name of each class the model predicts (output i's, or for one sigmoid output classes 0
   * and 1), or null. save() writes them in the file (checked then: one distinct name per class)
   * and loadModel() restores them; the command line sets them from the labels' names.
   */
  classNames: readonly string[] | null = null;
  private specs: ParamSpec[][] = [];
  /** Floats in the parameter arena and the state array, kept as layers are added. */
  private readonly floats = { trainable: 0, state: 0 };
  private arena: ParameterArena | null = null;
  private compiled: Compiled | null = null;
  /** predict()'s layer outputs. */
  private inferenceBuffers: InferenceBuffers | null = null;
  /** predictAsync()'s: its programs run one at a time, so they share them, apart from predict()'s. */
  private asyncInferenceBuffers: InferenceBuffers | null = null;
  private fitting = false;
  /** A program of fit() is queued or running: the weights and fit's buffers are not the main thread's. */
  private fitProgramPending = false;
  /** predictAsync() programs queued or running: they read the weights, which must not change under them. */
  private predictionsPending = 0;

  constructor(layers: readonly Layer[] = []) {
    if (!Array.isArray(layers)) {
      throw new ArgumentTypeError({ argument: 'layers', expected: 'an array of layers', received: describe(layers) });
    }
    // A plain loop, not forEach: a hole ([dense, , dense]) reaches add(), which refuses it.
    for (let i = 0; i < layers.length; i++) this.add(layers[i] as Layer);
  }

  /** Appends a layer and builds it; the first layer must declare its inputShape. */
  add(layer: Layer): void {
    if (this.fitting) throw new ModelStateError('add() cannot run while fit() is training this model: wait for fit to finish.');
    this.expectIdle('add()', true);
    if (!(layer instanceof Layer)) {
      throw new ArgumentTypeError({ argument: 'layer', expected: 'a layer, e.g. layers.dense({ units: 10 })', received: describe(layer) });
    }
    if (layer.built) {
      // A layer's parameters are views of one model's arena; sharing it would tie two models.
      throw new ArgumentRangeError({ argument: 'layer', expected: 'a new layer, not one already in a model', received: `'${layer.name}', which is already built` });
    }
    if (this.layers.length >= MAX_LAYERS) {
      throw new ArgumentRangeError({ argument: 'layer', expected: `at most ${MAX_LAYERS} layers in a model`, received: `'${layer.name}', which would be layer ${this.layers.length + 1}` });
    }
    const previous = this.layers[this.layers.length - 1];
    let inputUnits: number;
    if (previous === undefined) {
      if (layer.declaredInputUnits === undefined) {
        throw new ShapeError(
          { argument: 'inputShape', expected: 'an inputShape on the first layer of a Sequential model', received: 'none' },
          'Add it, e.g. layers.dense({ inputShape: [features], units }).',
        );
      }
      inputUnits = layer.declaredInputUnits;
    } else {
      inputUnits = previous.outputUnits;
      if (layer.declaredInputUnits !== undefined && layer.declaredInputUnits !== inputUnits) {
        throw new ShapeError({ argument: `inputShape of '${layer.name}'`, expected: `[${inputUnits}], the previous layer's output`, received: `[${layer.declaredInputUnits}]` });
      }
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
    this.layers.push(layer);
    this.inferenceBuffers = null;
    this.asyncInferenceBuffers = null;
    if (this.arena !== null) this.arena = new ParameterArena(this.layers, this.specs, this.arena);
    if (this.compiled !== null) this.compiled = this.compileWith(this.compiled.optimizer, this.compiled.loss, this.compiled.metricValues);
  }

  get inputUnits(): number {
    return this.layers[0]?.inputUnits ?? 0;
  }

  get outputUnits(): number {
    return this.layers[this.layers.length - 1]?.outputUnits ?? 0;
  }

  /**
   * Refuses a layer whose weights would make the arenas larger than can be allocated; returns the
   * arenas' floats with it.
   */
  private checkArenaSize(layer: Layer, specs: readonly ParamSpec[]): { trainable: number; state: number } {
    const counts = { ...this.floats };
    for (const spec of specs) counts[spec.trainable === false ? 'state' : 'trainable'] += spec.shape.reduce((a, b) => a * b, 1);
    const shapes = specs.map((spec) => `${spec.name} [${spec.shape.join(', ')}]`).join(', ');
    checkClaims(`layer '${layer.name}'`, `a layer of ${layer.outputUnits} units on ${layer.inputUnits} inputs, with weights ${shapes || 'none'}`, [
      { what: 'the parameter arena', floats: counts.trainable },
      { what: 'the gradient arena', floats: counts.trainable },
      { what: 'the state array', floats: counts.state },
    ]);
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
    const perLayer = this.layers.flatMap((l): Claim[] => {
      const what = `${n} rows of '${l.name}' (${l.outputUnits} units)`;
      return [{ what: `${what}, outputs`, floats: n * l.outputUnits }, { what: `${what}, gradients`, floats: n * l.outputUnits }];
    });
    checkClaims(argument, `${n} samples per batch`, [...perLayer, ...extra], this.arenaBytes());
  }

  /** The parameter arena, made (and initialized) on first use so that seed() before it counts. */
  private requireArena(): ParameterArena {
    if (this.layers.length === 0) throw new ModelStateError('The model has no layers: add one with model.add(layers.dense({ ... })).');
    this.arena ??= new ParameterArena(this.layers, this.specs);
    return this.arena;
  }

  compile(args: CompileArgs): void {
    if (this.fitting) throw new ModelStateError('compile() cannot run while fit() is training this model: wait for fit to finish.');
    const options = plainObject(args, 'compile args');
    knownOptions(options, 'compile args', ['optimizer', 'loss', 'metrics']);
    if (this.layers.length === 0) throw new ModelStateError('Cannot compile a model with no layers: add one with model.add(layers.dense({ ... })).');
    const optimizer = getOptimizer(options['optimizer'], 'optimizer');
    const slots = optimizer.slotNames();
    const params = this.floats.trainable;
    // Each slot is two arenas: the one an update reads and the one it writes (lib/optimizers/optimizer.ts).
    checkClaims('optimizer', `${optimizer.className}, whose slots ${slots.join(', ')} each hold 2 x ${params} floats`, slots.map((name) => ({ what: `the slot arenas '${name}'`, floats: 2 * params })), this.arenaBytes());
    const loss = getLoss(options['loss'], 'loss');
    const metrics = options['metrics'] === undefined ? [] : Array.isArray(options['metrics']) ? options['metrics'] : [options['metrics']];
    this.compiled = this.compileWith(optimizer, loss, [...(metrics as unknown[])]);
  }

  private compileWith(optimizer: Optimizer, loss: Loss, metricValues: readonly unknown[]): Compiled {
    const last = this.layers[this.layers.length - 1];
    // An activity regularizer needs the activated output, which a fused loss never writes.
    const fused = last instanceof Dense && loss.fusion !== null && last.activation === loss.fusion.activation && last.activityRegularizer === null;
    this.layers.forEach((layer) => {
      if (layer instanceof Dense) layer.fusedIntoLoss = fused && layer === last;
    });
    const metrics = getMetrics(metricValues, loss, this.outputUnits);
    const evalMetrics = metrics.map((m) => m.clone());
    const units = this.layers.map((l) => l.outputUnits);
    const workspaces = new WorkspaceCache((n) => new Workspace(units, n, fused));
    return { optimizer, loss, metricValues, metrics, evalMetrics, fused, workspaces };
  }

  private requireCompiled(): Compiled {
    if (this.compiled === null) {
      throw new ModelStateError("The model is not compiled: call model.compile({ optimizer: 'adam', loss: 'meanSquaredError' }) first.");
    }
    return this.compiled;
  }

  /** The compiled optimizer: callbacks read and set its learningRate. */
  get optimizer(): Optimizer {
    return this.requireCompiled().optimizer;
  }

  /** Validates a batch of inputs against the model: a matrix of inputUnits finite columns. */
  checkInputs(x: unknown, argument = 'x'): Tensor {
    const t = toMatrix(x, argument);
    const cols = t.shape[1] as number;
    if (cols !== this.inputUnits) {
      throw new ShapeError({ argument, expected: `samples of ${this.inputUnits} features (shape [n, ${this.inputUnits}])`, received: shapeText(x, t) });
    }
    finiteValues(t.data, argument);
    return t;
  }

  /** Validates labels against the inputs and the loss: one per sample, of the loss's kind. */
  checkLabels(y: unknown, samples: number, argument = 'y'): Tensor {
    const { loss } = this.requireCompiled();
    const t = toLabels(y, argument);
    const rows = t.shape[0] as number;
    const cols = t.shape[1] as number;
    if (rows !== samples) {
      throw new ShapeError({ argument, expected: `${samples} samples, as many as x has`, received: `${rows}` });
    }
    finiteValues(t.data, argument);
    if (loss.sparse) {
      if (cols !== 1) {
        throw new ShapeError({ argument, expected: `one class index per sample for ${loss.name} (shape [n] or [n, 1])`, received: `shape [${t.shape.join(', ')}]` }, "For one-hot labels use loss 'categoricalCrossentropy'.");
      }
      const classes = this.outputUnits;
      t.data.forEach((v, i) => {
        if (!Number.isInteger(v) || v < 0 || v >= classes) {
          throw new ArgumentRangeError({ argument: `${argument}[${i}]`, expected: `a class index from 0 to ${classes - 1}`, received: describe(v) });
        }
      });
    } else if (cols !== this.outputUnits) {
      const hint = cols === 1 && this.outputUnits > 1 ? "For class indices use loss 'sparseCategoricalCrossentropy'." : undefined;
      throw new ShapeError({ argument, expected: `${this.outputUnits} targets per sample (shape [n, ${this.outputUnits}])`, received: `shape [${t.shape.join(', ')}]` }, hint);
    }
    return t;
  }

  /**
   * Runs the layers on n rows of input; returns the last layer's output (logits when fused),
   * written into `output` when given (a prediction's rows) or into the workspace.
   */
  private forward(outputs: readonly Float32Array[], input: Float32Array, n: number, training: boolean, output?: Float32Array): Float32Array {
    let x = input;
    const last = this.layers.length - 1;
    this.layers.forEach((layer, i) => {
      const y = i === last && output !== undefined ? output : (outputs[i] as Float32Array);
      layer.forward(x, y, n, training);
      x = y;
    });
    return x;
  }

  /**
   * The native work of one batch: forward, loss and, with `backward`, the gradient arena; with
   * `step` too, one optimizer step, unless the loss or the gradient is not finite: then the weights
   * stay as they were and the loss is not finite. Written once for both modes of `s` (run now, or
   * recorded to run off the main thread); returns what reads the result once the work has run.
   */
  private batchWork(input: Float32Array, labels: Float32Array, weights: Float32Array | null, n: number, backward: boolean, step: boolean, s: Scalars): () => BatchResult {
    const { loss, fused, workspaces, optimizer } = this.requireCompiled();
    const arena = this.requireArena();
    const ws = workspaces.get(n);
    const out = this.forward(ws.outputs, input, n, backward);
    const last = this.layers.length - 1;
    const dOut = backward ? (ws.grads[last] as Float32Array) : null;
    const c = this.outputUnits;
    const predictions = fused ? (ws.probs as Float32Array) : out;
    const value = s.add(fused ? loss.fusion!.kernel(predictions, dOut, out, labels, weights, n, c) : loss.onOutputs(dOut, out, labels, weights, n, c));
    // Regularization penalties join the loss, as in Keras: activity penalties per layer output,
    // divided by the batch size; weight penalties once per batch.
    const penalties: number[] = [];
    let outcome = -1;
    let update: PendingUpdate | null = null;
    if (s.guard(value)) {
      for (let i = last; i >= 0; i--) {
        const layer = this.layers[i] as Layer;
        const dOutput = backward ? (ws.grads[i] as Float32Array) : null;
        if (layer.activityRegularizer !== null) penalties.push(s.add(layer.activityRegularizer.apply(ws.outputs[i] as Float32Array, dOutput, 1 / n)));
        if (dOutput === null) continue;
        const layerInput = i > 0 ? (ws.outputs[i - 1] as Float32Array) : input;
        const dInput = i > 0 ? (ws.grads[i - 1] as Float32Array) : null;
        layer.backward(dOutput, dInput, layerInput, ws.outputs[i] as Float32Array, n);
      }
      for (const penalty of arena.regularize(backward)) penalties.push(s.add(penalty));
      if (step) {
        // The update is all or nothing: one that would leave a weight or a slot NaN or infinite
        // (a gradient that overflowed float32, a learning rate too large) leaves the weights and
        // slots as they were and returns NaN, and the constraints are then not applied either.
        update = optimizer.beginUpdate(arena.params, arena.grads, arena.segments);
        outcome = s.add(update.outcome);
        if (s.guard(outcome)) arena.applyConstraints();
      }
    }
    return () => {
      const lossValue = s.value(value);
      const updateRefused = step && Number.isFinite(lossValue) && !Number.isFinite(s.value(outcome));
      const failed = !Number.isFinite(lossValue) || updateRefused;
      // The optimizer's slots move on only with an applied update; the step counted its update
      // before the kernel refused it or its program stopped short of it.
      update?.settle(!failed);
      if (failed) return { loss: updateRefused ? NaN : lossValue, predictions, updateRefused };
      return { loss: penalties.reduce((sum, p) => sum + s.value(p), lossValue), predictions, updateRefused: false };
    };
  }

  /**
   * One batch, now: its loss and predictions; with `train`, also one optimizer step (see
   * batchWork). weights: one per sample (sampleWeight, classWeight), or null for all ones.
   * @internal
   */
  runBatch(input: Float32Array, labels: Float32Array, weights: Float32Array | null, n: number, train: boolean): BatchResult {
    return this.batchWork(input, labels, weights, n, train, train, new Scalars(false))();
  }

  /**
   * runBatch, with its native work off the main thread (after the programs queued before it).
   * A model with a part written in JavaScript (a custom loss, regularizer or constraint) runs the
   * batch on the main thread instead, and then yields to the event loop. @internal
   */
  async runBatchAsync(input: Float32Array, labels: Float32Array, weights: Float32Array | null, n: number, train: boolean): Promise<BatchResult> {
    if (!this.requireCompiled().loss.native || !this.requireArena().native) {
      const result = this.runBatch(input, labels, weights, n, train);
      await new Promise((resolve) => setImmediate(resolve));
      return result;
    }
    const s = new Scalars(true);
    let finish!: () => BatchResult;
    const program = record(() => {
      finish = this.batchWork(input, labels, weights, n, train, train, s);
    });
    this.fitProgramPending = true;
    try {
      s.settle(await runOffThread(program, { call: 'fit()', interruptible: false }));
    } finally {
      this.fitProgramPending = false;
    }
    return finish();
  }

  /**
   * Refuses a synchronous call that would read or write what a queued or running program of fit()
   * uses, or (when it `writes` the weights) what a queued or running predictAsync() reads.
   */
  private expectIdle(call: string, writes = false): void {
    if (this.fitProgramPending) {
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
  computeGradients(x: TensorLike, y: LabelsLike): { loss: number; grads: Float32Array } {
    this.expectIdle('computeGradients()');
    const xs = this.checkInputs(x);
    const n = xs.shape[0] as number;
    const { loss } = this.batchWork(xs.data, this.checkLabels(y, n).data, null, n, true, false, new Scalars(false))();
    return { loss, grads: this.requireArena().grads.slice() };
  }

  /** Clears the metrics fit() accumulates, at the start of an epoch. @internal */
  resetMetrics(): void {
    for (const m of this.requireCompiled().metrics) m.reset();
  }

  /** Adds a training batch to fit()'s metrics; returns their results over the epoch so far. @internal */
  batchMetrics(predictions: Float32Array, labels: Float32Array, n: number): Logs {
    return accumulate(this.requireCompiled().metrics, predictions, labels, n, this.outputUnits);
  }

  /**
   * Loss and metrics over a whole validated set, in batches: the loss averaged by sample (weighted
   * by `weights` as in training, when given), the metrics accumulated over every batch. Yields each
   * batch to be run (now or off the main thread) and takes its result.
   */
  private *evaluation(x: Tensor, y: Tensor, batchSize: number, weights: Float32Array | null): Generator<EvaluationBatch, Logs, BatchResult> {
    const { evalMetrics } = this.requireCompiled();
    const samples = x.shape[0] as number;
    const k = this.inputUnits;
    const labelCols = y.shape[1] as number;
    let lossSum = 0;
    let results: Logs = {};
    for (const m of evalMetrics) m.reset();
    for (let start = 0; start < samples; start += batchSize) {
      const n = Math.min(batchSize, samples - start);
      expectAttached(x.data, 'x', 'the evaluation');
      expectAttached(y.data, 'y', 'the evaluation');
      if (weights !== null) expectAttached(weights, 'sampleWeight', 'the evaluation');
      const labels = y.data.subarray(start * labelCols, (start + n) * labelCols);
      const { loss, predictions } = yield { input: x.data.subarray(start * k, (start + n) * k), labels, weights: weights?.subarray(start, start + n) ?? null, n };
      lossSum += loss * n;
      results = accumulate(evalMetrics, predictions, labels, n, this.outputUnits);
    }
    return { loss: lossSum / samples, ...results };
  }

  /** The evaluation, now. @internal */
  evaluateTensors(x: Tensor, y: Tensor, batchSize: number, weights: Float32Array | null = null): Logs {
    const batches = this.evaluation(x, y, batchSize, weights);
    for (let next = batches.next(); ; ) {
      if (next.done === true) return next.value;
      const { input, labels, weights: w, n } = next.value;
      next = batches.next(this.runBatch(input, labels, w, n, false));
    }
  }

  /**
   * The evaluation, each batch's native work off the main thread. Each batch is first copied into
   * buffers of the call's own: the caller's arrays may be changed or transferred (detached) while
   * a batch runs, and the native work must not read them then. @internal
   */
  async evaluateTensorsAsync(x: Tensor, y: Tensor, batchSize: number, weights: Float32Array | null = null): Promise<Logs> {
    const rows = Math.min(batchSize, x.shape[0] as number);
    const stagedInput = new Float32Array(rows * this.inputUnits);
    const stagedLabels = new Float32Array(rows * (y.shape[1] as number));
    const stagedWeights = weights === null ? null : new Float32Array(rows);
    const batches = this.evaluation(x, y, batchSize, weights);
    for (let next = batches.next(); ; ) {
      if (next.done === true) return next.value;
      const { input, labels, weights: w, n } = next.value;
      const staged = { input: stage(stagedInput, input), labels: stage(stagedLabels, labels), weights: w === null ? null : stage(stagedWeights as Float32Array, w) };
      next = batches.next(await this.runBatchAsync(staged.input, staged.labels, staged.weights, n, false));
    }
  }

  private batchSizeOption(args: unknown, defaultSize: number): number {
    if (args === undefined) return defaultSize;
    const options = plainObject(args, 'args');
    knownOptions(options, 'args', ['batchSize']);
    return options['batchSize'] === undefined ? defaultSize : positiveInteger(options['batchSize'], 'batchSize');
  }

  /** Trains until `epochs` are done or stopTraining is set; yields to the event loop between batches. */
  async fit(x: TensorLike, y: LabelsLike, args: FitArgs = {}): Promise<History> {
    this.requireCompiled();
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
  evaluate(x: TensorLike, y: LabelsLike, args?: BatchArgs): Logs {
    this.requireCompiled();
    this.expectIdle('evaluate()');
    const batchSize = this.batchSizeOption(args, DEFAULT_PREDICT_BATCH);
    const xs = this.checkInputs(x);
    this.checkBatchSize('batchSize', Math.min(batchSize, xs.shape[0] as number));
    return this.evaluateTensors(xs, this.checkLabels(y, xs.shape[0] as number), batchSize);
  }

  /** Outputs for a batch of samples, as a new [n, outputUnits] tensor; one sample (a flat array of inputUnits values) gives one row. */
  predict(x: TensorLike | readonly number[] | Float32Array, args?: BatchArgs): Tensor {
    this.expectIdle('predict()');
    const batchSize = this.batchSizeOption(args, DEFAULT_PREDICT_BATCH);
    const xs = this.checkInputs(batchOrSample(x, this.inputUnits));
    const result = this.predictionResult(xs, batchSize);
    this.predictInto(result.data, xs, batchSize, (this.inferenceBuffers ??= this.newInferenceBuffers()));
    return result;
  }

  /**
   * predict(), with its native work on a libuv thread: the event loop stays free meanwhile. Calls
   * run one at a time in the order made (see lib/program.ts), each on the weights as they are
   * when it runs: during fit(), between two training steps. `signal` aborts a call that waits or
   * runs (it rejects with an AbortError). The prediction is of x as it is when called: x is
   * copied first, so it may change, or be transferred to another thread, meanwhile.
   */
  async predictAsync(x: TensorLike | readonly number[] | Float32Array, args?: PredictAsyncArgs): Promise<Tensor> {
    const options = args === undefined ? {} : plainObject(args, 'args');
    knownOptions(options, 'args', ['batchSize', 'signal']);
    const signal = signalOption(options['signal']);
    const batchSize = options['batchSize'] === undefined ? DEFAULT_PREDICT_BATCH : positiveInteger(options['batchSize'], 'batchSize');
    const checked = this.checkInputs(batchOrSample(x, this.inputUnits));
    // Rows converted from number[][] are ours already; anyone else's array is copied.
    const xs = Array.isArray(x) ? checked : new Tensor(checked.data.slice(), checked.shape);
    return this.predictOffThread(xs, batchSize, signal);
  }

  /**
   * predictAsync() of rows that no one else holds (the batcher's own batch buffers), so not
   * copied. @internal
   */
  async predictOffThread(xs: Tensor, batchSize: number, signal?: AbortSignal): Promise<Tensor> {
    const result = this.predictionResult(xs, batchSize);
    const buffers = (this.asyncInferenceBuffers ??= this.newInferenceBuffers());
    const program = record(() => this.predictInto(result.data, xs, batchSize, buffers));
    this.predictionsPending += 1;
    try {
      await runOffThread(program, { call: 'predictAsync()', signal, interruptible: true });
    } finally {
      this.predictionsPending -= 1;
    }
    return result;
  }

  /** The tensor a prediction of xs fills, its shape fixed now, after the size checks. */
  private predictionResult(xs: Tensor, batchSize: number): Tensor {
    const samples = xs.shape[0] as number;
    const c = this.outputUnits;
    const capacity = 2 ** Math.ceil(Math.log2(Math.min(batchSize, samples)));
    this.checkBatchSize(samples <= batchSize ? 'x' : 'batchSize', capacity, [{ what: `the result [${samples}, ${c}]`, floats: samples * c }]);
    return new Tensor(new Float32Array(samples * c), [samples, c]);
  }

  private newInferenceBuffers(): InferenceBuffers {
    return new InferenceBuffers(this.layers.map((l) => l.outputUnits));
  }

  /** The outputs for xs, batch by batch, into result: native calls only, so it can be recorded. */
  private predictInto(result: Float32Array, xs: Tensor, batchSize: number, buffers: InferenceBuffers): void {
    this.requireArena();
    const fused = this.compiled?.fused ?? false;
    const samples = xs.shape[0] as number;
    const k = this.inputUnits;
    const c = this.outputUnits;
    const last = this.layers[this.layers.length - 1] as Dense;
    for (let start = 0; start < samples; start += batchSize) {
      const n = Math.min(batchSize, samples - start);
      const rows = result.subarray(start * c, (start + n) * c);
      const input = xs.data.subarray(start * k, (start + n) * k);
      // A fused model's last layer leaves logits; its activation is then applied into the rows.
      if (fused) native.activationForward(rows, this.forward(buffers.get(n), input, n, false), n, c, activationCode(last.activation), 0);
      else this.forward(buffers.get(n), input, n, false, rows);
    }
  }

  /** One optimizer step on one batch; returns its loss (before the step). */
  trainOnBatch(x: TensorLike, y: LabelsLike): number {
    if (this.fitting) throw new ModelStateError('trainOnBatch() cannot run while fit() is training this model.');
    this.expectIdle('trainOnBatch()', true);
    const xs = this.checkInputs(x);
    const n = xs.shape[0] as number;
    const ys = this.checkLabels(y, n);
    this.checkBatchSize('x', n);
    const { loss, updateRefused } = this.runBatch(xs.data, ys.data, null, n, true);
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
    return arena.slots.map((s) => new Tensor(arena.view(s).slice(), s.spec.shape));
  }

  /**
   * Overwrites every weight, in the order and shapes of getWeights(), or by name as
   * getNamedWeights() gives them ({ 'dense_1/kernel': ..., ... }, every weight named once);
   * checks all before writing any.
   */
  setWeights(weights: readonly TensorLike[] | Readonly<Record<string, TensorLike>>): void {
    this.expectIdle('setWeights()', true);
    const arena = this.requireArena();
    if (!Array.isArray(weights) && typeof weights === 'object' && weights !== null && !ArrayBuffer.isView(weights) && !(weights instanceof Tensor)) {
      weights = orderedWeights(this, weights);
    }
    if (!Array.isArray(weights) || weights.length !== arena.slots.length) {
      throw new ArgumentTypeError({ argument: 'weights', expected: `an array of ${arena.slots.length} tensors, in the order of getWeights()`, received: describe(weights) });
    }
    const values = arena.slots.map((slot, i) => {
      const t = weights[i] instanceof Tensor ? (weights[i] as Tensor) : toMatrix(weights[i], `weights[${i}]`);
      if (t.size !== slot.size) {
        throw new ShapeError({ argument: `weights[${i}]`, expected: `${slot.size} values (shape [${slot.spec.shape.join(', ')}]) for ${slot.layer.name}/${slot.spec.name}`, received: `shape [${t.shape.join(', ')}]` });
      }
      finiteValues(t.data, `weights[${i}]`);
      checkDomain(t.data, slot.spec.domain, `weights[${i}] (${slot.layer.name}/${slot.spec.name})`);
      return t.data;
    });
    arena.slots.forEach((slot, i) => arena.view(slot).set(values[i] as Float32Array));
  }

  /** Copies of every weight keyed Keras-style, 'layerName/weightName' ('dense_1/kernel'), in the order of getWeights(). */
  getNamedWeights(): Record<string, Tensor> {
    this.expectIdle('getNamedWeights()');
    return getNamedWeights(this);
  }

  /**
   * Writes the model to `path` in myelin's format (docs/format.md): topology, weights, compile
   * config and, unless includeOptimizer is false, the optimizer's state. The write is atomic:
   * on any failure the file at `path` is left as it was. loadModel(path) reads it back.
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
  compileArgs(): { readonly optimizer: Optimizer; readonly loss: Loss; readonly metricValues: readonly unknown[] } | null {
    return this.compiled;
  }

  /** Each of a layer's weights by name, as views of the arena: writing them changes the model. @internal */
  weightViews(layer: Layer): Map<string, Float32Array> {
    const arena = this.requireArena();
    return new Map(arena.slotsOf(layer).map((s) => [s.spec.name, arena.view(s)]));
  }

  /**
   * A new model for inference in which each BatchNormalization that follows a Dense without
   * activation is merged into that Dense (see fold-batch-norm.ts); other layers are copied. The
   * result is not compiled: predict() works at once, compile it to evaluate or train it.
   */
  foldBatchNorm(): Sequential {
    this.expectIdle('foldBatchNorm()');
    return foldBatchNorm(this);
  }

  /**
   * Writes the model as an ONNX file (opset 17) for inference in any ONNX runtime: input 'input'
   * [N, features], output 'output' holding what predict() returns. Dropout and noise layers are
   * dropped; a layer with no ONNX form is named in the error. The write is atomic.
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
    return this.layers.reduce((sum, l) => sum + l.paramCount(), 0);
  }

  /** Prints (and returns) a table of layers, output shapes and parameter counts. */
  summary(printFn: (line: string) => void = console.log): string {
    const text = formatSummary(this.layers);
    text.split('\n').forEach((line) => printFn(line));
    return text;
  }
}

/** Copies `source` into the front of `buffer` and returns that view. */
function stage(buffer: Float32Array, source: Float32Array): Float32Array {
  const view = buffer.subarray(0, source.length);
  view.set(source);
  return view;
}

/**
 * Throws unless `data`, which held values when the call checked it, still does: a Float32Array
 * whose ArrayBuffer was transferred (to a worker, or by structuredClone) reads as empty, and an
 * async call that goes on reading the caller's array between its steps must say so.
 */
export function expectAttached(data: Float32Array, argument: string, call: string): void {
  if (data.byteLength !== 0) return;
  throw new ArgumentTypeError(
    { argument, expected: `a Float32Array that stays attached until ${call} settles`, received: 'a detached Float32Array (its ArrayBuffer was transferred to another thread or by structuredClone)' },
    'Transfer a copy (x.slice()) instead, or wait for the call to finish.',
  );
}

/** The error of a training step whose update the optimizer refused; `where` says which step. */
export function refusedUpdateError(where: string): TrainingError {
  return new TrainingError(
    `The optimizer update of ${where} would have made a weight or an optimizer slot NaN or infinite (a gradient that is not finite, or too large ` +
      'for float32 at this learningRate), so it was not applied: the weights are those of the last step applied. ' +
      'Try a smaller learningRate or clip the gradients (clipNorm, clipValue), or check the data for extreme values.',
  );
}

/** Adds a batch to each metric; returns every metric's result so far, keyed by name. */
function accumulate(metrics: readonly Metric[], predictions: Float32Array, labels: Float32Array, n: number, c: number): Logs {
  const logs: Logs = {};
  for (const m of metrics) {
    m.update(predictions, labels, n, c);
    logs[m.name] = m.result();
  }
  return logs;
}

/** A Sequential model, optionally with its layers. */
export function sequential(layers: readonly Layer[] = []): Sequential {
  return new Sequential(layers);
}
