// myelin's sgemm in GFLOP/s (2*m*n*k per call) at each runner's thread count.
//
// Repetitions of the runners are interleaved (1t, 2t, 1t, 2t, ...) and each runner keeps its
// best: on a shared or virtual machine the CPUs' availability changes over seconds (we saw
// the 2-thread figure swing between 0.7x and 2x the 1-thread one from run to run), and
// interleaving gives every runner the same conditions, so the ratio is between like and like.
// Each repetition loops the call long enough (gemmTiming.minRepetitionMs) that timer
// resolution and call overhead do not count. The note gives median/best: well below 1 means
// the machine was busy and the figure is less sure.
// C is checked afterwards (residualCheck), so a broken or short-circuiting kernel cannot post
// a fast number.

import type { MyelinHandle, MyelinBackend } from './myelin';
import { useThreads } from './myelin';
import { uniform, makeRng } from './data';
import type { Reporter } from './report';
import { now } from './timing';
import { gemmTiming, runnerLabel, type GemmTrial, type Runner } from './trials';

interface Operands {
  readonly a: Float32Array;
  readonly b: Float32Array;
  readonly c: Float32Array;
}

function operands(t: GemmTrial): Operands {
  return {
    a: uniform(t.m * t.k, 1, -1, 1),
    b: uniform(t.k * t.n, 2, -1, 1),
    c: new Float32Array(t.m * t.n).fill(NaN),
  };
}

type Sgemm = MyelinBackend['sgemm'];

function callOnce(sgemm: Sgemm, t: GemmTrial, o: Operands): void {
  sgemm(o.c, o.a, o.b, t.m, t.n, t.k, t.transA, t.transB, 1, 0);
}

/** Warms up (JIT, thread pool, caches) and returns how many calls make one repetition. */
function calibrate(sgemm: Sgemm, t: GemmTrial, o: Operands): number {
  let calls = 0;
  const start = now();
  while (calls < 2 || now() - start < gemmTiming.warmupMs) {
    callOnce(sgemm, t, o);
    calls++;
  }
  const perCallMs = (now() - start) / calls;
  return Math.max(1, Math.ceil(gemmTiming.minRepetitionMs / perCallMs));
}

/** Milliseconds per call over one repetition of `iterations` calls. */
function repetition(sgemm: Sgemm, t: GemmTrial, o: Operands, iterations: number): number {
  const start = now();
  for (let i = 0; i < iterations; i++) callOnce(sgemm, t, o);
  return (now() - start) / iterations;
}

const EPS32 = 2 ** -24;

/**
 * Checks all of C at once, BLIS-style: C t against op(A) (op(B) t) in float64 for a random
 * vector t, so a skipped column or a stray entry shows. Row i may differ by at most
 * k * eps32 * (|op(A)| (|op(B)| |t|))_i, the float32 worst case. C starts full of NaN and the
 * calls use beta = 0, so an unwritten entry, or a kernel that reads C when it must not, fails too.
 */
function residualCheck(t: GemmTrial, o: Operands): string {
  const { m, n, k } = t;
  const at = (i: number, p: number): number => (t.transA ? o.a[p * m + i] : o.a[i * k + p]) ?? NaN;
  const bt = (p: number, j: number): number => (t.transB ? o.b[j * k + p] : o.b[p * n + j]) ?? NaN;
  const rng = makeRng(7);
  const vec = Array.from({ length: n }, () => rng() - 0.5);
  const u = new Float64Array(k);
  const uAbs = new Float64Array(k);
  for (let p = 0; p < k; p++) {
    for (let j = 0; j < n; j++) {
      const v = bt(p, j) * (vec[j] ?? NaN);
      u[p] = (u[p] ?? 0) + v;
      uAbs[p] = (uAbs[p] ?? 0) + Math.abs(v);
    }
  }
  let worst = 0;
  let worstRow = -1;
  for (let i = 0; i < m; i++) {
    let ref = 0;
    let mag = 0;
    for (let p = 0; p < k; p++) {
      ref += at(i, p) * (u[p] ?? NaN);
      mag += Math.abs(at(i, p)) * (uAbs[p] ?? NaN);
    }
    let got = 0;
    for (let j = 0; j < n; j++) got += (o.c[i * n + j] ?? NaN) * (vec[j] ?? NaN);
    const err = Math.abs(got - ref) / (k * EPS32 * mag);
    if (!(err <= worst)) {
      worst = Number.isNaN(err) ? Infinity : err;
      worstRow = i;
    }
  }
  return worst <= 1 ? '' : `WRONG RESULT: row ${worstRow} of C t off by ${worst.toPrecision(3)} x the float32 bound`;
}

function shapeOf(t: GemmTrial): string {
  const flags = `${t.transA ? ' tA' : ''}${t.transB ? ' tB' : ''}`;
  return `m=${t.m} n=${t.n} k=${t.k}${flags}`;
}

export function runGemmSuite(
  trials: readonly GemmTrial[],
  runners: readonly Runner[],
  myelin: MyelinHandle | string,
  reporter: Reporter,
): void {
  if (typeof myelin === 'string') {
    reporter.notice('gemm skipped: myelin unavailable (see above)');
    return;
  }
  const { my, backend } = myelin;
  const runnable = runners.filter((runner) => {
    const threads = useThreads(my, runner.threads);
    if (threads === runner.threads) return true;
    reporter.notice(`gemm ${runnerLabel(runner)} skipped: myelin runs ${threads} thread(s) when asked for ${runner.threads}`);
    return false;
  });
  const isa = my.backendInfo().isa;

  for (const trial of trials) {
    // Fresh NaN-filled C per runner: see residualCheck.
    const states = runnable.map((runner) => {
      useThreads(my, runner.threads);
      const o = operands(trial);
      return { runner, o, iterations: calibrate(backend.sgemm, trial, o), msPerCall: [] as number[] };
    });
    for (let r = 0; r < gemmTiming.repetitions; r++) {
      for (const state of states) {
        useThreads(my, state.runner.threads);
        state.msPerCall.push(repetition(backend.sgemm, trial, state.o, state.iterations));
      }
    }

    const measured = new Map<string, number>();
    for (const { runner, o, msPerCall } of states) {
      msPerCall.sort((a, b) => a - b);
      const best = msPerCall[0] ?? NaN;
      const median = msPerCall[Math.floor(msPerCall.length / 2)] ?? NaN;
      const gflops = (2 * trial.m * trial.n * trial.k) / (best / 1000) / 1e9;
      measured.set(runnerLabel(runner), gflops);
      const vs: Record<string, number> = {};
      for (const base of runner.compareTo) {
        const baseValue = measured.get(base);
        if (baseValue !== undefined) vs[base] = gflops / baseValue;
      }
      const problem = residualCheck(trial, o);
      reporter.row({
        kind: 'gemm',
        trial: trial.name,
        shape: shapeOf(trial),
        impl: runner.impl,
        threads: runner.threads,
        isa,
        value: gflops,
        unit: 'GFLOP/s',
        vs,
        ok: problem === '',
        note: [`median/best ${(best / median).toFixed(2)}`, trial.desc === 'square' ? '' : trial.desc, problem]
          .filter((text) => text !== '')
          .join('; '),
      });
    }
  }
}
