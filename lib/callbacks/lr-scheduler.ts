/**
 * learningRateScheduler, as keras.callbacks.LearningRateScheduler: before each epoch the
 * optimizer's rate becomes schedule(epoch, currentRate); 'lr' joins the epoch logs.
 */
import { ArgumentRangeError } from '../errors';
import { describe, functionValue, knownOptions, plainObject } from '../validate';
import { Callback, type Logs } from './callback';
import { learningRateOf, setLearningRate } from './learning-rate';
import { say, verboseOption } from './monitor';

/** The rate for an epoch (an absolute index, from 0) given the current one. */
export type Schedule = (epoch: number, learningRate: number) => number;

export interface LearningRateSchedulerConfig {
  /** 1 prints the rate set before each epoch (default 0). */
  verbose?: 0 | 1;
}

const NAME = 'learningRateScheduler';

export class LearningRateScheduler extends Callback {
  private readonly verbose: boolean;

  constructor(
    readonly schedule: Schedule,
    config: LearningRateSchedulerConfig = {},
  ) {
    super();
    functionValue(schedule, `${NAME} schedule`);
    const options = plainObject(config, `${NAME} config`);
    knownOptions(options, `${NAME} config`, ['verbose']);
    this.verbose = verboseOption(options['verbose'], NAME);
  }

  override onEpochBegin(epoch: number): void {
    const rate: unknown = this.schedule(epoch, learningRateOf(this.model, NAME));
    if (typeof rate !== 'number' || !Number.isFinite(rate) || rate <= 0) {
      throw new ArgumentRangeError({ argument: `${NAME} schedule(${epoch}, lr)`, expected: 'a finite learning rate > 0', received: describe(rate) });
    }
    setLearningRate(this.model, NAME, rate);
    say(this.verbose, `Epoch ${epoch + 1}: learningRateScheduler setting learning rate to ${rate}.`);
  }

  override onEpochEnd(_epoch: number, logs: Logs): void {
    logs['lr'] = learningRateOf(this.model, NAME);
  }
}

export function learningRateScheduler(schedule: Schedule, config: LearningRateSchedulerConfig = {}): LearningRateScheduler {
  return new LearningRateScheduler(schedule, config);
}
