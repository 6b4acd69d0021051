/**
 * Merge layers: one output from several inputs of a graph model, as TensorFlow.js's
 * layers.add(), subtract(), multiply(), average(), maximum(), minimum() and concatenate().
 * Elementwise merges take inputs of one width and fold them pairwise, in place in the output;
 * concatenate lays its inputs' columns side by side. None has weights.
 */
import { ArgumentRangeError, ShapeError } from '../errors';
import type { Kernels } from '../core/kernels';
import { knownOptions, plainObject } from '../validate';
import { layerName, ParameterlessLayer } from './layer';

export interface MergeConfig {
  name?: string;
  trainable?: boolean;
}

export interface ConcatenateConfig extends MergeConfig {
  /** The feature axis, the only one a sample's row has: -1 or 1 (default -1). */
  axis?: number;
}

abstract class Merge extends ParameterlessLayer {
  /** The fewest and most inputs the merge takes. */
  protected readonly arity: readonly [number, number] = [2, Infinity];

  constructor(config: MergeConfig | undefined, prefix: string, extra: readonly string[] = []) {
    const options = plainObject(config ?? {}, 'config');
    knownOptions(options, 'config', ['name', 'trainable', ...extra]);
    super(layerName(options['name'], prefix), undefined, options['trainable'] ?? true);
  }

  override buildInputs(widths: readonly number[]): [] {
    const [fewest, most] = this.arity;
    if (widths.length < fewest || widths.length > most) {
      const expected = most === fewest ? `exactly ${fewest}` : `at least ${fewest}`;
      throw new ArgumentRangeError({ argument: `inputs of '${this.name}'`, expected: `${expected} tensors for ${this.className}`, received: `${widths.length}` });
    }
    this.inputWidths = widths;
    this.inputUnits = widths[0] as number;
    this.outputUnits = this.mergedWidth(widths);
    this.built = true;
    return [];
  }

  /** Elementwise merges: every input of one width, which is the output's. */
  protected mergedWidth(widths: readonly number[]): number {
    const first = widths[0] as number;
    const other = widths.findIndex((u) => u !== first);
    if (other >= 0) {
      throw new ShapeError({ argument: `inputs of '${this.name}'`, expected: `inputs of one shape for ${this.className} (inputs[0] is [null, ${first}])`, received: `inputs[${other}] of shape [null, ${widths[other] as number}]` });
    }
    return first;
  }

  protected override computeOutputUnits(): number {
    throw new Error(`Internal error: ${this.className} is built from its inputs' widths (buildInputs)`);
  }

  forward(): void {
    throw new Error(`Internal error: ${this.className} runs over its inputs (forwardInputs)`);
  }

  backward(): void {
    throw new Error(`Internal error: ${this.className} runs over its inputs (backwardInputs)`);
  }

  protected layerConfig(): Record<string, unknown> {
    return { name: this.name };
  }

  abstract override forwardInputs<S extends number>(k: Kernels<S>, xs: readonly Float32Array[], y: Float32Array, n: number): void;
  abstract override backwardInputs<S extends number>(k: Kernels<S>, dy: Float32Array, dxs: readonly (Float32Array | null)[], xs: readonly Float32Array[], y: Float32Array, n: number): void;
}

/** A merge that folds its inputs pairwise with one kernel: y = x0 op x1 op x2 ... */
abstract class FoldedMerge extends Merge {
  protected abstract fold<S extends number>(k: Kernels<S>): (out: Float32Array, a: Float32Array, b: Float32Array) => void;

  forwardInputs<S extends number>(k: Kernels<S>, xs: readonly Float32Array[], y: Float32Array): void {
    const op = this.fold(k);
    op(y, xs[0] as Float32Array, xs[1] as Float32Array);
    for (let i = 2; i < xs.length; i++) op(y, y, xs[i] as Float32Array);
  }
}

export class Add extends FoldedMerge {
  readonly className = 'Add';
  constructor(config?: MergeConfig) {
    super(config, 'add');
  }

  protected fold<S extends number>(k: Kernels<S>) {
    return k.addElementwise;
  }

  override passesGradient(): boolean {
    return true;
  }

  /** Each input's gradient is the output's: copied, but where the graph handed dy itself over. */
  backwardInputs<S extends number>(k: Kernels<S>, dy: Float32Array, dxs: readonly (Float32Array | null)[]): void {
    for (const dx of dxs) if (dx !== null && dx !== dy) k.copy(dx, dy);
  }
}

export class Subtract extends FoldedMerge {
  readonly className = 'Subtract';
  protected override readonly arity: readonly [number, number] = [2, 2];
  constructor(config?: MergeConfig) {
    super(config, 'subtract');
  }

  protected fold<S extends number>(k: Kernels<S>) {
    return k.subtractElementwise;
  }

  override passesGradient(input: number): boolean {
    return input === 0;
  }

  backwardInputs<S extends number>(k: Kernels<S>, dy: Float32Array, dxs: readonly (Float32Array | null)[]): void {
    // The second first: the first may be dy itself, handed over by the graph.
    if (dxs[1] != null) k.scaleElementwise(dxs[1], dy, -1);
    if (dxs[0] != null && dxs[0] !== dy) k.copy(dxs[0], dy);
  }
}

export class Multiply extends FoldedMerge {
  readonly className = 'Multiply';
  constructor(config?: MergeConfig) {
    super(config, 'multiply');
  }

  protected fold<S extends number>(k: Kernels<S>) {
    return k.multiplyElementwise;
  }

  /** dL/dx_i = dy times every other input. */
  backwardInputs<S extends number>(k: Kernels<S>, dy: Float32Array, dxs: readonly (Float32Array | null)[], xs: readonly Float32Array[]): void {
    dxs.forEach((dx, i) => {
      if (dx === null) return;
      let from = dy;
      xs.forEach((x, j) => {
        if (j === i) return;
        k.multiplyElementwise(dx, from, x);
        from = dx;
      });
    });
  }
}

export class Average extends FoldedMerge {
  readonly className = 'Average';
  constructor(config?: MergeConfig) {
    super(config, 'average');
  }

  protected fold<S extends number>(k: Kernels<S>) {
    return k.addElementwise;
  }

  override forwardInputs<S extends number>(k: Kernels<S>, xs: readonly Float32Array[], y: Float32Array): void {
    super.forwardInputs(k, xs, y);
    k.scaleElementwise(y, y, 1 / xs.length);
  }

  backwardInputs<S extends number>(k: Kernels<S>, dy: Float32Array, dxs: readonly (Float32Array | null)[]): void {
    for (const dx of dxs) if (dx !== null) k.scaleElementwise(dx, dy, 1 / dxs.length);
  }
}

/** Maximum and minimum: the gradient goes to the input that won, the first one on a tie. */
abstract class SelectingMerge extends FoldedMerge {
  backwardInputs<S extends number>(k: Kernels<S>, dy: Float32Array, dxs: readonly (Float32Array | null)[], xs: readonly Float32Array[], y: Float32Array): void {
    const claimed = this.scratch('claimed', y.length);
    xs.forEach((x, i) => {
      // An input that needs no gradient still claims its wins, so a later tie does not take them.
      const dx = dxs[i] ?? this.scratch('unused', y.length);
      k.winnerGradient(dx, claimed, dy, x, y, i === 0 ? 1 : 0);
    });
  }
}

export class Maximum extends SelectingMerge {
  readonly className = 'Maximum';
  constructor(config?: MergeConfig) {
    super(config, 'maximum');
  }

  protected fold<S extends number>(k: Kernels<S>) {
    return k.maximumElementwise;
  }
}

export class Minimum extends SelectingMerge {
  readonly className = 'Minimum';
  constructor(config?: MergeConfig) {
    super(config, 'minimum');
  }

  protected fold<S extends number>(k: Kernels<S>) {
    return k.minimumElementwise;
  }
}

export class Concatenate extends Merge {
  readonly className = 'Concatenate';
  constructor(config?: ConcatenateConfig) {
    super(config, 'concatenate', ['axis']);
    const axis = (config as Record<string, unknown> | undefined)?.['axis'] ?? -1;
    if (axis !== -1 && axis !== 1) {
      throw new ArgumentRangeError({ argument: 'axis', expected: '-1 or 1, the feature axis (a sample is a row of features)', received: String(axis) });
    }
  }

  protected override mergedWidth(widths: readonly number[]): number {
    return widths.reduce((a, b) => a + b, 0);
  }

  forwardInputs<S extends number>(k: Kernels<S>, xs: readonly Float32Array[], y: Float32Array, n: number): void {
    let offset = 0;
    xs.forEach((x, i) => {
      const width = this.inputWidths[i] as number;
      k.copyColumns(y, this.outputUnits, offset, x, width, 0, width, n);
      offset += width;
    });
  }

  backwardInputs<S extends number>(k: Kernels<S>, dy: Float32Array, dxs: readonly (Float32Array | null)[], _xs: readonly Float32Array[], _y: Float32Array, n: number): void {
    let offset = 0;
    dxs.forEach((dx, i) => {
      const width = this.inputWidths[i] as number;
      if (dx !== null) k.copyColumns(dx, width, 0, dy, this.outputUnits, offset, width, n);
      offset += width;
    });
  }

  protected override layerConfig(): Record<string, unknown> {
    return { name: this.name, axis: -1 };
  }
}

export const add = (config?: MergeConfig): Add => new Add(config);
export const subtract = (config?: MergeConfig): Subtract => new Subtract(config);
export const multiply = (config?: MergeConfig): Multiply => new Multiply(config);
export const average = (config?: MergeConfig): Average => new Average(config);
export const maximum = (config?: MergeConfig): Maximum => new Maximum(config);
export const minimum = (config?: MergeConfig): Minimum => new Minimum(config);
export const concatenate = (config?: ConcatenateConfig): Concatenate => new Concatenate(config);
