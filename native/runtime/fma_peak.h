// The machine's floating-point ceiling, measured rather than assumed: benchmarks report kernels
// as a share of what the same cores reach, in the same run, on a loop that does nothing but FMAs.
#pragma once

namespace myelin {

// GFLOP/s of `threads` threads (on the thread pool) each running 12 independent chains of
// single-precision FMAs for about `milliseconds`: 16-wide (zmm) when the active path is avx512,
// so kernels are compared with the peak of the instructions they use, else 8-wide (ymm) when the
// CPU has AVX2+FMA, else 0 (the generic path has no FMA peak to speak of).
double fma_peak_gflops(int threads, double milliseconds);

}  // namespace myelin
