// AVX2+FMA kernels of the path without packing ("sup" in BLIS) for small or skinny problems:
// batch-1..16 inference (m small) and layers with few units (n small). Packing would cost as much
// as the product itself there, so these read A and B where they lie.
//   sup_axpy_avx2: rows of C as sums of rows of B (B contiguous along n), op(A) by strides.
//   sup_row_avx2:  the same for a single row of C (m == 1), with 1 or 4 chains per element.
//   sup_dot_avx2:  each element of C a dot product of a row of A and a row of B, both contiguous
//                  along k (B transposed, or packed so by the driver).
// m = rows of C, n = columns of C, k = the reduced dimension.
// Compiled with -mavx2 -mfma and reached only through run-time dispatch (gemm.cc).
//
// Determinism: every element is reduced in an order fixed by the shape alone (axpy: one FMA
// chain over p = 0..k-1; row: 1 chain or 4 interleaved ones, chosen by n; dot: one FMA chain
// per lane over blocks of 8, the tail block masked, then one fixed lane tree), whatever tile,
// mask or row pass computes it. So the driver may cut C anywhere.
// When beta == 0, C is never read.
//
// ODR hazard: this TU must not instantiate any inline function or template shared with baseline
// code (no std headers). Helpers and templates are static (internal linkage).
#include <immintrin.h>

#include "gemm_internal.h"

namespace myelin {
namespace gemm_detail {

namespace {

// Lanes [0, live) set, live in [0, 8].
inline __attribute__((always_inline)) __m256i lane_mask(int live) {
  const __m256i lane = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(live), lane);
}

// out = alpha * acc, or alpha * acc + beta * prior.
inline __attribute__((always_inline)) __m256 finish(__m256 acc, __m256 prior, __m256 va,
                                                    __m256 vb, bool read_c) {
  return read_c ? _mm256_fmadd_ps(va, acc, _mm256_mul_ps(vb, prior)) : _mm256_mul_ps(va, acc);
}

// R rows x (8 V) columns of C from op(A) (element (i, p) at a[i*a_rs + p*a_cs]) and B (element
// (p, j) at b[p*ldb + j]); live columns <= 8 V. Element (i, j) of C is at c[i*c_rs + j*c_cs].
template <int R, int V>
inline __attribute__((always_inline)) void axpy_tile(float* c, long c_rs, long c_cs,
                                                     const float* a, long a_rs, long a_cs,
                                                     const float* b, long ldb, int k, int live,
                                                     float alpha, float beta) {
  const bool full = live == 8 * V;
  __m256i mask[V];
  for (int v = 0; v < V; ++v) mask[v] = lane_mask(live - 8 * v);
  __m256 acc[R][V];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) acc[r][v] = _mm256_setzero_ps();
  if (full) {
    for (int p = 0; p < k; ++p) {
      const float* brow = b + p * ldb;
      __m256 bv[V];
      for (int v = 0; v < V; ++v) bv[v] = _mm256_loadu_ps(brow + 8 * v);
      const float* ap = a + p * a_cs;
      for (int r = 0; r < R; ++r) {
        const __m256 ar = _mm256_broadcast_ss(ap + r * a_rs);
        for (int v = 0; v < V; ++v) acc[r][v] = _mm256_fmadd_ps(ar, bv[v], acc[r][v]);
      }
    }
  } else {
    for (int p = 0; p < k; ++p) {
      const float* brow = b + p * ldb;
      __m256 bv[V];
      for (int v = 0; v < V; ++v) bv[v] = _mm256_maskload_ps(brow + 8 * v, mask[v]);
      const float* ap = a + p * a_cs;
      for (int r = 0; r < R; ++r) {
        const __m256 ar = _mm256_broadcast_ss(ap + r * a_rs);
        for (int v = 0; v < V; ++v) acc[r][v] = _mm256_fmadd_ps(ar, bv[v], acc[r][v]);
      }
    }
  }

  // Out of registers with constant indices only (fully unrolled), so the compiler keeps acc in
  // registers through the k loop; the finishing below reads the buffer.
  alignas(32) float out[R][8 * V];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < V; ++v) _mm256_store_ps(out[r] + 8 * v, acc[r][v]);

  const __m256 va = _mm256_set1_ps(alpha);
  const __m256 vb = _mm256_set1_ps(beta);
  const bool read_c = beta != 0.0f;
  if (c_cs == 1) {
    for (int r = 0; r < R; ++r) {
      float* cr = c + r * c_rs;
      for (int v = 0; v < V; ++v) {
        const __m256 x = _mm256_load_ps(out[r] + 8 * v);
        if (full) {
          const __m256 prior = read_c ? _mm256_loadu_ps(cr + 8 * v) : _mm256_setzero_ps();
          _mm256_storeu_ps(cr + 8 * v, finish(x, prior, va, vb, read_c));
        } else {
          const __m256 prior =
              read_c ? _mm256_maskload_ps(cr + 8 * v, mask[v]) : _mm256_setzero_ps();
          _mm256_maskstore_ps(cr + 8 * v, mask[v], finish(x, prior, va, vb, read_c));
        }
      }
    }
    return;
  }
  // C transposed in memory (the driver computes C^T): the same arithmetic through a buffer.
  alignas(32) float tmp[8];
  for (int r = 0; r < R; ++r) {
    for (int v = 0; v < V; ++v) {
      const int n8 = live - 8 * v < 8 ? live - 8 * v : 8;
      if (n8 <= 0) break;
      float* cv = c + r * c_rs + 8 * v * c_cs;
      for (int j = 0; j < 8; ++j) tmp[j] = read_c && j < n8 ? cv[j * c_cs] : 0.0f;
      const __m256 x = _mm256_load_ps(out[r] + 8 * v);
      _mm256_store_ps(tmp, finish(x, _mm256_load_ps(tmp), va, vb, read_c));
      for (int j = 0; j < n8; ++j) cv[j * c_cs] = tmp[j];
    }
  }
}

// All columns [0, cols) of R rows, in tiles of 8 V.
template <int R, int V>
void axpy_rows(float* c, long c_rs, long c_cs, const float* a, long a_rs, long a_cs,
               const float* b, long ldb, int k, int cols, float alpha, float beta) {
  for (int j0 = 0; j0 < cols; j0 += 8 * V) {
    const int live = cols - j0 < 8 * V ? cols - j0 : 8 * V;
    axpy_tile<R, V>(c + j0 * c_cs, c_rs, c_cs, a, a_rs, a_cs, b + j0, ldb, k, live, alpha, beta);
  }
}

// One row of C (m == 1), 8 V columns, live <= 8 V: S chains per element (chain q sums the steps
// p = q (mod S) in order, the last k % S steps going to chains 0, 1, ...), then c0 + c1, or
// (c0 + c1) + (c2 + c3). The FMA latency needs 8 independent chains in flight: one per element
// of 8 vectors, or several per element of fewer.
template <int V, int S>
inline __attribute__((always_inline)) void row_tile(float* c, const float* a, long a_cs,
                                                    const float* b, long ldb, int k, int live,
                                                    float alpha, float beta) {
  const bool full = live == 8 * V;
  __m256i mask[V];
  for (int v = 0; v < V; ++v) mask[v] = lane_mask(live - 8 * v);
  __m256 acc[S][V];
  for (int q = 0; q < S; ++q)
    for (int v = 0; v < V; ++v) acc[q][v] = _mm256_setzero_ps();
  const int k_main = k - k % S;
  if (full) {
    for (int p = 0; p < k_main; p += S) {
      for (int q = 0; q < S; ++q) {
        const float* brow = b + (p + q) * ldb;
        const __m256 ar = _mm256_broadcast_ss(a + (p + q) * a_cs);
        for (int v = 0; v < V; ++v)
          acc[q][v] = _mm256_fmadd_ps(ar, _mm256_loadu_ps(brow + 8 * v), acc[q][v]);
      }
    }
  } else {
    for (int p = 0; p < k_main; p += S) {
      for (int q = 0; q < S; ++q) {
        const float* brow = b + (p + q) * ldb;
        const __m256 ar = _mm256_broadcast_ss(a + (p + q) * a_cs);
        for (int v = 0; v < V; ++v)
          acc[q][v] = _mm256_fmadd_ps(ar, _mm256_maskload_ps(brow + 8 * v, mask[v]), acc[q][v]);
      }
    }
  }
  for (int q = 0; q < S - 1; ++q) {
    if (k_main + q >= k) break;
    const int p = k_main + q;
    const float* brow = b + p * ldb;
    const __m256 ar = _mm256_broadcast_ss(a + p * a_cs);
    for (int v = 0; v < V; ++v)
      acc[q][v] = _mm256_fmadd_ps(ar, _mm256_maskload_ps(brow + 8 * v, mask[v]), acc[q][v]);
  }
  alignas(32) float out[8 * V];
#pragma GCC unroll 4
  for (int v = 0; v < V; ++v) {
    const __m256 sum = S == 4   ? _mm256_add_ps(_mm256_add_ps(acc[0][v], acc[1 % S][v]),
                                                _mm256_add_ps(acc[2 % S][v], acc[3 % S][v]))
                       : S == 2 ? _mm256_add_ps(acc[0][v], acc[1 % S][v])
                                : acc[0][v];
    _mm256_store_ps(out + 8 * v, sum);
  }
  const __m256 va = _mm256_set1_ps(alpha);
  const __m256 vb = _mm256_set1_ps(beta);
  const bool read_c = beta != 0.0f;
  for (int v = 0; v < V; ++v) {
    const __m256 x = _mm256_load_ps(out + 8 * v);
    const __m256 prior = read_c ? _mm256_maskload_ps(c + 8 * v, mask[v]) : _mm256_setzero_ps();
    _mm256_maskstore_ps(c + 8 * v, mask[v], finish(x, prior, va, vb, read_c));
  }
}

template <int V, int S>
void row_tiles(float* c, const float* a, long a_cs, const float* b, long ldb, int k, int cols,
               float alpha, float beta) {
  for (int j0 = 0; j0 < cols; j0 += 8 * V) {
    const int live = cols - j0 < 8 * V ? cols - j0 : 8 * V;
    row_tile<V, S>(c + j0, a, a_cs, b + j0, ldb, k, live, alpha, beta);
  }
}

// R rows x C columns of dot products: c[i*ldc + j] = alpha * sum_p a_i[p] b_j[p] (+ beta c).
// Columns past `live` reuse the last live row of B and are not stored.
template <int R, int C>
inline __attribute__((always_inline)) void dot_tile(float* c, long ldc, const float* a, long lda,
                                                    const float* b, long ldb, int k, int live,
                                                    float alpha, float beta) {
  const float* bp[C];
  for (int j = 0; j < C; ++j) bp[j] = b + (j < live ? j : live - 1) * ldb;
  __m256 acc[R][C];
  for (int r = 0; r < R; ++r)
    for (int j = 0; j < C; ++j) acc[r][j] = _mm256_setzero_ps();
  int p = 0;
  for (; p + 8 <= k; p += 8) {
    for (int r = 0; r < R; ++r) {
      const __m256 ar = _mm256_loadu_ps(a + r * lda + p);
      for (int j = 0; j < C; ++j) acc[r][j] = _mm256_fmadd_ps(ar, _mm256_loadu_ps(bp[j] + p),
                                                              acc[r][j]);
    }
  }
  if (p < k) {
    const __m256i mask = lane_mask(k - p);
    for (int r = 0; r < R; ++r) {
      const __m256 ar = _mm256_maskload_ps(a + r * lda + p, mask);
      for (int j = 0; j < C; ++j)
        acc[r][j] = _mm256_fmadd_ps(ar, _mm256_maskload_ps(bp[j] + p, mask), acc[r][j]);
    }
  }

  // Lane tree per column, ((l0+l1) + (l2+l3)) + ((l4+l5) + (l6+l7)), four columns at a time,
  // fully unrolled with constant indices so acc stays in registers through the k loop.
  constexpr int kGroups = (C + 3) / 4;
  alignas(16) float sums[R][4 * kGroups];
#pragma GCC unroll 8
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int g = 0; g < kGroups; ++g) {
      const int j0 = 4 * g;
      const __m256 x0 = acc[r][j0];
      const __m256 x1 = j0 + 1 < C ? acc[r][j0 + 1] : x0;
      const __m256 x2 = j0 + 2 < C ? acc[r][j0 + 2] : x0;
      const __m256 x3 = j0 + 3 < C ? acc[r][j0 + 3] : x0;
      const __m256 t = _mm256_hadd_ps(_mm256_hadd_ps(x0, x1), _mm256_hadd_ps(x2, x3));
      _mm_store_ps(sums[r] + j0,
                   _mm_add_ps(_mm256_castps256_ps128(t), _mm256_extractf128_ps(t, 1)));
    }
  }

  const __m128 va = _mm_set1_ps(alpha);
  const __m128 vb = _mm_set1_ps(beta);
  alignas(16) float tmp[4];
  for (int r = 0; r < R; ++r) {
    for (int j0 = 0; j0 < live; j0 += 4) {
      const int n4 = live - j0 < 4 ? live - j0 : 4;
      float* cr = c + r * ldc + j0;
      const __m128 s = _mm_load_ps(sums[r] + j0);
      __m128 out;
      if (beta == 0.0f) {
        out = _mm_mul_ps(va, s);
      } else {
        for (int j = 0; j < 4; ++j) tmp[j] = j < n4 ? cr[j] : 0.0f;
        out = _mm_fmadd_ps(va, s, _mm_mul_ps(vb, _mm_load_ps(tmp)));
      }
      _mm_store_ps(tmp, out);
      for (int j = 0; j < n4; ++j) cr[j] = tmp[j];
    }
  }
}

template <int R, int C>
void dot_rows(float* c, long ldc, const float* a, long lda, const float* b, long ldb, int k,
              int cols, float alpha, float beta) {
  for (int j0 = 0; j0 < cols; j0 += C) {
    const int live = cols - j0 < C ? cols - j0 : C;
    dot_tile<R, C>(c + j0, ldc, a, lda, b + j0 * ldb, ldb, k, live, alpha, beta);
  }
}

}  // namespace

void sup_axpy_avx2(float* c, int c_rs, int c_cs, const float* a, int a_rs, int a_cs,
                   const float* b, int ldb, int k, int rows, int cols, float alpha, float beta) {
  // Balanced row passes of at most 6 (8 -> 4 + 4, 16 -> 6 + 5 + 5): B is streamed once a pass.
  const int passes = (rows + kSupAxpyRows - 1) / kSupAxpyRows;
  int r0 = 0;
  for (int pass = 0; pass < passes; ++pass) {
    const int take = (rows - r0) / (passes - pass);
    float* cp = c + static_cast<long>(r0) * c_rs;
    const float* ap = a + static_cast<long>(r0) * a_rs;
    switch (take) {
      case 1: axpy_rows<1, 4>(cp, c_rs, c_cs, ap, a_rs, a_cs, b, ldb, k, cols, alpha, beta); break;
      case 2: axpy_rows<2, 4>(cp, c_rs, c_cs, ap, a_rs, a_cs, b, ldb, k, cols, alpha, beta); break;
      case 3: axpy_rows<3, 4>(cp, c_rs, c_cs, ap, a_rs, a_cs, b, ldb, k, cols, alpha, beta); break;
      case 4: axpy_rows<4, 3>(cp, c_rs, c_cs, ap, a_rs, a_cs, b, ldb, k, cols, alpha, beta); break;
      case 5: axpy_rows<5, 2>(cp, c_rs, c_cs, ap, a_rs, a_cs, b, ldb, k, cols, alpha, beta); break;
      default: axpy_rows<6, 2>(cp, c_rs, c_cs, ap, a_rs, a_cs, b, ldb, k, cols, alpha, beta); break;
    }
    r0 += take;
  }
}

void sup_row_avx2(float* c, const float* a, int a_cs, const float* b, int ldb, int k, int cols,
                  int n, float alpha, float beta) {
  if (n <= 16) {
    row_tiles<2, 4>(c, a, a_cs, b, ldb, k, cols, alpha, beta);
  } else {
    // 64 columns a pass, one chain each: a quarter of a 256-wide row of B per pass streams from
    // L2 faster than an eighth (1x256x784: 43-44 against 36-37 GFLOP/s for 32 columns with 2
    // chains, 1x128x256: 50-54 against 43-44, on Zen 5 in AVX2 mode).
    row_tiles<8, 1>(c, a, a_cs, b, ldb, k, cols, alpha, beta);
  }
}

void sup_dot_avx2(float* c, int ldc, const float* a, int lda, const float* b, int ldb, int k,
                  int rows, int cols, float alpha, float beta) {
  int r0 = 0;
  for (; r0 + 4 <= rows; r0 += 4) {
    dot_rows<4, 3>(c + static_cast<long>(r0) * ldc, ldc, a + static_cast<long>(r0) * lda, lda, b,
                   ldb, k, cols, alpha, beta);
  }
  float* cp = c + static_cast<long>(r0) * ldc;
  const float* ap = a + static_cast<long>(r0) * lda;
  switch (rows - r0) {
    case 1: dot_rows<1, 8>(cp, ldc, ap, lda, b, ldb, k, cols, alpha, beta); break;
    case 2: dot_rows<2, 4>(cp, ldc, ap, lda, b, ldb, k, cols, alpha, beta); break;
    case 3: dot_rows<3, 4>(cp, ldc, ap, lda, b, ldb, k, cols, alpha, beta); break;
    default: break;
  }
}

}  // namespace gemm_detail
}  // namespace myelin
