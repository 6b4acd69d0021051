// The MLP of a TrainingTrial built in myelin (Dense layers, Adam, the trial's loss), and the
// check on its answers, for the benches that measure one model's behaviour rather than compare
// engines (event-loop, soak).

import type { Myelin } from './myelin';
import type { TrainingTrial } from './trials';

export type Model = ReturnType<Myelin['sequential']>;

/** A compiled model whose weights depend only on `trial.seed`. */
export function buildMlp(my: Myelin, trial: TrainingTrial): Model {
  my.seed(trial.seed);
  const model = my.sequential(
    trial.layers.map((l, i) => my.layers.dense({ units: l.units, activation: l.activation, ...(i === 0 ? { inputShape: [trial.inputDim] } : {}) })),
  );
  model.compile({ optimizer: my.optimizers.adam({ learningRate: trial.learningRate }), loss: trial.loss });
  return model;
}

/** The largest absolute difference between two answers; Infinity when their lengths differ. */
export function maxDifference(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) return Infinity;
  let worst = 0;
  a.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - (b[i] as number)))));
  return worst;
}
