// Batch-1 inference from JavaScript: model.predict on one sample of the MLP, median and p99
// over many calls after warm-up, and how the time splits between the kernels, the N-API
// crossings and the validation and wrapping done in JavaScript. The floor is the step's
// FLOPs at the FMA peak measured in the same run (the weights come from L2/L3).

import type { MyelinHandle } from './myelin';
import { useThreads } from './myelin';
import { uniform } from './data';
import type { Reporter } from './report';
import { collectGarbage, now } from './timing';
import { inferenceTiming, type StepTrial } from './trials';

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/** Sorted microseconds of `calls` calls of fn, after `warmup` untimed ones. */
function sampleUs(fn: () => void, calls: number, warmup: number): number[] {
  for (let i = 0; i < warmup; i++) fn();
  const times = new Float64Array(calls);
  for (let i = 0; i < calls; i++) {
    const start = now();
    fn();
    times[i] = (now() - start) * 1000;
  }
  return Array.from(times).sort((a, b) => a - b);
}

export function runInferenceSuite(trial: StepTrial, threadCounts: readonly number[], myelin: MyelinHandle | string, reporter: Reporter): void {
  if (typeof myelin === 'string') {
    reporter.notice('inference suite skipped: myelin unavailable');
    return;
  }
  const { my, backend } = myelin;
  const units = trial.layers.map((l) => l.units);
  const dims = [trial.inputDim, ...units];
  const sample = my.tensor2d(uniform(trial.inputDim, trial.seed), [1, trial.inputDim]);
  const macs = units.reduce((sum, m, i) => sum + (dims[i] as number) * m, 0);
  const { calls, warmup } = inferenceTiming;

  for (const threads of threadCounts) {
    if (useThreads(my, threads) !== threads) continue;
    my.seed(trial.seed);
    const model = my.sequential(
      trial.layers.map((l, i) => my.layers.dense({ units: l.units, activation: l.activation, ...(i === 0 ? { inputShape: [trial.inputDim] } : {}) })),
    );
    model.compile({ optimizer: 'adam', loss: 'sparseCategoricalCrossentropy' });
    const weights = model.getWeights().map((w) => w.data);
    collectGarbage();

    const predict = sampleUs(() => model.predict(sample), calls, warmup);
    // The same kernels called directly, as predict calls them: one fused Dense per layer, then
    // the softmax that the training loss would otherwise absorb.
    const outs = units.map((m) => new Float32Array(m));
    const probs = new Float32Array(units[units.length - 1] as number);
    const kernels = sampleUs(
      () => {
        let x = sample.data;
        units.forEach((m, i) => {
          const code = i === units.length - 1 ? 0 : 1; // relu, and logits for the last layer
          backend.native.denseForward(outs[i] as Float32Array, null, x, weights[2 * i] as Float32Array, weights[2 * i + 1] as Float32Array, 1, dims[i] as number, m, code, 0);
          x = outs[i] as Float32Array;
        });
        backend.native.activationForward(probs, x, 1, probs.length, 4, 0);
      },
      calls,
      warmup,
    );
    const empty = new Float32Array(0);
    const crossing = sampleUs(() => backend.native.sumOfSquares(empty), calls, warmup);
    const peak = backend.native.fmaPeakGflops(threads, inferenceTiming.peakMs);
    const floorUs = (2 * macs) / (peak * 1e3);
    const med = percentile(predict, 50);
    const kernelMed = percentile(kernels, 50);
    const crossingMed = percentile(crossing, 50);
    const crossings = units.length + 2; // the layers, the softmax and the input's finiteness check
    reporter.row({
      kind: 'inference',
      trial: 'predict-b1',
      shape: `${dims.join('-')} batch 1`,
      impl: 'myelin',
      threads,
      isa: my.backendInfo().isa,
      value: med,
      unit: 'us',
      vs: {},
      ok: predict.length === calls,
      note:
        `median ${med.toFixed(1)} us, p99 ${percentile(predict, 99).toFixed(1)} us over ${calls} calls; kernels alone ${kernelMed.toFixed(1)} us; ` +
        `${crossings} N-API crossings of ${crossingMed.toFixed(2)} us; validation and wrapping ${(med - kernelMed - crossingMed).toFixed(1)} us; ` +
        `floor ${floorUs.toFixed(1)} us (${(2 * macs / 1e3).toFixed(0)} kFLOP at ${peak.toFixed(0)} GFLOP/s): ${(med / floorUs).toFixed(1)}x the floor`,
      extra: { median_us: med, p99_us: percentile(predict, 99), kernels_us: kernelMed, napi_crossing_us: crossingMed, floor_us: floorUs, peak_gflops: peak },
    });
  }
}
