/**
 * What every optimizer is: one update over the whole parameter arena from the gradient arena,
 * with its slots (momentum, moments, ...) in arenas of the same layout, made on first use.
 */
export abstract class Optimizer {
  abstract readonly className: string;
  /** Updates applied so far (Keras's `iterations`); Adam's bias correction counts from it. */
  iterations = 0;

  constructor(public learningRate: number) {}

  /**
   * One step: params -= update(grads). Both arenas have the model's layout; segments are the
   * arena's tensor boundaries and gradSquares the sum of squares of grads, already computed.
   */
  applyGradients(params: Float32Array, grads: Float32Array, _segments: Uint32Array, _gradSquares: number): void {
    this.iterations += 1;
    this.update(params, grads);
  }

  protected abstract update(params: Float32Array, grads: Float32Array): void;

  abstract getConfig(): Record<string, unknown>;

  /** A zeroed slot arena the size of params, kept while the arena's size stays the same. */
  protected slot(existing: Float32Array | null, params: Float32Array): Float32Array {
    return existing !== null && existing.length === params.length ? existing : new Float32Array(params.length);
  }
}
