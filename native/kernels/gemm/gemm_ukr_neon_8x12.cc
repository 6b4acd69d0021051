// NEON micro-kernel, 8x12 register tile for AArch64: 24 q accumulators (8 rows x 3 vectors of
// 4), 3 q registers for the B row and 2 for the 8 A values of one step of k, which fmla by
// element reads lane by lane without a broadcast = 29 of the 32 vector registers. Per step of k:
// 5 loads for 24 FMAs, so the four FMA pipes of a Neoverse V1 or an Apple core are the limit, not
// the two or three load ports. The tile is the sgemm one of BLIS's armv8a configuration (8x12),
// written with intrinsics.
// Compiled for AArch64 only (native/sources.json) and reached through the run-time dispatch
// (gemm.cc) on the neon path.
//
// Every element is one FMA chain over k = 0..kc-1 in order, then alpha (and beta * C), whatever
// rows and cols are: an edge tile runs the full tile into a private buffer, so its bits are a
// full tile's.
//
// ODR hazard: as for the x86 units (gemm_internal.h), this TU instantiates nothing shared with
// baseline code; helpers are static. The only external symbol is ukr_neon_8x12.
#include <arm_neon.h>

#include "gemm_internal.h"

namespace myelin {
namespace gemm_detail {

static constexpr int kMr = kBlocksNeon.mr;
static constexpr int kNr = kBlocksNeon.nr;
static_assert(kMr == 8 && kNr == 12, "tile_8x12 is written out for exactly 8 rows x 3 vectors");

// out = alpha * acc, or alpha * acc + beta * out when beta != 0 (out not read when beta == 0).
static inline __attribute__((always_inline)) void store_row(float* out, float32x4_t c0,
                                                            float32x4_t c1, float32x4_t c2,
                                                            float32x4_t va, float32x4_t vb,
                                                            bool read_c) {
  if (read_c) {
    vst1q_f32(out, vfmaq_f32(vmulq_f32(vb, vld1q_f32(out)), va, c0));
    vst1q_f32(out + 4, vfmaq_f32(vmulq_f32(vb, vld1q_f32(out + 4)), va, c1));
    vst1q_f32(out + 8, vfmaq_f32(vmulq_f32(vb, vld1q_f32(out + 8)), va, c2));
  } else {
    vst1q_f32(out, vmulq_f32(va, c0));
    vst1q_f32(out + 4, vmulq_f32(va, c1));
    vst1q_f32(out + 8, vmulq_f32(va, c2));
  }
}

// c (8 x 12, row stride ldc) = alpha * (a * b) + beta * c, or alpha * (a * b) when beta == 0
// (c not read). a is 8 x kc packed k-major, b is kc x 12 k-major with rows b_rs floats apart.
static void tile_8x12(float* c, const float* a, const float* b, long b_rs, int kc, int ldc,
                      float alpha, float beta) {
  float32x4_t c00 = vdupq_n_f32(0.0f), c01 = c00, c02 = c00;
  float32x4_t c10 = c00, c11 = c00, c12 = c00;
  float32x4_t c20 = c00, c21 = c00, c22 = c00;
  float32x4_t c30 = c00, c31 = c00, c32 = c00;
  float32x4_t c40 = c00, c41 = c00, c42 = c00;
  float32x4_t c50 = c00, c51 = c00, c52 = c00;
  float32x4_t c60 = c00, c61 = c00, c62 = c00;
  float32x4_t c70 = c00, c71 = c00, c72 = c00;

#pragma GCC unroll 4
  for (int p = 0; p < kc; ++p) {
    const float32x4_t b0 = vld1q_f32(b);
    const float32x4_t b1 = vld1q_f32(b + 4);
    const float32x4_t b2 = vld1q_f32(b + 8);
    const float32x4_t a0 = vld1q_f32(a);
    const float32x4_t a1 = vld1q_f32(a + 4);
    c00 = vfmaq_laneq_f32(c00, b0, a0, 0);
    c01 = vfmaq_laneq_f32(c01, b1, a0, 0);
    c02 = vfmaq_laneq_f32(c02, b2, a0, 0);
    c10 = vfmaq_laneq_f32(c10, b0, a0, 1);
    c11 = vfmaq_laneq_f32(c11, b1, a0, 1);
    c12 = vfmaq_laneq_f32(c12, b2, a0, 1);
    c20 = vfmaq_laneq_f32(c20, b0, a0, 2);
    c21 = vfmaq_laneq_f32(c21, b1, a0, 2);
    c22 = vfmaq_laneq_f32(c22, b2, a0, 2);
    c30 = vfmaq_laneq_f32(c30, b0, a0, 3);
    c31 = vfmaq_laneq_f32(c31, b1, a0, 3);
    c32 = vfmaq_laneq_f32(c32, b2, a0, 3);
    c40 = vfmaq_laneq_f32(c40, b0, a1, 0);
    c41 = vfmaq_laneq_f32(c41, b1, a1, 0);
    c42 = vfmaq_laneq_f32(c42, b2, a1, 0);
    c50 = vfmaq_laneq_f32(c50, b0, a1, 1);
    c51 = vfmaq_laneq_f32(c51, b1, a1, 1);
    c52 = vfmaq_laneq_f32(c52, b2, a1, 1);
    c60 = vfmaq_laneq_f32(c60, b0, a1, 2);
    c61 = vfmaq_laneq_f32(c61, b1, a1, 2);
    c62 = vfmaq_laneq_f32(c62, b2, a1, 2);
    c70 = vfmaq_laneq_f32(c70, b0, a1, 3);
    c71 = vfmaq_laneq_f32(c71, b1, a1, 3);
    c72 = vfmaq_laneq_f32(c72, b2, a1, 3);
    a += kMr;
    b += b_rs;
  }

  const float32x4_t va = vdupq_n_f32(alpha);
  const float32x4_t vb = vdupq_n_f32(beta);
  const bool read_c = beta != 0.0f;
  store_row(c + 0 * ldc, c00, c01, c02, va, vb, read_c);
  store_row(c + 1 * ldc, c10, c11, c12, va, vb, read_c);
  store_row(c + 2 * ldc, c20, c21, c22, va, vb, read_c);
  store_row(c + 3 * ldc, c30, c31, c32, va, vb, read_c);
  store_row(c + 4 * ldc, c40, c41, c42, va, vb, read_c);
  store_row(c + 5 * ldc, c50, c51, c52, va, vb, read_c);
  store_row(c + 6 * ldc, c60, c61, c62, va, vb, read_c);
  store_row(c + 7 * ldc, c70, c71, c72, va, vb, read_c);
}

// The epilogue's bias and ReLU go on in a pass over the stored tile while it is in L1
// (finish_generic, baseline code), as on the AVX2 path.
void ukr_neon_8x12(float* c, const float* a_panel, const float* b_panel, int b_rs, int kc,
                   int ldc, int rows, int cols, float alpha, float beta, const float* bias,
                   bool relu) {
  if (rows == kMr && cols == kNr) {
    tile_8x12(c, a_panel, b_panel, b_rs, kc, ldc, alpha, beta);
  } else {
    // Edge tile: the full-tile code on a private 8x12 copy, so the arithmetic (and the bits)
    // match a full tile; only the rows x cols that exist in C are read and written back.
    alignas(16) float tile[kMr * kNr] = {};
    if (beta != 0.0f) {
      for (int r = 0; r < rows; ++r)
        for (int j = 0; j < cols; ++j) tile[r * kNr + j] = c[r * ldc + j];
    }
    tile_8x12(tile, a_panel, b_panel, b_rs, kc, kNr, alpha, beta);
    for (int r = 0; r < rows; ++r)
      for (int j = 0; j < cols; ++j) c[r * ldc + j] = tile[r * kNr + j];
  }
  if (bias != nullptr || relu) finish_generic(c, ldc, bias, relu, rows, cols);
}

}  // namespace gemm_detail
}  // namespace myelin
