/**
 * terminateOnNaN, as keras.callbacks.TerminateOnNaN: a NaN or infinite loss stops training
 * cleanly. fit() keeps the weights of the last good step, and ends with the History so far
 * instead of throwing its TrainingError.
 */
import { Callback, type Logs } from './callback';
import { say } from './monitor';

export class TerminateOnNaN extends Callback {
  override onBatchEnd(batch: number, logs: Logs): void {
    const loss = logs['loss'];
    if (loss === undefined || Number.isFinite(loss)) return;
    say(this.params.verbose !== 0, `Batch ${batch}: Invalid loss, terminating training`);
    this.model.stopTraining = true;
  }
}

export function terminateOnNaN(): TerminateOnNaN {
  return new TerminateOnNaN();
}
