// NEON kernel of the path without packing ("sup" in BLIS) for batch-1..4 inference on AArch64:
// rows of C as sums of rows of B, B contiguous along n and read where it lies, op(A) by strides.
// m = rows of C, n = columns of C, k = the reduced dimension.
// Compiled for AArch64 only (native/sources.json) and reached through the run-time dispatch
// (gemm.cc) on the neon path.
//
// One row of C is a GEMV: its speed is that of streaming B from L2, so fewer rows take more
// columns a pass to keep enough independent FMA chains in flight (a chain waits 4 cycles for its
// last FMA): 1 row x 32 columns, 2 x 24, 3 x 16, 4 x 12, each 8 to 12 accumulators.
//
// Determinism: every element is one FMA chain over p = 0..k-1 (vector lanes and the scalar
// columns alike; the build's -ffp-contract=off keeps the compiler from fusing anything else),
// then alpha and beta in one scalar finishing step, whatever block computes it. So the driver
// may cut C anywhere. When beta == 0, C is never read.
//
// ODR hazard: as for the x86 units (gemm_internal.h); helpers and templates are static.
#include <arm_neon.h>

#include "gemm_internal.h"

namespace myelin {
namespace gemm_detail {

namespace {

// alpha * acc, or alpha * acc + beta * prior, one rounding of the product-sum.
inline float finish_one(float acc, float* c, float alpha, float beta) {
  return beta == 0.0f ? alpha * acc : __builtin_fmaf(alpha, acc, beta * *c);
}

// R rows x 4V columns of C: element (i, j) at c[i*c_rs + j*c_cs], op(A)'s (i, p) at
// a[i*a_rs + p*a_cs], B's (p, j) at b[p*ldb + j].
template <int R, int V>
inline __attribute__((always_inline)) void axpy_block(float* c, long c_rs, long c_cs,
                                                      const float* a, long a_rs, long a_cs,
                                                      const float* b, long ldb, int k,
                                                      float alpha, float beta) {
  float32x4_t acc[R][V];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) acc[r][v] = vdupq_n_f32(0.0f);
  for (int p = 0; p < k; ++p) {
    const float* brow = b + p * ldb;
    float32x4_t bv[V];
    for (int v = 0; v < V; ++v) bv[v] = vld1q_f32(brow + 4 * v);
    const float* ap = a + p * a_cs;
    for (int r = 0; r < R; ++r) {
      const float32x4_t ar = vdupq_n_f32(ap[r * a_rs]);
      for (int v = 0; v < V; ++v) acc[r][v] = vfmaq_f32(acc[r][v], ar, bv[v]);
    }
  }
  float out[R][4 * V];
  for (int r = 0; r < R; ++r)
    for (int v = 0; v < V; ++v) vst1q_f32(&out[r][4 * v], acc[r][v]);
  for (int r = 0; r < R; ++r) {
    for (int j = 0; j < 4 * V; ++j) {
      float* cij = c + r * c_rs + j * c_cs;
      *cij = finish_one(out[r][j], cij, alpha, beta);
    }
  }
}

// R rows x one column, the same chain in scalar FMAs.
template <int R>
inline void axpy_column(float* c, long c_rs, const float* a, long a_rs, long a_cs,
                        const float* b, long ldb, int k, float alpha, float beta) {
  float acc[R] = {};
  for (int p = 0; p < k; ++p) {
    const float bp = b[p * ldb];
    for (int r = 0; r < R; ++r) acc[r] = __builtin_fmaf(a[r * a_rs + p * a_cs], bp, acc[r]);
  }
  for (int r = 0; r < R; ++r) c[r * c_rs] = finish_one(acc[r], c + r * c_rs, alpha, beta);
}

// R rows x cols: blocks of 4V columns, then of 4, then single columns.
template <int R, int V>
void axpy_rows(float* c, long c_rs, long c_cs, const float* a, long a_rs, long a_cs,
               const float* b, long ldb, int k, int cols, float alpha, float beta) {
  int j = 0;
  for (; j + 4 * V <= cols; j += 4 * V) {
    axpy_block<R, V>(c + j * c_cs, c_rs, c_cs, a, a_rs, a_cs, b + j, ldb, k, alpha, beta);
  }
  for (; j + 4 <= cols; j += 4) {
    axpy_block<R, 1>(c + j * c_cs, c_rs, c_cs, a, a_rs, a_cs, b + j, ldb, k, alpha, beta);
  }
  for (; j < cols; ++j) {
    axpy_column<R>(c + j * c_cs, c_rs, a, a_rs, a_cs, b + j, ldb, k, alpha, beta);
  }
}

}  // namespace

void sup_axpy_neon(float* c, int c_rs, int c_cs, const float* a, int a_rs, int a_cs,
                   const float* b, int ldb, int k, int rows, int cols, float alpha, float beta) {
  for (int i = 0; i < rows; i += 4) {
    float* ci = c + static_cast<long>(i) * c_rs;
    const float* ai = a + static_cast<long>(i) * a_rs;
    switch (rows - i < 4 ? rows - i : 4) {
      case 1: axpy_rows<1, 8>(ci, c_rs, c_cs, ai, a_rs, a_cs, b, ldb, k, cols, alpha, beta); break;
      case 2: axpy_rows<2, 6>(ci, c_rs, c_cs, ai, a_rs, a_cs, b, ldb, k, cols, alpha, beta); break;
      case 3: axpy_rows<3, 4>(ci, c_rs, c_cs, ai, a_rs, a_cs, b, ldb, k, cols, alpha, beta); break;
      default: axpy_rows<4, 3>(ci, c_rs, c_cs, ai, a_rs, a_cs, b, ldb, k, cols, alpha, beta); break;
    }
  }
}

}  // namespace gemm_detail
}  // namespace myelin
