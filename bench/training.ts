// Training throughput (samples/s) of the same MLP in myelin and its peers, in one process and
// on one synthetic data set. A step is a whole optimizer step: forward, backward, Adam, loss
// read back.
//
// Every runner's model is built and warmed up first; then the runners take turns, `rounds`
// times, each training for one window (trainingTiming). The figure is all timed samples over
// all timed seconds, garbage collection included, which is what a user's training loop sees.
// Taking turns matters on a shared or virtual machine, where the CPUs' speed drifts over
// seconds: back-to-back runs would charge one engine for the machine's bad minute. The note
// gives the slowest and fastest window, so such drift is visible.

import type { MyelinHandle } from './myelin';
import { myelinTrainer, useThreads } from './myelin';
import { syntheticClassification, type Dataset } from './data';
import { tfjsTensorCount, tfjsTrainer } from './peers/tfjs';
import type { Reporter } from './report';
import { collectGarbage, now } from './timing';
import { runnerLabel, trainingTiming, type Impl, type TrainingRunner, type TrainingTrial } from './trials';

/** One implementation's model, compiled and holding its batches; what every factory returns. */
export interface Trainer {
  readonly impl: Impl;
  readonly isa: string;
  readonly threads: number;
  readonly note: string;
  /** Makes this trainer's engine current before it steps: tfjs switches backend, myelin sets its thread count. */
  activate(): Promise<void> | void;
  /** One optimizer step on batch `batch` (modulo the number of batches); returns the loss. */
  step(batch: number): number | Promise<number>;
  /** Frees what the garbage collector cannot (tfjs tensors). */
  dispose(): void;
}

/** A trainer and what has been measured of it so far. */
interface Contestant {
  readonly runner: TrainingRunner;
  readonly trainer: Trainer;
  steps: number;
  timedMs: number;
  readonly stepMs: number[];
  readonly windowRates: number[];
  firstLoss: number;
  lastLoss: number;
}

/** Builds `runner`'s trainer, or explains why it cannot run here. */
async function makeTrainer(
  runner: TrainingRunner,
  trial: TrainingTrial,
  data: Dataset,
  myelin: MyelinHandle | string,
): Promise<Trainer | string> {
  switch (runner.impl) {
    case 'tfjs-cpu':
      return tfjsTrainer('cpu', trial, data);
    case 'tfjs-wasm':
      return tfjsTrainer('wasm', trial, data);
    case 'myelin': {
      if (typeof myelin === 'string') return 'myelin unavailable (see above)';
      const got = useThreads(myelin.my, runner.threads);
      if (got !== runner.threads) return `myelin runs ${got} thread(s) when asked for ${runner.threads}`;
      return myelinTrainer(myelin.my, trial, data, runner.threads);
    }
  }
}

async function warmUp(c: Contestant): Promise<void> {
  await c.trainer.activate();
  for (let b = 0; b < c.runner.warmupBatches; b++) {
    const loss = await c.trainer.step(c.steps++);
    if (b === 0) c.firstLoss = loss;
  }
}

async function timeWindow(c: Contestant, batchSize: number): Promise<void> {
  collectGarbage();
  await c.trainer.activate();
  let steps = 0;
  let elapsed = 0;
  const start = now();
  while (steps < trainingTiming.minWindowBatches || elapsed < trainingTiming.windowSeconds * 1000) {
    const stepStart = now();
    c.lastLoss = await c.trainer.step(c.steps++);
    const end = now();
    c.stepMs.push(end - stepStart);
    steps++;
    elapsed = end - start;
  }
  c.timedMs += elapsed;
  c.windowRates.push((steps * batchSize) / (elapsed / 1000));
}

function shapeOf(trial: TrainingTrial): string {
  return `${[trial.inputDim, ...trial.layers.map((l) => l.units)].join('-')} batch ${trial.batchSize}`;
}

function summarize(c: Contestant): string {
  const timedSteps = c.stepMs.length;
  const sorted = [...c.stepMs].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  const slowest = Math.min(...c.windowRates);
  const fastest = Math.max(...c.windowRates);
  const loss = Number.isFinite(c.lastLoss)
    ? `loss ${c.firstLoss.toFixed(3)} -> ${c.lastLoss.toFixed(3)}`
    : `NON-FINITE LOSS ${c.lastLoss}`;
  return [
    `${timedSteps} steps, median ${median.toFixed(1)} ms`,
    `windows ${slowest.toFixed(0)}-${fastest.toFixed(0)}/s`,
    loss,
    c.trainer.note,
  ]
    .filter((text) => text !== '')
    .join('; ');
}

export async function runTrainingSuite(
  trials: readonly TrainingTrial[],
  runners: readonly TrainingRunner[],
  myelin: MyelinHandle | string,
  reporter: Reporter,
): Promise<void> {
  for (const trial of trials) {
    const classes = trial.layers[trial.layers.length - 1]?.units ?? 0;
    const data = syntheticClassification(trial.samples, trial.inputDim, classes, trial.seed);
    const tensorsBefore = tfjsTensorCount();

    const contestants: Contestant[] = [];
    try {
      for (const runner of runners) {
        const trainer = await makeTrainer(runner, trial, data, myelin);
        if (typeof trainer === 'string') {
          reporter.notice(`${trial.name} ${runnerLabel(runner)} skipped: ${trainer}`);
          continue;
        }
        const c: Contestant = { runner, trainer, steps: 0, timedMs: 0, stepMs: [], windowRates: [], firstLoss: NaN, lastLoss: NaN };
        contestants.push(c);
        await warmUp(c);
      }
      for (let round = 0; round < trainingTiming.rounds; round++) {
        for (const c of contestants) await timeWindow(c, trial.batchSize);
      }
    } finally {
      for (const c of contestants) c.trainer.dispose();
    }
    const leaked = tfjsTensorCount() - tensorsBefore;
    if (leaked !== 0) reporter.notice(`${trial.name}: tfjs holds ${leaked} more tensors than before the trial`);
    collectGarbage();

    const measured = new Map<string, number>();
    for (const c of contestants) {
      measured.set(runnerLabel(c.runner), (c.stepMs.length * trial.batchSize) / (c.timedMs / 1000));
    }
    for (const c of contestants) {
      const value = measured.get(runnerLabel(c.runner)) ?? NaN;
      const vs: Record<string, number> = {};
      for (const base of c.runner.compareTo) {
        const baseValue = measured.get(base);
        if (baseValue !== undefined) vs[base] = value / baseValue;
      }
      reporter.row({
        kind: 'training',
        trial: trial.name,
        shape: shapeOf(trial),
        impl: c.trainer.impl,
        threads: c.trainer.threads,
        isa: c.trainer.isa,
        value,
        unit: 'samples/s',
        vs,
        ok: Number.isFinite(c.lastLoss),
        note: summarize(c),
      });
    }
  }
}
