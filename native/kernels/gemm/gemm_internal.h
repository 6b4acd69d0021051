// Internal contract between the GEMM loop driver (gemm.cc), the packing routines (gemm_pack.cc)
// and the per-ISA micro-kernels (gemm_ukr_*.cc).
// m = rows of C, n = columns of C, k = the reduced dimension; MR x NR is one register tile,
// MC x KC one packed block of A (L2), KC x NC one packed panel of B (L3), KC x NR one B
// micro-panel (L1).
//
// Hazard: gemm_ukr_avx2_6x16.cc includes this header and is compiled with -mavx2 -mfma. Any
// inline function or template visible here could be emitted there as a weak symbol with AVX
// instructions and be picked by the linker for baseline code. So this header holds only
// declarations, constants and PODs: no inline functions, no std headers.
#pragma once

namespace myelin {
namespace gemm_detail {

// Micro-kernel: c (rows x cols, row stride ldc) = alpha * (a_panel * b_panel) + beta * c.
// a_panel is an MR x kc micro-panel packed k-major (MR floats per step of k), b_panel a kc x NR
// micro-panel packed k-major (NR floats per step of k); both zero-padded past rows / cols.
// rows <= MR, cols <= NR. When beta == 0, c is never read. Every element is reduced over k in
// order 0..kc-1 whatever rows and cols are, so an edge tile gives the same bits as a full one.
typedef void (*MicroKernel)(float* c, const float* a_panel, const float* b_panel, int kc,
                            int ldc, int rows, int cols, float alpha, float beta);

// One blocksize table per ISA. MC is a multiple of MR and NC of NR.
struct Blocksizes {
  int mr, nr, mc, kc, nc;
};

// AVX2+FMA: 6x16 tile = 12 ymm accumulators. KC*NR*4 = 16 KiB B micro-panel in L1 (32 KiB);
// MC*KC*4 = 144 KiB A block in L2 (512 KiB); KC*NC*4 = 3 MiB B panel in L3.
constexpr Blocksizes kBlocksAvx2 = {6, 16, 144, 256, 3072};
// Generic (SSE2 by auto-vectorization): 4x8 tile = 8 xmm accumulators.
constexpr Blocksizes kBlocksGeneric = {4, 8, 128, 256, 2048};

void ukr_generic_4x8(float* c, const float* a_panel, const float* b_panel, int kc, int ldc,
                     int rows, int cols, float alpha, float beta);
void ukr_avx2_6x16(float* c, const float* a_panel, const float* b_panel, int kc, int ldc,
                   int rows, int cols, float alpha, float beta);

// Small-m path without packing ("sup" in BLIS), AVX2+FMA only, for m <= kSupMaxRows and B not
// transposed (batch-1 inference is the case that matters): packing B would cost as much as the
// whole product. c (rows x cols, row stride ldc) = alpha * op(A) * B + beta * c over the full k,
// where op(A)'s element (i, p) is a[i*a_rs + p*a_cs] and B's element (p, j) is b[p*ldb + j].
// rows <= kSupMaxRows, cols <= kSupCols. When beta == 0, c is never read.
constexpr int kSupMaxRows = 3;
constexpr int kSupCols = 32;
void sup_avx2_3x32(float* c, const float* a, int a_rs, int a_cs, const float* b, int ldb, int k,
                   int ldc, int rows, int cols, float alpha, float beta);

// Packs the rows x depth block of op(A) whose element (i, p) is a[i*lda + p], or a[p*lda + i]
// when trans_a, into ceil(rows/mr) micro-panels of mr x depth; rows past `rows` are zero.
void pack_a(float* dst, const float* a, int lda, bool trans_a, int rows, int depth, int mr);

// Packs the depth x cols block of op(B) whose element (p, j) is b[p*ldb + j], or b[j*ldb + p]
// when trans_b, into ceil(cols/nr) micro-panels of depth x nr; columns past `cols` are zero.
void pack_b(float* dst, const float* b, int ldb, bool trans_b, int depth, int cols, int nr);

}  // namespace gemm_detail
}  // namespace myelin
