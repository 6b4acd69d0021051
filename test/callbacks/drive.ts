/** Drives a callback by hand with scripted epoch logs, on a small real model. */
import * as my from '../../lib/index';

/** One Dense unit on two inputs, compiled with SGD at learningRate (a number or a schedule). */
export function tinyModel(learningRate: number | ((step: number) => number) = 1): my.Sequential {
  my.seed(3);
  const model = my.sequential([my.layers.dense({ inputShape: [2], units: 1 })]);
  model.compile({ optimizer: my.optimizers.sgd({ learningRate }), loss: 'meanSquaredError' });
  return model;
}

export interface Driven {
  /** The epoch at which the callback set stopTraining, or null. */
  readonly stoppedAt: number | null;
  /** Each epoch's logs after the callback saw them. */
  readonly logs: my.Logs[];
  /** The learning rate after each epoch. */
  readonly rates: number[];
}

/** Runs onTrainBegin, onEpochEnd with { loss: 1, [monitor]: value } per value until a stop, onTrainEnd. */
export async function drive(callback: my.callbacks.Callback, values: readonly number[], monitor = 'val_loss', model = tinyModel()): Promise<Driven> {
  callback.setModel(model);
  callback.setParams({ epochs: values.length, initialEpoch: 0, batchSize: 1, samples: 1, steps: 1, verbose: 0 });
  model.stopTraining = false;
  const logs: my.Logs[] = [];
  const rates: number[] = [];
  let stoppedAt: number | null = null;
  await callback.onTrainBegin({});
  for (const [epoch, value] of values.entries()) {
    const epochLogs: my.Logs = { loss: 1, [monitor]: value };
    await callback.onEpochBegin(epoch, {});
    await callback.onEpochEnd(epoch, epochLogs);
    logs.push(epochLogs);
    rates.push(model.optimizer.learningRate as number);
    if (model.stopTraining) {
      stoppedAt = epoch;
      break;
    }
  }
  await callback.onTrainEnd(logs.at(-1) ?? {});
  return { stoppedAt, logs, rates };
}
