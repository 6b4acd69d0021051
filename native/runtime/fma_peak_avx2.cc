// The FMA-chain loop behind fma_peak_gflops, compiled with -mavx2 -mfma. Twelve chains hide the
// FMA latency (4 cycles) behind two FMA pipes. The chains start from different values and are
// folded into the result: chains that start equal can be merged by the compiler, which then
// reports a peak that is not there.
#include <immintrin.h>

#include "fma_peak_internal.h"

namespace myelin {
namespace peak_detail {

float fma_chains_avx2(long long iterations, float seed) {
  const __m256 mul = _mm256_set1_ps(0.999999f);
  const __m256 add = _mm256_set1_ps(1e-7f);
  __m256 c0 = _mm256_set1_ps(seed + 0.0f), c1 = _mm256_set1_ps(seed + 1.0f);
  __m256 c2 = _mm256_set1_ps(seed + 2.0f), c3 = _mm256_set1_ps(seed + 3.0f);
  __m256 c4 = _mm256_set1_ps(seed + 4.0f), c5 = _mm256_set1_ps(seed + 5.0f);
  __m256 c6 = _mm256_set1_ps(seed + 6.0f), c7 = _mm256_set1_ps(seed + 7.0f);
  __m256 c8 = _mm256_set1_ps(seed + 8.0f), c9 = _mm256_set1_ps(seed + 9.0f);
  __m256 c10 = _mm256_set1_ps(seed + 10.0f), c11 = _mm256_set1_ps(seed + 11.0f);
  for (long long i = 0; i < iterations; ++i) {
    c0 = _mm256_fmadd_ps(c0, mul, add);
    c1 = _mm256_fmadd_ps(c1, mul, add);
    c2 = _mm256_fmadd_ps(c2, mul, add);
    c3 = _mm256_fmadd_ps(c3, mul, add);
    c4 = _mm256_fmadd_ps(c4, mul, add);
    c5 = _mm256_fmadd_ps(c5, mul, add);
    c6 = _mm256_fmadd_ps(c6, mul, add);
    c7 = _mm256_fmadd_ps(c7, mul, add);
    c8 = _mm256_fmadd_ps(c8, mul, add);
    c9 = _mm256_fmadd_ps(c9, mul, add);
    c10 = _mm256_fmadd_ps(c10, mul, add);
    c11 = _mm256_fmadd_ps(c11, mul, add);
  }
  const __m256 sum = _mm256_add_ps(
      _mm256_add_ps(_mm256_add_ps(_mm256_add_ps(c0, c1), _mm256_add_ps(c2, c3)),
                    _mm256_add_ps(_mm256_add_ps(c4, c5), _mm256_add_ps(c6, c7))),
      _mm256_add_ps(_mm256_add_ps(c8, c9), _mm256_add_ps(c10, c11)));
  float lanes[8];
  _mm256_storeu_ps(lanes, sum);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3] + lanes[4] + lanes[5] + lanes[6] + lanes[7];
}

}  // namespace peak_detail
}  // namespace myelin
