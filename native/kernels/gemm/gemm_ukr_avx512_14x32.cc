// AVX-512 micro-kernel, 14x32 register tile: 28 zmm accumulators (14 rows x 2 vectors of 16),
// 2 zmm for the B row, 1 for the broadcast A element = 31 of the 32 zmm registers. Each step of k
// is 28 FMAs for 2 loads of B and 14 broadcasts of A, which two 512-bit FMA pipes and the load
// ports of a Zen 5 or Skylake-X core sustain at one tile step per 14 cycles.
// Compiled with -mavx512f -mavx512vl -mavx512bw -mavx512dq -mfma -mavx2 and reached only through
// run-time dispatch (gemm.cc, when cpu_features reports AVX-512).
//
// Edge tiles: fewer rows run a tile with only those rows (a template per row count, the same
// FMA chain per element); fewer columns use the same code with masked loads and stores of C, so
// the B panel (zero-padded when packed) is read whole and C outside the tile is never touched.
// Every element is reduced over k in order 0..kc-1 whatever rows and cols are.
//
// ODR hazard: this TU must not instantiate any inline function or template shared with baseline
// code (no std headers). Helpers are static (internal linkage, never a weak symbol); the only
// external symbol is ukr_avx512_14x32.
#include <immintrin.h>

#include "gemm_internal.h"

namespace myelin {
namespace gemm_detail {

static constexpr int kMr = kBlocksAvx512.mr;
static constexpr int kNr = kBlocksAvx512.nr;
static constexpr int kVecs = kNr / 16;  // zmm vectors per row of the tile
static_assert(kNr % 16 == 0 && kMr * kVecs + kVecs + 1 <= 32, "the tile must fit in 32 zmm");

// c (R x kNr, row stride ldc; columns limited by mask[v] for vector v) =
// alpha * (a * b) + beta * c, or alpha * (a * b) when beta == 0 (c not read). a is kMr x kc
// packed k-major (only its first R rows are used), b is kc x kNr k-major with rows b_rs floats
// apart. Accumulators are indexed by constants only (fully unrolled), so they stay in registers.
template <int R>
static inline __attribute__((always_inline)) void tile(float* c, const float* a, const float* b,
                                                        long b_rs, int kc, long ldc, float alpha,
                                                        float beta, const __mmask16* mask) {
  __m512 acc[R][kVecs];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) acc[r][v] = _mm512_setzero_ps();

  // The C tile is written once at the end; start pulling it in now so the stores do not stall.
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + kNr - 1), _MM_HINT_T0);
  }

#pragma GCC unroll 4
  for (int p = 0; p < kc; ++p) {
    __m512 bv[kVecs];
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) bv[v] = _mm512_loadu_ps(b + 16 * v);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m512 ar = _mm512_set1_ps(a[r]);
#pragma GCC unroll 4
      for (int v = 0; v < kVecs; ++v) acc[r][v] = _mm512_fmadd_ps(ar, bv[v], acc[r][v]);
    }
    a += kMr;
    b += b_rs;
  }

  const __m512 va = _mm512_set1_ps(alpha);
  if (beta == 0.0f) {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < kVecs; ++v)
        _mm512_mask_storeu_ps(c + r * ldc + 16 * v, mask[v], _mm512_mul_ps(va, acc[r][v]));
  } else {
    const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
      for (int v = 0; v < kVecs; ++v) {
        float* cv = c + r * ldc + 16 * v;
        const __m512 old = _mm512_maskz_loadu_ps(mask[v], cv);
        _mm512_mask_storeu_ps(cv, mask[v], _mm512_fmadd_ps(va, acc[r][v], _mm512_mul_ps(vb, old)));
      }
  }
}

// tile<rows> for 1 <= rows <= R.
template <int R>
static void tile_rows(int rows, float* c, const float* a, const float* b, long b_rs, int kc,
                      long ldc, float alpha, float beta, const __mmask16* mask) {
  if constexpr (R > 1) {
    if (rows < R) {
      tile_rows<R - 1>(rows, c, a, b, b_rs, kc, ldc, alpha, beta, mask);
      return;
    }
  }
  tile<R>(c, a, b, b_rs, kc, ldc, alpha, beta, mask);
}

void ukr_avx512_14x32(float* c, const float* a_panel, const float* b_panel, int b_rs, int kc,
                      int ldc, int rows, int cols, float alpha, float beta) {
  __mmask16 mask[kVecs];
  for (int v = 0; v < kVecs; ++v) {
    const int live = cols - 16 * v;
    mask[v] = live >= 16 ? static_cast<__mmask16>(0xFFFF)
              : live > 0 ? static_cast<__mmask16>((1u << live) - 1u)
                         : static_cast<__mmask16>(0);
  }
  if (rows == kMr) {
    tile<kMr>(c, a_panel, b_panel, b_rs, kc, ldc, alpha, beta, mask);
    return;
  }
  tile_rows<kMr - 1>(rows, c, a_panel, b_panel, b_rs, kc, ldc, alpha, beta, mask);
}

}  // namespace gemm_detail
}  // namespace myelin
