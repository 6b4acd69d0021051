/** The optimizer's learning rate, for the callbacks that change it (not when it is a schedule). */
import { ArgumentTypeError } from '../errors';
import type { Model } from '../core/model';
import { describe } from '../validate';

export function learningRateOf(model: Model, callback: string): number {
  const rate: unknown = model.optimizer.learningRate;
  if (typeof rate !== 'number') {
    throw new ArgumentTypeError(
      { argument: 'optimizer.learningRate', expected: `a number for ${callback} to change`, received: describe(rate) },
      `A schedule already sets the rate at every step; give the optimizer a number learningRate to use ${callback}.`,
    );
  }
  return rate;
}

export function setLearningRate(model: Model, callback: string, rate: number): void {
  learningRateOf(model, callback);
  model.optimizer.learningRate = rate;
}
