// AVX2+FMA micro-kernel, 6x16 register tile: 12 ymm accumulators (6 rows x 2 vectors of 8),
// 2 ymm for the B row, 1 for the broadcast A element = 15 of the 16 ymm registers.
// Also the small-m kernel without packing, 3x32 (up to 12 accumulators), for batch-1 inference.
// Compiled with -mavx2 -mfma and reached only through run-time dispatch (gemm.cc).
//
// ODR hazard: this TU must not instantiate any inline function or template shared with baseline
// code (no std headers). Helpers, the sup_tile template included, are static (internal linkage,
// never a weak symbol); the only external symbols are ukr_avx2_6x16 and sup_avx2_3x32.
#include <immintrin.h>

#include "gemm_internal.h"

namespace myelin {
namespace gemm_detail {

static constexpr int kMr = kBlocksAvx2.mr;
static constexpr int kNr = kBlocksAvx2.nr;
static_assert(kMr == 6 && kNr == 16, "tile_6x16 is written out for exactly 6 rows x 2 vectors");

// c (6 x 16, row stride ldc) = alpha * (a * b) + beta * c, or alpha * (a * b) when beta == 0
// (c not read). a is 6 x kc packed k-major, b is kc x 16 packed k-major.
static inline __attribute__((always_inline)) void tile_6x16(float* c, const float* a,
                                                             const float* b, int kc, int ldc,
                                                             float alpha, float beta) {
  __m256 c00 = _mm256_setzero_ps(), c01 = _mm256_setzero_ps();
  __m256 c10 = _mm256_setzero_ps(), c11 = _mm256_setzero_ps();
  __m256 c20 = _mm256_setzero_ps(), c21 = _mm256_setzero_ps();
  __m256 c30 = _mm256_setzero_ps(), c31 = _mm256_setzero_ps();
  __m256 c40 = _mm256_setzero_ps(), c41 = _mm256_setzero_ps();
  __m256 c50 = _mm256_setzero_ps(), c51 = _mm256_setzero_ps();

  // The C tile is written once at the end; start pulling it in now so the stores do not stall.
  for (int r = 0; r < kMr; ++r) {
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + kNr - 1), _MM_HINT_T0);
  }

#pragma GCC unroll 4
  for (int p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_load_ps(b);
    const __m256 b1 = _mm256_load_ps(b + 8);
    __m256 ar = _mm256_broadcast_ss(a + 0);
    c00 = _mm256_fmadd_ps(ar, b0, c00);
    c01 = _mm256_fmadd_ps(ar, b1, c01);
    ar = _mm256_broadcast_ss(a + 1);
    c10 = _mm256_fmadd_ps(ar, b0, c10);
    c11 = _mm256_fmadd_ps(ar, b1, c11);
    ar = _mm256_broadcast_ss(a + 2);
    c20 = _mm256_fmadd_ps(ar, b0, c20);
    c21 = _mm256_fmadd_ps(ar, b1, c21);
    ar = _mm256_broadcast_ss(a + 3);
    c30 = _mm256_fmadd_ps(ar, b0, c30);
    c31 = _mm256_fmadd_ps(ar, b1, c31);
    ar = _mm256_broadcast_ss(a + 4);
    c40 = _mm256_fmadd_ps(ar, b0, c40);
    c41 = _mm256_fmadd_ps(ar, b1, c41);
    ar = _mm256_broadcast_ss(a + 5);
    c50 = _mm256_fmadd_ps(ar, b0, c50);
    c51 = _mm256_fmadd_ps(ar, b1, c51);
    a += kMr;
    b += kNr;
  }

  const __m256 va = _mm256_set1_ps(alpha);
  const __m256 acc[kMr][2] = {{c00, c01}, {c10, c11}, {c20, c21},
                              {c30, c31}, {c40, c41}, {c50, c51}};
  if (beta == 0.0f) {
    for (int r = 0; r < kMr; ++r) {
      _mm256_storeu_ps(c + r * ldc, _mm256_mul_ps(va, acc[r][0]));
      _mm256_storeu_ps(c + r * ldc + 8, _mm256_mul_ps(va, acc[r][1]));
    }
  } else {
    const __m256 vb = _mm256_set1_ps(beta);
    for (int r = 0; r < kMr; ++r) {
      float* cr = c + r * ldc;
      _mm256_storeu_ps(cr, _mm256_fmadd_ps(va, acc[r][0], _mm256_mul_ps(vb, _mm256_loadu_ps(cr))));
      _mm256_storeu_ps(cr + 8,
                       _mm256_fmadd_ps(va, acc[r][1], _mm256_mul_ps(vb, _mm256_loadu_ps(cr + 8))));
    }
  }
}

void ukr_avx2_6x16(float* c, const float* a_panel, const float* b_panel, int kc, int ldc,
                   int rows, int cols, float alpha, float beta) {
  if (rows == kMr && cols == kNr) {
    tile_6x16(c, a_panel, b_panel, kc, ldc, alpha, beta);
    return;
  }
  // Edge tile: run the same full-tile code on a private 6x16 copy, so the arithmetic (and so
  // the bits) match a full tile, and copy back only the rows x cols that exist in C.
  alignas(32) float tile[kMr * kNr];
  for (int i = 0; i < kMr * kNr; ++i) tile[i] = 0.0f;
  if (beta != 0.0f) {
    for (int r = 0; r < rows; ++r)
      for (int j = 0; j < cols; ++j) tile[r * kNr + j] = c[r * ldc + j];
  }
  tile_6x16(tile, a_panel, b_panel, kc, kNr, alpha, beta);
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < cols; ++j) c[r * ldc + j] = tile[r * kNr + j];
}

// Lane mask of the 8 columns starting at col0 that are below cols (all set, or a prefix).
static inline __attribute__((always_inline)) __m256i column_mask(int col0, int cols) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(cols - col0), lane);
}

// kRows x 32 tile straight from unpacked A and B. kRows is a compile-time constant at every
// call, so rows that do not exist cost nothing. Masked loads and stores keep the columns past
// cols untouched (a masked-off lane never faults), and every element is computed by the same
// instructions whatever cols is.
template <int kRows>
static inline __attribute__((always_inline)) void sup_tile(float* c, const float* a, int a_rs,
                                                           int a_cs, const float* b, int ldb,
                                                           int k, int ldc, int cols, float alpha,
                                                           float beta) {
  constexpr int kVecs = kSupCols / 8;
  __m256i mask[kVecs];
  for (int v = 0; v < kVecs; ++v) mask[v] = column_mask(v * 8, cols);
  __m256 acc[kRows][kVecs];
  for (int r = 0; r < kRows; ++r)
    for (int v = 0; v < kVecs; ++v) acc[r][v] = _mm256_setzero_ps();

  for (int p = 0; p < k; ++p) {
    const float* b_row = b + static_cast<long>(p) * ldb;
    __m256 bv[kVecs];
    for (int v = 0; v < kVecs; ++v) bv[v] = _mm256_maskload_ps(b_row + v * 8, mask[v]);
    for (int r = 0; r < kRows; ++r) {
      const __m256 ar = _mm256_broadcast_ss(a + static_cast<long>(r) * a_rs +
                                            static_cast<long>(p) * a_cs);
      for (int v = 0; v < kVecs; ++v) acc[r][v] = _mm256_fmadd_ps(ar, bv[v], acc[r][v]);
    }
  }

  const __m256 va = _mm256_set1_ps(alpha);
  const __m256 vb = _mm256_set1_ps(beta);
  for (int r = 0; r < kRows; ++r) {
    float* cr = c + static_cast<long>(r) * ldc;
    for (int v = 0; v < kVecs; ++v) {
      const __m256 out =
          beta == 0.0f
              ? _mm256_mul_ps(va, acc[r][v])
              : _mm256_fmadd_ps(va, acc[r][v],
                                _mm256_mul_ps(vb, _mm256_maskload_ps(cr + v * 8, mask[v])));
      _mm256_maskstore_ps(cr + v * 8, mask[v], out);
    }
  }
}

void sup_avx2_3x32(float* c, const float* a, int a_rs, int a_cs, const float* b, int ldb, int k,
                   int ldc, int rows, int cols, float alpha, float beta) {
  switch (rows) {
    case 1: sup_tile<1>(c, a, a_rs, a_cs, b, ldb, k, ldc, cols, alpha, beta); break;
    case 2: sup_tile<2>(c, a, a_rs, a_cs, b, ldb, k, ldc, cols, alpha, beta); break;
    default: sup_tile<3>(c, a, a_rs, a_cs, b, ldb, k, ldc, cols, alpha, beta); break;
  }
}

}  // namespace gemm_detail
}  // namespace myelin
