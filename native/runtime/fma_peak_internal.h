// Declaration-only contract between fma_peak.cc (baseline), fma_peak_avx2.cc (-mavx2 -mfma) and
// fma_peak_avx512.cc (-mavx512f ...) and fma_peak_neon.cc (AArch64);
// see the ODR hazard in native/kernels/gemm/gemm_internal.h: nothing inline here.
#pragma once

namespace myelin {
namespace peak_detail {

// Runs `iterations` rounds of 12 independent 8-wide FMA chains (2 * 8 * 12 flops per round);
// returns a value derived from every chain so the compiler cannot drop or merge them.
float fma_chains_avx2(long long iterations, float seed);

// The same with 16-wide (zmm) chains: 2 * 16 * 12 flops per round. AVX-512 CPUs only.
float fma_chains_avx512(long long iterations, float seed);

// 16 independent 4-wide NEON chains: 2 * 4 * 16 flops per round. AArch64 only.
float fma_chains_neon(long long iterations, float seed);

}  // namespace peak_detail
}  // namespace myelin
