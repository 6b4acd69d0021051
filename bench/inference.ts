// Inference beside onnxruntime: the MLP of the training trial, trained for a few batches,
// exported with model.exportOnnxSync and loaded in onnxruntime-node, against model.predict in the
// same run at each thread count. Batch-1 latency is the median and p99 over many calls from
// JavaScript (await session.run for onnxruntime: its API is asynchronous); batch-1000
// throughput is samples/s from the median call. The two take turns in blocks, so a drifting
// clock or a busy neighbour hits both alike. Both answers are checked against each other.
//
// myelin's batch-1 row also splits its time between the kernels, the N-API crossings and the
// validation and wrapping done in JavaScript. The floor is the step's FLOPs at the FMA peak
// measured in the same run (the weights come from L2/L3).

import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import type { MyelinHandle } from './myelin';
import { useThreads } from './myelin';
import { syntheticClassification, uniform } from './data';
import { maxDifference } from './mlp';
import { onnxruntimeCall, onnxruntimeVersion } from './peers/onnxruntime';
import type { Reporter } from './report';
import { collectGarbage, now } from './timing';
import { inferenceTiming, type StepTrial } from './trials';

/** The largest difference allowed between the two implementations' outputs. */
const AGREEMENT = 1e-5;

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * Sorted microseconds per call of each function (a call that returns a promise is timed until
 * it settles): `warmup` untimed calls each, then `calls` timed ones in `blocks` blocks, the
 * functions taking turns block by block.
 */
async function sampleUs(fns: readonly (() => unknown)[], calls: number, warmup: number, blocks = 1): Promise<number[][]> {
  for (const fn of fns) for (let i = 0; i < warmup; i++) await fn();
  const times = fns.map(() => new Float64Array(calls));
  const perBlock = Math.ceil(calls / blocks);
  for (let start = 0; start < calls; start += perBlock) {
    for (const [f, fn] of fns.entries()) {
      const t = times[f] as Float64Array;
      for (let i = start; i < Math.min(calls, start + perBlock); i++) {
        const begin = now();
        const result = fn();
        if (result instanceof Promise) await result;
        t[i] = (now() - begin) * 1000;
      }
    }
  }
  return times.map((t) => Array.from(t).sort((a, b) => a - b));
}

export async function runInferenceSuite(trial: StepTrial, threadCounts: readonly number[], myelin: MyelinHandle | string, reporter: Reporter): Promise<void> {
  if (typeof myelin === 'string') {
    reporter.notice('inference suite skipped: myelin unavailable');
    return;
  }
  const { my, backend } = myelin;
  const timing = inferenceTiming;
  const units = trial.layers.map((l) => l.units);
  const dims = [trial.inputDim, ...units];
  const macs = units.reduce((sum, m, i) => sum + (dims[i] as number) * m, 0);

  // One model for every row: trained briefly (so the biases are not zeros), then exported.
  my.seed(trial.seed);
  const model = my.sequential(
    trial.layers.map((l, i) => my.layers.dense({ units: l.units, activation: l.activation, ...(i === 0 ? { inputShape: [trial.inputDim] } : {}) })),
  );
  model.compile({ optimizer: my.optimizers.adam({ learningRate: trial.learningRate }), loss: trial.loss });
  const data = syntheticClassification(trial.batchSize * timing.trainBatches, trial.inputDim, units[units.length - 1] as number, trial.seed);
  for (let b = 0; b < timing.trainBatches; b++) {
    const rows = [b * trial.batchSize, (b + 1) * trial.batchSize] as const;
    model.trainOnBatch(my.tensor2d(data.x.subarray(rows[0] * trial.inputDim, rows[1] * trial.inputDim), [trial.batchSize, trial.inputDim]), data.labels.subarray(...rows));
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'myelin-bench-'));
  try {
    const file = path.join(dir, 'mlp.onnx');
    model.exportOnnxSync(file);
    reporter.notice(`inference: ${dims.join('-')} trained ${timing.trainBatches} batches, exported to ONNX (${fs.statSync(file).size} bytes) for onnxruntime-node ${onnxruntimeVersion}`);

    const weights = model.getWeights().map((w) => w.data);
    const sample = my.tensor2d(uniform(trial.inputDim, trial.seed), [1, trial.inputDim]);
    const large = timing.largeBatch;
    const batch = my.tensor2d(uniform(large * trial.inputDim, trial.seed + 1), [large, trial.inputDim]);
    const whole = { batchSize: large };

    for (const threads of threadCounts) {
      if (useThreads(my, threads) !== threads) continue;
      const isa = my.backendInfo().isa;
      const ortOne = await onnxruntimeCall(file, threads, sample.data, 1);
      const ortLarge = await onnxruntimeCall(file, threads, batch.data, large);
      const agree = Math.max(maxDifference(await ortOne.run(), model.predict(sample).data), maxDifference(await ortLarge.run(), model.predict(batch, whole).data));
      const ok = agree <= AGREEMENT;
      const agreement = `outputs agree to ${agree.toExponential(1)}`;
      collectGarbage();

      // Batch 1.
      const [ortTimes, myTimes] = (await sampleUs([ortOne.run, () => model.predict(sample)], timing.calls, timing.warmup, timing.blocks)) as [number[], number[]];
      const ortMed = percentile(ortTimes, 50);
      const med = percentile(myTimes, 50);
      reporter.row({
        kind: 'inference',
        trial: 'predict-b1',
        shape: `${dims.join('-')} batch 1`,
        impl: 'onnxruntime',
        threads,
        isa: 'cpu-ep',
        value: ortMed,
        unit: 'us',
        vs: {},
        ok,
        note: `median ${ortMed.toFixed(1)} us, p99 ${percentile(ortTimes, 99).toFixed(1)} us over ${timing.calls} calls of await session.run; ${agreement}`,
        extra: { median_us: ortMed, p99_us: percentile(ortTimes, 99) },
      });

      // The same kernels called directly, as predict calls them: one fused Dense per layer, then
      // the softmax that the training loss would otherwise absorb.
      const outs = units.map((m) => new Float32Array(m));
      const probs = new Float32Array(units[units.length - 1] as number);
      const empty = new Float32Array(0);
      const [kernels, crossing] = (await sampleUs(
        [
          () => {
            let x = sample.data;
            units.forEach((m, i) => {
              const code = i === units.length - 1 ? 0 : 1; // relu, and logits for the last layer
              backend.native.denseForward(outs[i] as Float32Array, null, x, weights[2 * i] as Float32Array, weights[2 * i + 1] as Float32Array, 1, dims[i] as number, m, code, 0);
              x = outs[i] as Float32Array;
            });
            backend.native.activationForward(probs, x, 1, probs.length, 4, 0);
          },
          () => backend.native.sumOfSquares(empty),
        ],
        timing.calls,
        timing.warmup,
      )) as [number[], number[]];
      const peak = backend.native.fmaPeakGflops(threads, timing.peakMs);
      const floorUs = (2 * macs) / (peak * 1e3);
      const kernelMed = percentile(kernels, 50);
      const crossingMed = percentile(crossing, 50);
      const crossings = units.length + 2; // the layers, the softmax and the input's finiteness check
      reporter.row({
        kind: 'inference',
        trial: 'predict-b1',
        shape: `${dims.join('-')} batch 1`,
        impl: 'myelin',
        threads,
        isa,
        value: med,
        unit: 'us',
        vs: { onnxruntime: med / ortMed },
        ok,
        note:
          `median ${med.toFixed(1)} us, p99 ${percentile(myTimes, 99).toFixed(1)} us over ${timing.calls} calls (goal: at most 0.5x onnxruntime's median); kernels alone ${kernelMed.toFixed(1)} us; ` +
          `${crossings} N-API crossings of ${crossingMed.toFixed(2)} us; validation and wrapping ${(med - kernelMed - crossingMed).toFixed(1)} us; ` +
          `floor ${floorUs.toFixed(1)} us (${((2 * macs) / 1e3).toFixed(0)} kFLOP at ${peak.toFixed(0)} GFLOP/s): ${(med / floorUs).toFixed(1)}x the floor`,
        extra: { median_us: med, p99_us: percentile(myTimes, 99), kernels_us: kernelMed, napi_crossing_us: crossingMed, floor_us: floorUs, peak_gflops: peak },
      });
      collectGarbage();

      // Batch 1000: one predict call that runs the batch whole, as onnxruntime does (by default
      // predict splits it into native calls of 256 rows).
      const [ortLargeTimes, myLargeTimes] = (await sampleUs([ortLarge.run, () => model.predict(batch, whole)], timing.largeCalls, timing.largeWarmup, timing.blocks)) as [number[], number[]];
      const ortRate = (large * 1e6) / percentile(ortLargeTimes, 50);
      const rate = (large * 1e6) / percentile(myLargeTimes, 50);
      const shape = `${dims.join('-')} batch ${large}`;
      // Both as a share of the FMA peak (the best of its measurements before and after): how
      // much room either library leaves, and what the goal of 1.1x onnxruntime asks of myelin.
      const largePeak = Math.max(peak, backend.native.fmaPeakGflops(threads, timing.peakMs));
      const ofPeak = (samplesPerSecond: number): string => {
        const gflops = (2 * macs * samplesPerSecond) / 1e9;
        return `${gflops.toFixed(0)} GFLOP/s = ${((100 * gflops) / largePeak).toFixed(0)}% of the ${largePeak.toFixed(0)} GFLOP/s FMA peak`;
      };
      const note = (times: number[], samplesPerSecond: number): string =>
        `median call ${(percentile(times, 50) / 1000).toFixed(2)} ms, p99 ${(percentile(times, 99) / 1000).toFixed(2)} ms over ${timing.largeCalls} calls; ${ofPeak(samplesPerSecond)}`;
      reporter.row({ kind: 'inference', trial: `predict-b${large}`, shape, impl: 'onnxruntime', threads, isa: 'cpu-ep', value: ortRate, unit: 'samples/s', vs: {}, ok, note: note(ortLargeTimes, ortRate) });
      reporter.row({
        kind: 'inference',
        trial: `predict-b${large}`,
        shape,
        impl: 'myelin',
        threads,
        isa,
        value: rate,
        unit: 'samples/s',
        vs: { onnxruntime: rate / ortRate },
        ok,
        note: `${note(myLargeTimes, rate)}, of predict(x, { batchSize: ${large} }) (goal: at least 1.1x onnxruntime, which is ${ofPeak(1.1 * ortRate)})`,
      });
      await Promise.all([ortOne.release(), ortLarge.release()]);
      collectGarbage();
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
