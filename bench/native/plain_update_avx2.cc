// The plain updates in place that bench:optimizers times beside the library's steps
// (optimizer_bench.cc): Adam without weight decay or AMSGrad, and SGD with momentum (not
// Nesterov), as the AVX2 loops ran before the steps became all or nothing: no old parameters
// kept, slots updated in place, nothing checked. Bench-only; compiled with -mavx2 -mfma
// (CMakeLists.txt). As in native/kernels/optimizers_avx2.cc, this TU includes no header that
// defines an inline function, so nothing compiled here can stand in for baseline code.
#include <immintrin.h>

#include <cstdint>

namespace myelin_bench {

// m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  p -= lr_t m / (sqrt(v) + epsilon)
void adam_in_place_avx2(float* p, float* m, float* v, const float* g, std::int64_t count,
                        float lr_t, float beta1, float beta2, float epsilon) {
  const float c1 = 1.0f - beta1, c2 = 1.0f - beta2;
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
    m[i] = __builtin_fmaf(beta1, m[i], c1 * g[i]);
    v[i] = __builtin_fmaf(c2 * g[i], g[i], beta2 * v[i]);
    p[i] -= lr_t * m[i] / (__builtin_sqrtf(v[i]) + epsilon);
  }
}

// v = momentum v - lr g;  p += v
void sgd_momentum_in_place_avx2(float* p, float* v, const float* g, std::int64_t count, float lr,
                                float momentum) {
  const __m256 vlr = _mm256_set1_ps(lr), vmu = _mm256_set1_ps(momentum);
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

}  // namespace myelin_bench
