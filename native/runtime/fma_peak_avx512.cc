// The 512-bit FMA-chain loop behind fma_peak_gflops on the avx512 path, compiled with -mavx512f
// (and the rest of the avx512 unit's flags). Twelve chains hide the FMA latency (4 cycles)
// behind two 512-bit FMA pipes. As in fma_peak_avx2.cc, the chains start from different values
// and are folded into the result so the compiler can neither drop nor merge them.
#include <immintrin.h>

#include "fma_peak_internal.h"

namespace myelin {
namespace peak_detail {

float fma_chains_avx512(long long iterations, float seed) {
  const __m512 mul = _mm512_set1_ps(0.999999f);
  const __m512 add = _mm512_set1_ps(1e-7f);
  __m512 c0 = _mm512_set1_ps(seed + 0.0f), c1 = _mm512_set1_ps(seed + 1.0f);
  __m512 c2 = _mm512_set1_ps(seed + 2.0f), c3 = _mm512_set1_ps(seed + 3.0f);
  __m512 c4 = _mm512_set1_ps(seed + 4.0f), c5 = _mm512_set1_ps(seed + 5.0f);
  __m512 c6 = _mm512_set1_ps(seed + 6.0f), c7 = _mm512_set1_ps(seed + 7.0f);
  __m512 c8 = _mm512_set1_ps(seed + 8.0f), c9 = _mm512_set1_ps(seed + 9.0f);
  __m512 c10 = _mm512_set1_ps(seed + 10.0f), c11 = _mm512_set1_ps(seed + 11.0f);
  for (long long i = 0; i < iterations; ++i) {
    c0 = _mm512_fmadd_ps(c0, mul, add);
    c1 = _mm512_fmadd_ps(c1, mul, add);
    c2 = _mm512_fmadd_ps(c2, mul, add);
    c3 = _mm512_fmadd_ps(c3, mul, add);
    c4 = _mm512_fmadd_ps(c4, mul, add);
    c5 = _mm512_fmadd_ps(c5, mul, add);
    c6 = _mm512_fmadd_ps(c6, mul, add);
    c7 = _mm512_fmadd_ps(c7, mul, add);
    c8 = _mm512_fmadd_ps(c8, mul, add);
    c9 = _mm512_fmadd_ps(c9, mul, add);
    c10 = _mm512_fmadd_ps(c10, mul, add);
    c11 = _mm512_fmadd_ps(c11, mul, add);
  }
  const __m512 sum = _mm512_add_ps(
      _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(c0, c1), _mm512_add_ps(c2, c3)),
                    _mm512_add_ps(_mm512_add_ps(c4, c5), _mm512_add_ps(c6, c7))),
      _mm512_add_ps(_mm512_add_ps(c8, c9), _mm512_add_ps(c10, c11)));
  float lanes[16];
  _mm512_storeu_ps(lanes, sum);
  float total = 0.0f;
  for (int i = 0; i < 16; ++i) total += lanes[i];
  return total;
}

}  // namespace peak_detail
}  // namespace myelin
