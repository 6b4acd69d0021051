// The bias and ReLU of a GemmEpilogue on the AVX-512 path, applied by the GEMM driver (gemm.cc)
// to each block computed by a path without packing (the micro-kernel applies them itself, in
// registers). finish_generic (gemm.cc) is the same in scalar code, with the same bits: one float
// add, then max(x, 0), which maps NaN and -0 to +0 exactly as `x > 0 ? x : 0` does (vmaxps
// returns its second operand when either is NaN or both are 0).
// Compiled with the AVX-512 flags of the avx512 unit (native/sources.json) and reached only
// through run-time dispatch.
//
// ODR hazard: no std headers, no inline function shared with baseline code; the only external
// symbol is finish_avx512.
#include <immintrin.h>

#include "gemm_internal.h"

// GCC 12's _mm512_max_ps passes _mm512_undefined_ps(), a self-initialized variable, as the unused
// merge operand, which -Wmaybe-uninitialized reports once inlined (GCC bug 105593, fixed in 13).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace myelin {
namespace gemm_detail {

namespace {

// Columns [j, j + 16) of the rows, limited by mask m unless kFull: plain loads and stores for
// whole vectors (masked ones cost more on Zen 5).
template <bool kFull>
inline __attribute__((always_inline)) void finish_columns(float* col, long ldc, const float* bias,
                                                          bool relu, int rows, __mmask16 m) {
  const __m512 zero = _mm512_setzero_ps();
  const __m512 b = bias == nullptr ? zero
                   : kFull         ? _mm512_loadu_ps(bias)
                                   : _mm512_maskz_loadu_ps(m, bias);
  for (int i = 0; i < rows; ++i, col += ldc) {
    __m512 x = kFull ? _mm512_loadu_ps(col) : _mm512_maskz_loadu_ps(m, col);
    if (bias != nullptr) x = _mm512_add_ps(x, b);
    if (relu) x = _mm512_max_ps(x, zero);
    if (kFull) {
      _mm512_storeu_ps(col, x);
    } else {
      _mm512_mask_storeu_ps(col, m, x);
    }
  }
}

}  // namespace

void finish_avx512(float* c, int ldc, const float* bias, bool relu, int rows, int cols) {
  int j = 0;
  for (; j + 16 <= cols; j += 16) {
    finish_columns<true>(c + j, ldc, bias == nullptr ? nullptr : bias + j, relu, rows, 0);
  }
  if (j < cols) {
    const __mmask16 m = static_cast<__mmask16>((1u << (cols - j)) - 1u);
    finish_columns<false>(c + j, ldc, bias == nullptr ? nullptr : bias + j, relu, rows, m);
  }
}

}  // namespace gemm_detail
}  // namespace myelin
