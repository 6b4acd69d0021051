// AVX-512 kernel of the path without packing ("sup" in BLIS) for layers with few units: C has at
// most 16 columns (n <= kSupMaxN), so one zmm register holds a whole row of C, its columns past n
// masked off. Rows of C are sums of rows of B (B contiguous along n, a few KiB that stay in L1);
// op(A) is read where it lies, by strides, one broadcast per row and step of k.
// m = rows of C, n = columns of C, k = the reduced dimension.
// Compiled with the AVX-512 flags of the avx512 unit (native/sources.json) and reached only
// through run-time dispatch (gemm.cc).
//
// Determinism: every element is reduced in one FMA chain over p = 0..k-1, whatever tile computes
// it, so the driver may cut C anywhere. When beta == 0, C is never read.
//
// ODR hazard: this TU must not instantiate any inline function or template shared with baseline
// code (no std headers). Helpers and templates are in an unnamed namespace (internal linkage).
#include <immintrin.h>

#include "gemm_internal.h"

namespace myelin {
namespace gemm_detail {

namespace {

// R rows of C (row stride ldc), columns masked by `mask`.
template <int R>
inline __attribute__((always_inline)) void narrow_tile(float* c, long ldc, const float* a,
                                                       long a_rs, long a_cs, const float* b,
                                                       long ldb, int k, __mmask16 mask,
                                                       float alpha, float beta) {
  __m512 acc[R];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) acc[r] = _mm512_setzero_ps();
  for (int p = 0; p < k; ++p) {
    const __m512 bv = _mm512_maskz_loadu_ps(mask, b + p * ldb);
    const float* ap = a + p * a_cs;
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) acc[r] = _mm512_fmadd_ps(_mm512_set1_ps(ap[r * a_rs]), bv, acc[r]);
  }
  const __m512 va = _mm512_set1_ps(alpha);
  if (beta == 0.0f) {
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) _mm512_mask_storeu_ps(c + r * ldc, mask, _mm512_mul_ps(va, acc[r]));
  } else {
    const __m512 vb = _mm512_set1_ps(beta);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m512 prior = _mm512_maskz_loadu_ps(mask, c + r * ldc);
      _mm512_mask_storeu_ps(c + r * ldc, mask,
                            _mm512_fmadd_ps(va, acc[r], _mm512_mul_ps(vb, prior)));
    }
  }
}

template <int R>
void narrow_rows(float* c, long ldc, const float* a, long a_rs, long a_cs, const float* b,
                 long ldb, int k, __mmask16 mask, float alpha, float beta) {
  narrow_tile<R>(c, ldc, a, a_rs, a_cs, b, ldb, k, mask, alpha, beta);
}

// C^T form for A stored (k, m), contiguous along m (the weight gradient of a layer with few
// units): 32 rows of C as two zmm per column, c(i, j) for i in the tile accumulated as
// A(p, i..i+15) * B(p, j) broadcast. Rows past `live` are masked off. N = cols.
template <int N>
inline __attribute__((always_inline)) void tall_tile(float* c, long ldc, const float* a, long lda,
                                                     const float* b, long ldb, int k, int live,
                                                     float alpha, float beta) {
  const __mmask16 m0 = live >= 16 ? static_cast<__mmask16>(0xFFFF)
                                  : static_cast<__mmask16>((1u << live) - 1u);
  const __mmask16 m1 = live >= 32   ? static_cast<__mmask16>(0xFFFF)
                       : live <= 16 ? static_cast<__mmask16>(0)
                                    : static_cast<__mmask16>((1u << (live - 16)) - 1u);
  __m512 acc0[N], acc1[N];
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) acc0[j] = acc1[j] = _mm512_setzero_ps();
  for (int p = 0; p < k; ++p) {
    const float* ap = a + p * lda;
    const __m512 a0 = _mm512_maskz_loadu_ps(m0, ap);
    const __m512 a1 = _mm512_maskz_loadu_ps(m1, ap + 16);
    const float* bp = b + p * ldb;
#pragma GCC unroll 16
    for (int j = 0; j < N; ++j) {
      const __m512 bj = _mm512_set1_ps(bp[j]);
      acc0[j] = _mm512_fmadd_ps(a0, bj, acc0[j]);
      acc1[j] = _mm512_fmadd_ps(a1, bj, acc1[j]);
    }
  }
  // Through a buffer: column j of the tile is row j of out.
  alignas(64) float out[N][32];
  const __m512 va = _mm512_set1_ps(alpha);
  const __m512 vb = _mm512_set1_ps(beta);
  const bool read_c = beta != 0.0f;
  const int rows = live < 32 ? live : 32;
  if (read_c) {
    for (int i = 0; i < 32; ++i)
      for (int j = 0; j < N; ++j) out[j][i] = i < rows ? c[i * ldc + j] : 0.0f;
  }
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) {
    const __m512 x0 = read_c ? _mm512_fmadd_ps(va, acc0[j], _mm512_mul_ps(vb, _mm512_load_ps(out[j])))
                             : _mm512_mul_ps(va, acc0[j]);
    const __m512 x1 =
        read_c ? _mm512_fmadd_ps(va, acc1[j], _mm512_mul_ps(vb, _mm512_load_ps(out[j] + 16)))
               : _mm512_mul_ps(va, acc1[j]);
    _mm512_store_ps(out[j], x0);
    _mm512_store_ps(out[j] + 16, x1);
  }
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < N; ++j) c[i * ldc + j] = out[j][i];
}

template <int N>
void tall_rows(float* c, long ldc, const float* a, long lda, const float* b, long ldb, int k,
               int rows, float alpha, float beta) {
  for (int i0 = 0; i0 < rows; i0 += 32) {
    tall_tile<N>(c + i0 * ldc, ldc, a + i0, lda, b, ldb, k, rows - i0, alpha, beta);
  }
}

// One row of C (m == 1), 16 V columns, live <= 16 V: S chains per element (1, 2 or 4), as
// sup_row_avx2 for S = 2 and 4 (chain q sums the steps p = q (mod S) in order, the last k % S
// steps going to chains 0, 1, ...; then c0 + c1, or (c0 + c1) + (c2 + c3)), so those bits match
// the AVX2 path's.
template <int V, int S>
inline __attribute__((always_inline)) void row_tile(float* c, const float* a, long a_cs,
                                                    const float* b, long ldb, int k, int live,
                                                    float alpha, float beta) {
  __mmask16 mask[V];
  for (int v = 0; v < V; ++v) {
    const int l = live - 16 * v;
    mask[v] = l >= 16 ? static_cast<__mmask16>(0xFFFF)
              : l <= 0 ? static_cast<__mmask16>(0)
                       : static_cast<__mmask16>((1u << l) - 1u);
  }
  __m512 acc[S][V];
  for (int q = 0; q < S; ++q)
    for (int v = 0; v < V; ++v) acc[q][v] = _mm512_setzero_ps();
  const int k_main = k - k % S;
  if (live == 16 * V) {
    for (int p = 0; p < k_main; p += S) {
      for (int q = 0; q < S; ++q) {
        const float* brow = b + (p + q) * ldb;
        const __m512 ar = _mm512_set1_ps(a[(p + q) * a_cs]);
        for (int v = 0; v < V; ++v)
          acc[q][v] = _mm512_fmadd_ps(ar, _mm512_loadu_ps(brow + 16 * v), acc[q][v]);
      }
    }
  } else {
    for (int p = 0; p < k_main; p += S) {
      for (int q = 0; q < S; ++q) {
        const float* brow = b + (p + q) * ldb;
        const __m512 ar = _mm512_set1_ps(a[(p + q) * a_cs]);
        for (int v = 0; v < V; ++v)
          acc[q][v] =
              _mm512_fmadd_ps(ar, _mm512_maskz_loadu_ps(mask[v], brow + 16 * v), acc[q][v]);
      }
    }
  }
  for (int q = 0; q < S - 1; ++q) {
    if (k_main + q >= k) break;
    const int p = k_main + q;
    const float* brow = b + p * ldb;
    const __m512 ar = _mm512_set1_ps(a[p * a_cs]);
    for (int v = 0; v < V; ++v)
      acc[q][v] = _mm512_fmadd_ps(ar, _mm512_maskz_loadu_ps(mask[v], brow + 16 * v), acc[q][v]);
  }
  const __m512 va = _mm512_set1_ps(alpha);
  const __m512 vb = _mm512_set1_ps(beta);
  for (int v = 0; v < V; ++v) {
    const __m512 sum = S == 4   ? _mm512_add_ps(_mm512_add_ps(acc[0][v], acc[1 % S][v]),
                                                _mm512_add_ps(acc[2 % S][v], acc[3 % S][v]))
                       : S == 2 ? _mm512_add_ps(acc[0][v], acc[1 % S][v])
                                : acc[0][v];
    const __m512 out =
        beta != 0.0f
            ? _mm512_fmadd_ps(va, sum, _mm512_mul_ps(vb, _mm512_maskz_loadu_ps(mask[v], c + 16 * v)))
            : _mm512_mul_ps(va, sum);
    _mm512_mask_storeu_ps(c + 16 * v, mask[v], out);
  }
}

}  // namespace

void sup_row_avx512(float* c, const float* a, int a_cs, const float* b, int ldb, int k, int cols,
                    float alpha, float beta) {
  constexpr int kPass = 256;  // 16 accumulators of 16 columns: a whole row of a 256-unit layer
  for (int j0 = 0; j0 < cols; j0 += kPass) {
    const int width = cols - j0 < kPass ? cols - j0 : kPass;
    if (width > 128) {
      row_tile<16, 1>(c + j0, a, a_cs, b + j0, ldb, k, width, alpha, beta);
    } else if (width > 16) {
      row_tile<8, 1>(c + j0, a, a_cs, b + j0, ldb, k, width, alpha, beta);
    } else {
      row_tile<1, 4>(c + j0, a, a_cs, b + j0, ldb, k, width, alpha, beta);
    }
  }
}

void sup_narrow_t_avx512(float* c, int ldc, const float* a, int lda, const float* b, int ldb,
                         int k, int rows, int cols, float alpha, float beta) {
  switch (cols) {
#define MYELIN_TALL_CASE(N) \
  case N: tall_rows<N>(c, ldc, a, lda, b, ldb, k, rows, alpha, beta); break;
    MYELIN_TALL_CASE(1)
    MYELIN_TALL_CASE(2)
    MYELIN_TALL_CASE(3)
    MYELIN_TALL_CASE(4)
    MYELIN_TALL_CASE(5)
    MYELIN_TALL_CASE(6)
    MYELIN_TALL_CASE(7)
    MYELIN_TALL_CASE(8)
    MYELIN_TALL_CASE(9)
    MYELIN_TALL_CASE(10)
    MYELIN_TALL_CASE(11)
    MYELIN_TALL_CASE(12)
#undef MYELIN_TALL_CASE
    default: break;
  }
}

void sup_narrow_avx512(float* c, int ldc, const float* a, int a_rs, int a_cs, const float* b,
                       int ldb, int k, int rows, int cols, float alpha, float beta) {
  const __mmask16 mask = static_cast<__mmask16>((1u << cols) - 1u);
  constexpr int kRows = 16;
  int r0 = 0;
  for (; r0 + kRows <= rows; r0 += kRows) {
    narrow_rows<kRows>(c + static_cast<long>(r0) * ldc, ldc, a + static_cast<long>(r0) * a_rs,
                       a_rs, a_cs, b, ldb, k, mask, alpha, beta);
  }
  float* cp = c + static_cast<long>(r0) * ldc;
  const float* ap = a + static_cast<long>(r0) * a_rs;
  switch (rows - r0) {
#define MYELIN_NARROW_CASE(R) \
  case R: narrow_rows<R>(cp, ldc, ap, a_rs, a_cs, b, ldb, k, mask, alpha, beta); break;
    MYELIN_NARROW_CASE(1)
    MYELIN_NARROW_CASE(2)
    MYELIN_NARROW_CASE(3)
    MYELIN_NARROW_CASE(4)
    MYELIN_NARROW_CASE(5)
    MYELIN_NARROW_CASE(6)
    MYELIN_NARROW_CASE(7)
    MYELIN_NARROW_CASE(8)
    MYELIN_NARROW_CASE(9)
    MYELIN_NARROW_CASE(10)
    MYELIN_NARROW_CASE(11)
    MYELIN_NARROW_CASE(12)
    MYELIN_NARROW_CASE(13)
    MYELIN_NARROW_CASE(14)
    MYELIN_NARROW_CASE(15)
#undef MYELIN_NARROW_CASE
    default: break;
  }
}

}  // namespace gemm_detail
}  // namespace myelin
