// The machine's floating-point ceiling, measured rather than assumed: benchmarks report kernels
// as a share of what the same cores reach, in the same run, on a loop that does nothing but FMAs.
#pragma once

namespace myelin {

// GFLOP/s of `threads` threads (on the thread pool) each running independent chains of
// single-precision FMAs for about `milliseconds`: on x86-64 12 chains, 16-wide (zmm) when the
// active path is avx512, so kernels are compared with the peak of the instructions they use,
// else 8-wide (ymm) when the CPU has AVX2+FMA, else 0 (no FMA to speak of); on AArch64 16 chains
// 4-wide (NEON q registers: 4 FMA pipes of 4-cycle latency on a Neoverse V1 or an Apple core).
double fma_peak_gflops(int threads, double milliseconds);

}  // namespace myelin
