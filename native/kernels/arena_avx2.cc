// AVX2+FMA loops over one chunk of the parameter arena: the SGD and Adam updates and the sum of
// squares (contracts in arena_internal.h). Compiled with -mavx2 -mfma and reached only through
// run-time dispatch (optimizers.cc, reductions.cc). count = floats in the chunk.
//
// The scalar tails spell out the same operations as the 8-wide bodies (__builtin_fmaf is one
// vfmadd under -mfma; a plain a * b + c would be fused or not at the compiler's choice), so an
// element's result never depends on where the chunk ends. Adam uses true
// sqrt and division, never the rsqrt/rcp approximations: the update must be the float32 formula
// to normal rounding.
//
// ODR hazard: this TU must not instantiate any inline function or template shared with baseline
// code, so it includes only <immintrin.h> and a declaration-only header, and its helpers are
// static. The only external symbols are the *_avx2 functions of arena_internal.h.
#include <immintrin.h>

#include "arena_internal.h"

namespace myelin {
namespace arena_detail {

void sgd_chunk_avx2(float* p, const float* g, std::int64_t count, float lr) {
  const __m256 vlr = _mm256_set1_ps(lr);
  std::int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    _mm256_storeu_ps(p + i, _mm256_fnmadd_ps(vlr, _mm256_loadu_ps(g + i), _mm256_loadu_ps(p + i)));
  }
  for (; i < count; ++i) p[i] = __builtin_fmaf(-lr, g[i], p[i]);
}

void sgd_momentum_chunk_avx2(float* p, float* v, const float* g, std::int64_t count, float lr,
                             float momentum) {
  const __m256 vlr = _mm256_set1_ps(lr);
  const __m256 vmu = _mm256_set1_ps(momentum);
  std::int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 vel = _mm256_fmsub_ps(vmu, _mm256_loadu_ps(v + i),
                                       _mm256_mul_ps(vlr, _mm256_loadu_ps(g + i)));
    _mm256_storeu_ps(v + i, vel);
    _mm256_storeu_ps(p + i, _mm256_add_ps(_mm256_loadu_ps(p + i), vel));
  }
  for (; i < count; ++i) {
    v[i] = __builtin_fmaf(momentum, v[i], -(lr * g[i]));
    p[i] += v[i];
  }
}

void adam_chunk_avx2(float* p, float* m, float* v, const float* g, std::int64_t count,
                     float lr_t, float beta1, float beta2, float epsilon) {
  const float c1 = 1.0f - beta1;
  const float c2 = 1.0f - beta2;
  const __m256 vb1 = _mm256_set1_ps(beta1), vc1 = _mm256_set1_ps(c1);
  const __m256 vb2 = _mm256_set1_ps(beta2), vc2 = _mm256_set1_ps(c2);
  const __m256 vlr = _mm256_set1_ps(lr_t), veps = _mm256_set1_ps(epsilon);
  std::int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 gi = _mm256_loadu_ps(g + i);
    const __m256 mi = _mm256_fmadd_ps(vb1, _mm256_loadu_ps(m + i), _mm256_mul_ps(vc1, gi));
    const __m256 vi =
        _mm256_fmadd_ps(_mm256_mul_ps(vc2, gi), gi, _mm256_mul_ps(vb2, _mm256_loadu_ps(v + i)));
    const __m256 step =
        _mm256_div_ps(_mm256_mul_ps(vlr, mi), _mm256_add_ps(_mm256_sqrt_ps(vi), veps));
    _mm256_storeu_ps(m + i, mi);
    _mm256_storeu_ps(v + i, vi);
    _mm256_storeu_ps(p + i, _mm256_sub_ps(_mm256_loadu_ps(p + i), step));
  }
  for (; i < count; ++i) {
    const float gi = g[i];
    m[i] = __builtin_fmaf(beta1, m[i], c1 * gi);
    v[i] = __builtin_fmaf(c2 * gi, gi, beta2 * v[i]);
    p[i] -= lr_t * m[i] / (__builtin_sqrtf(v[i]) + epsilon);
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
