// The NEON FMA-chain loop behind fma_peak_gflops on AArch64. Sixteen chains hide the FMA latency
// (4 cycles) behind four 128-bit FMA pipes (Neoverse V1, Apple's performance cores). As in
// fma_peak_avx2.cc, the chains start from different values and are folded into the result so the
// compiler can neither drop nor merge them.
#include <arm_neon.h>

#include "fma_peak_internal.h"

namespace myelin {
namespace peak_detail {

float fma_chains_neon(long long iterations, float seed) {
  constexpr int kChains = 16;
  const float32x4_t mul = vdupq_n_f32(0.999999f);
  const float32x4_t add = vdupq_n_f32(1e-7f);
  float32x4_t c[kChains];
  for (int j = 0; j < kChains; ++j) c[j] = vdupq_n_f32(seed + static_cast<float>(j));
  for (long long i = 0; i < iterations; ++i) {
#pragma GCC unroll 16
    for (int j = 0; j < kChains; ++j) c[j] = vfmaq_f32(add, c[j], mul);
  }
  for (int j = 1; j < kChains; ++j) c[0] = vaddq_f32(c[0], c[j]);
  return vaddvq_f32(c[0]);
}

}  // namespace peak_detail
}  // namespace myelin
