/**
 * Custom losses as a forward / gradient pair of JS functions over one batch. The wrapper applies
 * the sample weights and the 1/n of Keras's reduction, so a custom loss gets sample weighting
 * for free, and refuses non-finite output with an error naming the loss.
 */
import { native } from './backend';
import type { Kernels } from './core/kernels';
import { ArgumentRangeError, ArgumentTypeError, TrainingError } from './errors';
import { floatBuffers, Loss } from './losses';
import { describe, functionValue, knownOptions, plainObject } from './validate';

type F32 = Float32Array;

export interface CustomLossConfig {
  /** The key in logs and History. */
  name: string;
  /** Writes the n per-sample losses of pred (n, c) against labels (n, c) into out (n). */
  forward(pred: F32, labels: F32, n: number, c: number, out: F32): void;
  /** Writes d(loss_i)/d pred into dpred (n, c): row i is sample i's gradient. */
  gradient(pred: F32, labels: F32, n: number, c: number, dpred: F32): void;
}

/** Whether every value is finite: one native pass (a float64 sum of squares is finite exactly then). */
const allFinite = (values: F32): boolean => Number.isFinite(native.sumOfSquares(values));

class CustomLoss extends Loss {
  readonly name: string;
  override readonly native = false;
  private readonly forward: CustomLossConfig['forward'];
  private readonly gradient: CustomLossConfig['gradient'];
  private readonly perSample = floatBuffers();

  constructor(config: CustomLossConfig) {
    super();
    const options = plainObject(config, 'custom loss config');
    knownOptions(options, 'custom loss config', ['name', 'forward', 'gradient']);
    const name = options['name'];
    if (typeof name !== 'string') throw new ArgumentTypeError({ argument: 'name', expected: 'a non-empty string', received: describe(name) });
    if (name.length === 0) throw new ArgumentRangeError({ argument: 'name', expected: 'a non-empty string', received: "'' (string)" });
    this.name = name;
    this.forward = functionValue(options['forward'], 'forward');
    this.gradient = functionValue(options['gradient'], 'gradient');
  }

  // Never part of a plan (`native` is false): it runs now, and its value is a number.
  onOutputs<S extends number>(_k: Kernels<S>, dpred: F32 | null, pred: F32, labels: F32, weights: F32 | null, n: number, c: number): S {
    // Predictions that are already not finite (a diverged model) are the model's fault, not the
    // loss's: report NaN as a built-in loss would, and let fit stop on it.
    if (!allFinite(pred)) return NaN as S;
    const losses = this.perSample.get(n);
    losses.fill(NaN); // a value forward leaves unwritten is caught below, not read stale
    this.forward(pred, labels, n, c, losses);
    this.expectFinite(losses, 'forward', 'out');
    let total = 0;
    for (let i = 0; i < n; i++) total += (weights === null ? 1 : (weights[i] as number)) * (losses[i] as number);
    if (dpred !== null) {
      dpred.fill(NaN);
      this.gradient(pred, labels, n, c, dpred);
      this.expectFinite(dpred, 'gradient', 'dpred');
      // The user's gradient is of each sample's loss; the batch value weighs it and divides by n.
      for (let i = 0; i < n; i++) {
        const scale = (weights === null ? 1 : (weights[i] as number)) / n;
        for (let j = i * c; j < (i + 1) * c; j++) dpred[j] = (dpred[j] as number) * scale;
      }
    }
    return (n > 0 ? total / n : 0) as S;
  }

  getConfig(): Record<string, unknown> {
    return { name: this.name };
  }

  private expectFinite(values: F32, fn: string, buffer: string): void {
    if (allFinite(values)) return;
    const index = values.findIndex((v) => !Number.isFinite(v));
    throw new TrainingError(
      `The custom loss '${this.name}': its ${fn}() left ${values[index]} at ${buffer}[${index}] for finite predictions; ` +
        `it must write ${values.length} finite values into ${buffer} (an element it does not write reads as NaN).`,
    );
  }
}

/** A loss from a forward / gradient pair, e.g. losses.custom({ name: 'myMse', forward, gradient }). */
export function custom(config: CustomLossConfig): Loss {
  return new CustomLoss(config);
}
