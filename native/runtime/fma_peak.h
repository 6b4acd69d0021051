// The machine's floating-point ceiling, measured rather than assumed: benchmarks report kernels
// as a share of what the same cores reach, in the same run, on a loop that does nothing but FMAs.
#pragma once

namespace myelin {

// GFLOP/s of `threads` threads (on the thread pool) each running 12 independent chains of
// 8-wide single-precision FMAs for about `milliseconds`. The AVX2+FMA loop when the CPU has it,
// else 0 (the generic path has no FMA peak to speak of).
double fma_peak_gflops(int threads, double milliseconds);

}  // namespace myelin
