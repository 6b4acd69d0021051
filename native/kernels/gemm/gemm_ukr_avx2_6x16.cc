// AVX2+FMA micro-kernel, 6x16 register tile: 12 ymm accumulators (6 rows x 2 vectors of 8),
// 2 ymm for the B row, 1 for the broadcast A element = 15 of the 16 ymm registers.
// Compiled with -mavx2 -mfma and reached only through run-time dispatch (gemm.cc).
//
// ODR hazard: this TU must not instantiate any inline function or template shared with baseline
// code (no std headers). Helpers are static (internal linkage, never a weak symbol); the only
// external symbol is ukr_avx2_6x16.
#include <immintrin.h>

#include "gemm_internal.h"

namespace myelin {
namespace gemm_detail {

static constexpr int kMr = kBlocksAvx2.mr;
static constexpr int kNr = kBlocksAvx2.nr;
static_assert(kMr == 6 && kNr == 16, "tile_6x16 is written out for exactly 6 rows x 2 vectors");

// c (6 x 16, row stride ldc) = alpha * (a * b) + beta * c, or alpha * (a * b) when beta == 0
// (c not read). a is 6 x kc packed k-major, b is kc x 16 k-major with rows b_rs floats apart.
static inline __attribute__((always_inline)) void tile_6x16(float* c, const float* a,
                                                             const float* b, long b_rs, int kc,
                                                             int ldc, float alpha, float beta) {
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
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = _mm256_loadu_ps(b + 8);
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
    b += b_rs;
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

// The first R < 6 rows of a full-width tile, straight into C: the arithmetic of tile_6x16 for
// those rows (the same FMA chain and finishing per element), without computing rows that do not
// exist. Accumulators are indexed by constants only (fully unrolled), so they stay in registers.
template <int R>
static inline __attribute__((always_inline)) void tile_rx16(float* c, const float* a,
                                                             const float* b, long b_rs, int kc,
                                                             int ldc, float alpha, float beta) {
  __m256 acc[R][2];
#pragma GCC unroll 6
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm256_setzero_ps();
#pragma GCC unroll 4
  for (int p = 0; p < kc; ++p) {
    const __m256 b0 = _mm256_loadu_ps(b);
    const __m256 b1 = _mm256_loadu_ps(b + 8);
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
      const __m256 ar = _mm256_broadcast_ss(a + r);
      acc[r][0] = _mm256_fmadd_ps(ar, b0, acc[r][0]);
      acc[r][1] = _mm256_fmadd_ps(ar, b1, acc[r][1]);
    }
    a += kMr;
    b += b_rs;
  }
  const __m256 va = _mm256_set1_ps(alpha);
  if (beta == 0.0f) {
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
      _mm256_storeu_ps(c + r * ldc, _mm256_mul_ps(va, acc[r][0]));
      _mm256_storeu_ps(c + r * ldc + 8, _mm256_mul_ps(va, acc[r][1]));
    }
  } else {
    const __m256 vb = _mm256_set1_ps(beta);
#pragma GCC unroll 6
    for (int r = 0; r < R; ++r) {
      float* cr = c + r * ldc;
      _mm256_storeu_ps(cr, _mm256_fmadd_ps(va, acc[r][0], _mm256_mul_ps(vb, _mm256_loadu_ps(cr))));
      _mm256_storeu_ps(cr + 8,
                       _mm256_fmadd_ps(va, acc[r][1], _mm256_mul_ps(vb, _mm256_loadu_ps(cr + 8))));
    }
  }
}

static void tile_any(float* c, const float* a_panel, const float* b_panel, int b_rs, int kc,
                     int ldc, int rows, int cols, float alpha, float beta) {
  if (rows == kMr && cols == kNr) {
    tile_6x16(c, a_panel, b_panel, b_rs, kc, ldc, alpha, beta);
    return;
  }
  if (cols == kNr) {
    switch (rows) {
      case 1: tile_rx16<1>(c, a_panel, b_panel, b_rs, kc, ldc, alpha, beta); return;
      case 2: tile_rx16<2>(c, a_panel, b_panel, b_rs, kc, ldc, alpha, beta); return;
      case 3: tile_rx16<3>(c, a_panel, b_panel, b_rs, kc, ldc, alpha, beta); return;
      case 4: tile_rx16<4>(c, a_panel, b_panel, b_rs, kc, ldc, alpha, beta); return;
      default: tile_rx16<5>(c, a_panel, b_panel, b_rs, kc, ldc, alpha, beta); return;
    }
  }
  // Edge columns: run the same full-tile code on a private 6x16 copy, so the arithmetic (and so
  // the bits) match a full tile, and copy back only the rows x cols that exist in C.
  alignas(32) float tile[kMr * kNr];
  for (int i = 0; i < kMr * kNr; ++i) tile[i] = 0.0f;
  if (beta != 0.0f) {
    for (int r = 0; r < rows; ++r)
      for (int j = 0; j < cols; ++j) tile[r * kNr + j] = c[r * ldc + j];
  }
  tile_6x16(tile, a_panel, b_panel, b_rs, kc, kNr, alpha, beta);
  for (int r = 0; r < rows; ++r)
    for (int j = 0; j < cols; ++j) c[r * ldc + j] = tile[r * kNr + j];
}

// The epilogue's bias and ReLU go on in a pass over the stored tile while it is in L1
// (finish_generic, baseline code); only the AVX-512 kernel takes them into its registers.
void ukr_avx2_6x16(float* c, const float* a_panel, const float* b_panel, int b_rs, int kc, int ldc,
                   int rows, int cols, float alpha, float beta, const float* bias, bool relu) {
  tile_any(c, a_panel, b_panel, b_rs, kc, ldc, rows, cols, alpha, beta);
  if (bias != nullptr || relu) finish_generic(c, ldc, bias, relu, rows, cols);
}

}  // namespace gemm_detail
}  // namespace myelin
