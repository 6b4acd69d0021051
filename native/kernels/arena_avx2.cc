// AVX2+FMA loops over one chunk of an arena other than the optimizer updates (those are in
// optimizers_avx2.cc): the gradient clipping pass and the sum of squares (contracts in
// arena_internal.h). Compiled with -mavx2 -mfma and reached only through run-time dispatch
// (clipping.cc, reductions.cc). count = floats in the chunk.
//
// The scalar tails spell out the same operations as the 8-wide bodies, so an element's result
// never depends on where the chunk ends.
//
// ODR hazard: this TU must not instantiate any inline function or template shared with baseline
// code, so it includes only <immintrin.h> and a declaration-only header, and its helpers are
// static. The only external symbols are the *_avx2 functions of arena_internal.h.
#include <immintrin.h>

#include "arena_internal.h"

namespace myelin {
namespace arena_detail {

// Both clamps put the bound first: _mm256_min_ps(a, b) is a < b ? a : b, so a NaN x comes out
// as itself, never as a bound (the tail spells the same comparisons).
void scale_clamp_chunk_avx2(float* x, std::int64_t count, float scale, float limit) {
  const __m256 vscale = _mm256_set1_ps(scale);
  const __m256 vhi = _mm256_set1_ps(limit), vlo = _mm256_set1_ps(-limit);
  std::int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 y = _mm256_mul_ps(_mm256_loadu_ps(x + i), vscale);
    _mm256_storeu_ps(x + i, _mm256_max_ps(vlo, _mm256_min_ps(vhi, y)));
  }
  for (; i < count; ++i) {
    float y = x[i] * scale;
    y = limit < y ? limit : y;
    x[i] = -limit > y ? -limit : y;
  }
}

// Each float is widened to double before it is squared: a float32 square cannot overflow a
// double, so the sum is finite exactly when every input is, and NaN or infinity carries through.
// Eight independent accumulators (32 floats a step) keep both FMA pipes busy past the FMA
// latency; the order of the final additions depends on count only.
double sum_of_squares_chunk_avx2(const float* x, std::int64_t count) {
  __m256d acc[8];
  for (int k = 0; k < 8; ++k) acc[k] = _mm256_setzero_pd();
  std::int64_t i = 0;
  for (; i + 32 <= count; i += 32) {
    for (int k = 0; k < 8; ++k) {
      const __m256d d = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4 * k));
      acc[k] = _mm256_fmadd_pd(d, d, acc[k]);
    }
  }
  for (; i + 8 <= count; i += 8) {
    const __m256d lo = _mm256_cvtps_pd(_mm_loadu_ps(x + i));
    const __m256d hi = _mm256_cvtps_pd(_mm_loadu_ps(x + i + 4));
    acc[0] = _mm256_fmadd_pd(lo, lo, acc[0]);
    acc[1] = _mm256_fmadd_pd(hi, hi, acc[1]);
  }
  double tail = 0.0;
  for (; i < count; ++i) {
    const double d = x[i];
    tail = __builtin_fma(d, d, tail);
  }
  for (int k = 0; k < 4; ++k) acc[k] = _mm256_add_pd(acc[k], acc[k + 4]);
  const __m256d s = _mm256_add_pd(_mm256_add_pd(acc[0], acc[1]), _mm256_add_pd(acc[2], acc[3]));
  const __m128d s2 = _mm_add_pd(_mm256_castpd256_pd128(s), _mm256_extractf128_pd(s, 1));
  return _mm_cvtsd_f64(_mm_add_sd(s2, _mm_unpackhi_pd(s2, s2))) + tail;
}

}  // namespace arena_detail
}  // namespace myelin
