// Declaration-only contract between fma_peak.cc (baseline) and fma_peak_avx2.cc (-mavx2 -mfma);
// see the ODR hazard in native/kernels/gemm/gemm_internal.h: nothing inline here.
#pragma once

namespace myelin {
namespace peak_detail {

// Runs `iterations` rounds of 12 independent 8-wide FMA chains (2 * 8 * 12 flops per round);
// returns a value derived from every chain so the compiler cannot drop or merge them.
float fma_chains_avx2(long long iterations, float seed);

}  // namespace peak_detail
}  // namespace myelin
