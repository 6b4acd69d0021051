// The whole training step beside the silicon: one epoch of the MLP over 60000 samples through
// model.fit (shuffling and batch gathering included), its effective GFLOP/s as a share of the
// FMA peak measured in the same run at the same thread count, and where a step's time goes
// outside GEMM. Everything is myelin's own: the peers are compared in the training suite.

import type { MyelinHandle } from './myelin';
import { useThreads } from './myelin';
import { syntheticClassification } from './data';
import type { Reporter } from './report';
import { collectGarbage, now } from './timing';
import { stepTiming, type StepTrial } from './trials';

type Backend = MyelinHandle['backend'];

/** Multiply-adds of one sample through the MLP's training step, times two: forward (x W),
 * dW (x^T dz) for every layer, dX (dz W^T) for every layer but the first. */
export function flopsPerSample(inputDim: number, units: readonly number[]): number {
  let flops = 0;
  let k = inputDim;
  units.forEach((m, i) => {
    flops += 2 * k * m * (i === 0 ? 2 : 3);
    k = m;
  });
  return flops;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? NaN;
}

/** Median microseconds of `fn` over `reps` calls, after `reps / 10` untimed ones. */
function medianUs(fn: () => void, reps: number): number {
  for (let i = 0; i < reps / 10; i++) fn();
  const times: number[] = [];
  for (let i = 0; i < reps; i++) {
    const start = now();
    fn();
    times.push((now() - start) * 1000);
  }
  return median(times);
}

/** The GEMM calls of one step, in order, with the model's shapes: forward, then dW and dX. */
function stepGemms(backend: Backend, batch: number, inputDim: number, units: readonly number[]): () => void {
  const dims = [inputDim, ...units];
  const calls: (() => void)[] = [];
  const buffer = (n: number): Float32Array => new Float32Array(n).fill(0.5);
  for (let i = 0; i < units.length; i++) {
    const [k, m] = [dims[i] as number, dims[i + 1] as number];
    const [x, w, y] = [buffer(batch * k), buffer(k * m), buffer(batch * m)];
    calls.push(() => backend.sgemm(y, x, w, batch, m, k, false, false, 1, 0));
    const dw = buffer(k * m);
    calls.push(() => backend.sgemm(dw, x, y, k, m, batch, true, false, 1, 0));
    if (i > 0) {
      const dx = buffer(batch * k);
      calls.push(() => backend.sgemm(dx, y, w, batch, k, m, false, true, 1, 0));
    }
  }
  return () => calls.forEach((call) => call());
}

export async function runStepSuite(trial: StepTrial, threadCounts: readonly number[], myelin: MyelinHandle | string, reporter: Reporter): Promise<void> {
  if (typeof myelin === 'string') {
    reporter.notice(`step suite skipped: myelin unavailable`);
    return;
  }
  const { my, backend } = myelin;
  const units = trial.layers.map((l) => l.units);
  const classes = units[units.length - 1] as number;
  const data = syntheticClassification(trial.samples, trial.inputDim, classes, trial.seed);
  const x = my.tensor2d(data.x, [trial.samples, trial.inputDim]);
  const y = my.tensor2d(data.labels, [trial.samples, 1]);
  const flops = flopsPerSample(trial.inputDim, units);
  const epochGflop = (flops * trial.samples) / 1e9;
  const params = units.reduce((sum, m, i) => sum + ((i === 0 ? trial.inputDim : (units[i - 1] as number)) + 1) * m, 0);

  for (const threads of threadCounts) {
    if (useThreads(my, threads) !== threads) {
      reporter.notice(`step suite: no ${threads}-thread figure on this machine`);
      continue;
    }
    my.seed(trial.seed);
    const model = my.sequential(
      trial.layers.map((l, i) => my.layers.dense({ units: l.units, activation: l.activation, ...(i === 0 ? { inputShape: [trial.inputDim] } : {}) })),
    );
    model.compile({ optimizer: my.optimizers.adam({ learningRate: trial.learningRate }), loss: 'sparseCategoricalCrossentropy' });
    const info = my.backendInfo();

    // Epochs through fit: shuffling, gathering, metrics and event-loop yields all count.
    await model.fit(x, y, { epochs: 1, batchSize: trial.batchSize, verbose: 0 });
    const peakBefore = backend.native.fmaPeakGflops(threads, stepTiming.peakMs);
    const epochSeconds: number[] = [];
    for (let e = 0; e < stepTiming.epochs; e++) {
      collectGarbage();
      const start = now();
      await model.fit(x, y, { epochs: 1, batchSize: trial.batchSize, verbose: 0 });
      epochSeconds.push((now() - start) / 1000);
    }
    const peak = Math.max(peakBefore, backend.native.fmaPeakGflops(threads, stepTiming.peakMs));
    const best = Math.min(...epochSeconds);
    const gflops = epochGflop / best;
    reporter.row({
      kind: 'step',
      trial: `epoch-${trial.samples}`,
      shape: `${[trial.inputDim, ...units].join('-')} batch ${trial.batchSize}`,
      impl: 'myelin',
      threads,
      isa: info.isa,
      value: trial.samples / best,
      unit: 'samples/s',
      vs: {},
      ok: true,
      note: `epoch ${best.toFixed(3)} s (best of ${epochSeconds.length}); ${gflops.toFixed(1)} GFLOP/s effective (${epochGflop.toFixed(1)} GFLOP/epoch) = ${((100 * gflops) / peak).toFixed(1)}% of the ${peak.toFixed(0)} GFLOP/s FMA peak`,
      extra: { epoch_seconds: best, effective_gflops: gflops, peak_gflops: peak, percent_of_peak: (100 * gflops) / peak },
    });

    // Where one step's time goes: the same native calls timed alone.
    const n = trial.batchSize;
    const xs = data.x.subarray(0, n * trial.inputDim);
    const labels = data.labels.subarray(0, n);
    const batch = { input: xs, labels, weights: null, n };
    const step = medianUs(() => model.stepPlans().trainNow(batch), stepTiming.stepReps);
    const withChecks = medianUs(() => model.trainOnBatch({ data: xs, shape: [n, trial.inputDim] }, { data: labels, shape: [n, 1] }), stepTiming.stepReps);
    const gemm = medianUs(stepGemms(backend, n, trial.inputDim, units), stepTiming.stepReps);
    const arena = () => new Float32Array(params).fill(1e-3);
    // Each slot is two arenas: a step reads one and writes the other, which the optimizer then
    // makes current (every step here is applied). The step also writes the old params into g;
    // the next call takes them as its params (fed back as gradients instead, they would be pulled
    // to 0 and the slots into slow subnormals over many calls).
    let [p, g, mIn, vIn, mOut, vOut] = [arena(), arena(), arena(), arena(), arena(), arena()];
    let t = 1;
    const adam = medianUs(() => {
      backend.native.adamStep(p, g, mOut, vOut, null, mIn, vIn, null, 1e-3, 0.9, 0.999, 1e-7, 0, t++);
      [p, g, mIn, vIn, mOut, vOut] = [g, p, mOut, vOut, mIn, vIn];
    }, stepTiming.stepReps);
    const logits = new Float32Array(n * classes);
    const probs = new Float32Array(n * classes);
    const loss = medianUs(() => backend.native.softmaxCrossEntropySparse(probs, logits, logits, labels, null, n, classes, 0), stepTiming.stepReps);
    const empty = new Float32Array(0);
    const crossing = medianUs(() => backend.native.sumOfSquares(empty), stepTiming.stepReps);
    const fitStep = (best / Math.ceil(trial.samples / n)) * 1e6;
    const rest = step - gemm - adam - loss;
    const share = (us: number): string => `${us.toFixed(0)} us (${((100 * us) / step).toFixed(0)}%)`;
    reporter.row({
      kind: 'step',
      trial: 'step-breakdown',
      shape: `batch ${n}, ${params} params`,
      impl: 'myelin',
      threads,
      isa: info.isa,
      value: step,
      unit: 'us/step',
      vs: {},
      ok: true,
      note:
        `GEMM ${share(gemm)}, Adam ${share(adam)}, softmax+loss ${share(loss)}, ` +
        `the rest ${share(rest)}: the step's GEMMs run colder than alone (weights, gradients and optimizer slots of a whole step outgrow L2), plus activations, bias, db, the batch's copy into the plan's buffers and one N-API crossing of ${crossing.toFixed(2)} us (the step is one plan); ` +
        `outside the step: input checks ${(withChecks - step).toFixed(0)} us (trainOnBatch); in fit, ${(fitStep - step).toFixed(0)} us more than the step on one cache-hot batch (data streamed from memory, shuffle, gather, metrics, event-loop yield)`,
      extra: { step_us: step, gemm_us: gemm, adam_us: adam, loss_us: loss, other_us: rest, napi_crossing_us: crossing, validation_us: withChecks - step, fit_overhead_us: fitStep - step },
    });
  }
}
