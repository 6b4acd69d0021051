/**
 * The kernel calls a layer, a loss, a regularizer, a constraint or an optimizer makes, written
 * once for two ways of running them: now (the addon's functions themselves, returning their
 * values), or into a plan (each call appended as data, to run later and as often as needed:
 * lib/core/plan.ts), where a kernel's value is the index of that value among the plan's.
 */
import { native, type NativeBinding, type PlanInput } from '../backend';

/** The kernels of a model's work: what the layers, losses and optimizers call. */
const kernelNames = [
  'denseForward', 'denseBackward', 'activationForward', 'activationBackward', 'preluForward', 'preluBackward',
  'batchNormForwardTrain', 'batchNormForwardInfer', 'batchNormBackward', 'batchNormBackwardInfer', 'standardizeForward', 'standardizeBackward',
  'multiplyElementwise', 'addElementwise',
  'subtractElementwise', 'maximumElementwise', 'minimumElementwise', 'scaleElementwise', 'copyColumns', 'winnerGradient',
  'copy', 'copyInto', 'copyRowsAt', 'sumOfSquares',
  'randomFillUniform', 'randomFillNormal', 'randomFillDropoutMask',
  'softmaxCrossEntropy', 'softmaxCrossEntropySparse', 'sigmoidBinaryCrossEntropy', 'binaryCrossEntropy', 'categoricalCrossEntropy',
  'sparseCategoricalCrossEntropy', 'meanSquaredError', 'meanAbsoluteError', 'huber', 'logCosh', 'hinge', 'squaredHinge',
  'kullbackLeiblerDivergence',
  'clipGradients', 'regularize', 'minMaxNorm', 'nonNeg',
  'sgdStep', 'adagradStep', 'adadeltaStep', 'rmspropStep', 'adamStep', 'adamaxStep', 'nadamStep',
] as const satisfies readonly (keyof NativeBinding)[];

export type KernelName = (typeof kernelNames)[number];

/** The kernels that have a value (a loss, a penalty, a sum, an update's outcome). */
type ValueKernelName = { [K in KernelName]: ReturnType<NativeBinding[K]> extends number ? K : never }[KernelName];

const valueKernelList = [
  'copyInto', 'copyRowsAt', 'sumOfSquares',
  'softmaxCrossEntropy', 'softmaxCrossEntropySparse', 'sigmoidBinaryCrossEntropy', 'binaryCrossEntropy', 'categoricalCrossEntropy',
  'sparseCategoricalCrossEntropy', 'meanSquaredError', 'meanAbsoluteError', 'huber', 'logCosh', 'hinge', 'squaredHinge',
  'kullbackLeiblerDivergence', 'regularize',
  'sgdStep', 'adagradStep', 'adadeltaStep', 'rmspropStep', 'adamStep', 'adamaxStep', 'nadamStep',
] as const satisfies readonly ValueKernelName[];

// The list above names every kernel with a value: this fails to compile when one is missing.
const everyValueKernelListed: Exclude<ValueKernelName, (typeof valueKernelList)[number]> extends never ? true : never = true;
void everyValueKernelListed;

const valueKernels: ReadonlySet<string> = new Set(valueKernelList);

/** A kernel's value in a plan: the index of that value among the plan's values, in call order. */
export type PlanValue = number & { readonly __planValue: true };

/**
 * The kernels, run now (S = number: each call returns its value) or added to a plan
 * (S = PlanValue: each call with a value returns the index its value will have).
 */
export type Kernels<S extends number> = {
  readonly [K in KernelName]: (...args: Parameters<NativeBinding[K]>) => ReturnType<NativeBinding[K]> extends number ? S : void;
};

/** The names of the numbers a plan reads at each step (PlanInput). */
export type PlanInputName = 'offset' | 'tripOffset' | 'learningRate' | 'step' | 'uProduct' | 'swap';

/**
 * A model's work written once for both ways: its kernel calls, and the two things that differ.
 * Run now, work stops at a value that is not finite and numbers are numbers; in a plan, the plan
 * stops the step there itself, and the numbers that change from step to step are read from the
 * run's inputs.
 */
export interface Work<S extends number> {
  readonly k: Kernels<S>;
  /** Whether the work goes on past `value`: run now, whether it is finite; in a plan, yes. */
  goesOn(value: S): boolean;
  /** `value` run now; in a plan, the input `name`, which each step's run sets. */
  input(name: PlanInputName, value: number): number | PlanInput;
}

/** The kernels run now. */
export const now: Work<number> = {
  k: native,
  goesOn: (value) => Number.isFinite(value),
  input: (_name, value) => value,
};

/** The calls of a plan being built, as createPlan takes them. */
export class PlanCalls implements Work<PlanValue> {
  readonly calls: unknown[][] = [];
  readonly k: Kernels<PlanValue>;
  private values = 0;

  constructor(private readonly inputs: readonly PlanInputName[]) {
    const call = (name: string, args: unknown[]): PlanValue | undefined => {
      this.calls.push([name, ...args]);
      return valueKernels.has(name) ? (this.values++ as PlanValue) : undefined;
    };
    this.k = Object.fromEntries(kernelNames.map((name) => [name, (...args: unknown[]) => call(name, args)])) as unknown as Kernels<PlanValue>;
  }

  /** How many values the plan has: its values array holds this many per step. */
  get valueCount(): number {
    return this.values;
  }

  goesOn(value: PlanValue): boolean {
    this.calls.push(['guardFinite', value]);
    return true;
  }

  input(name: PlanInputName): PlanInput {
    const index = this.inputs.indexOf(name);
    if (index < 0) throw new Error(`Internal error: the plan has no input '${name}' (it has ${this.inputs.join(', ')})`);
    return { planInput: index };
  }
}
