// Internal contract between the GEMM loop driver (gemm.cc), the packing routines (gemm_pack.cc)
// and the per-ISA micro-kernels (gemm_ukr_*.cc).
// m = rows of C, n = columns of C, k = the reduced dimension; MR x NR is one register tile,
// MC x KC one packed block of A (L2), KC x NC one packed panel of B (L3), KC x NR one B
// micro-panel (L1).
//
// Hazard: gemm_ukr_avx2_6x16.cc includes this header and is compiled with -mavx2 -mfma (and
// gemm_ukr_avx512_14x32.cc with -mavx512f and friends; the NEON units with their own flags). Any
// inline function or template visible here could be emitted there as a weak symbol with AVX
// instructions and be picked by the linker for baseline code. So this header holds only
// declarations, constants and PODs: no inline functions, no std headers.
#pragma once

namespace myelin {
namespace gemm_detail {

// Micro-kernel: c (rows x cols, row stride ldc) = alpha * (a_panel * b_panel) + beta * c.
// a_panel is an MR x kc micro-panel packed k-major (MR floats per step of k), b_panel a kc x NR
// micro-panel k-major whose rows are b_rs floats apart: NR when packed, ldb when B is read in
// place (not transposed, all NR columns real; see gemm.cc). Packed panels are zero-padded past
// rows / cols. rows <= MR, cols <= NR. When beta == 0, c is never read. Every element is reduced
// over k in order 0..kc-1 whatever rows and cols are, so an edge tile gives the same bits as a
// full one. On the last block of k the driver also passes the GemmEpilogue's bias (at the tile's
// first column; null for none) and relu, which the kernel applies to the finished values before
// it stores them, with the bits of finish_generic (below) run after the store.
typedef void (*MicroKernel)(float* c, const float* a_panel, const float* b_panel, int b_rs,
                            int kc, int ldc, int rows, int cols, float alpha, float beta,
                            const float* bias, bool relu);

// One blocksize table per ISA. MC is a multiple of MR and NC of NR.
struct Blocksizes {
  int mr, nr, mc, kc, nc;
};

// AVX2+FMA: 6x16 tile = 12 ymm accumulators. KC*NR*4 = 25 KiB B micro-panel plus a 9.4 KiB A
// micro-panel in L1 (48 KiB on the Zen cores measured); MC*KC*4 = 225 KiB A block in L2 (1 MiB);
// KC*NC*4 = 4.7 MiB B panel in L3. KC = 400 takes k = 784 in two blocks of 392 rather than four
// of 196 (each block is one more pass over C): a few percent on the 784-input layer.
constexpr Blocksizes kBlocksAvx2 = {6, 16, 144, 400, 3072};
// AVX-512: 14x32 tile = 28 zmm accumulators. MC*KC*4 = 504 KiB A block in L2 (1 MiB); KC*NR*4 =
// 64 KiB B micro-panel, more than the L1 (48 KiB on Zen 5), but the kernel reads only 2 lines of
// it per 14 cycles and streams it from L2 at 95% of its L1 speed; KC*NC*4 = 6 MiB B panel in L3.
// KC = 512 rather than 256 halves the passes over C (each one reads and writes all of it):
// measured on Zen 5 against OpenBLAS in one process, square 2048 0.89x -> 0.97x, square 1024
// 0.94x -> 0.98x, and 2-5% on the k >= 512 training shapes; k = 784 now runs as 2 blocks of 392
// instead of 4 of 196.
constexpr Blocksizes kBlocksAvx512 = {14, 32, 252, 512, 3072};
// Generic (on x86-64, SSE2 by auto-vectorization): 4x8 tile = 8 xmm accumulators.
constexpr Blocksizes kBlocksGeneric = {4, 8, 128, 256, 2048};
// NEON (AArch64, 32 q registers of 4 floats): 8x12 tile = 24 accumulators, 3 for the B row and 2
// for the 8 A values that fmla by element reads lane by lane = 29 of 32. Sized for a Neoverse V1
// (Graviton 3: 64 KiB L1d, 1 MiB L2 per core) and fitting the larger caches of Apple's cores:
// KC*NR*4 = 18 KiB B micro-panel plus a 12 KiB A micro-panel in L1; MC*KC*4 = 288 KiB A block
// in L2; KC*NC*4 = 4.5 MiB B panel in L3 (the SLC). KC = 384 takes k = 784 in 3 blocks of 262.
// Not measured on hardware yet (docs/platforms.md).
constexpr Blocksizes kBlocksNeon = {8, 12, 192, 384, 3072};

void ukr_generic_4x8(float* c, const float* a_panel, const float* b_panel, int b_rs, int kc,
                     int ldc, int rows, int cols, float alpha, float beta, const float* bias,
                     bool relu);
void ukr_avx2_6x16(float* c, const float* a_panel, const float* b_panel, int b_rs, int kc,
                   int ldc, int rows, int cols, float alpha, float beta, const float* bias,
                   bool relu);
void ukr_avx512_14x32(float* c, const float* a_panel, const float* b_panel, int b_rs, int kc,
                      int ldc, int rows, int cols, float alpha, float beta, const float* bias,
                      bool relu);
void ukr_neon_8x12(float* c, const float* a_panel, const float* b_panel, int b_rs, int kc,
                   int ldc, int rows, int cols, float alpha, float beta, const float* bias,
                   bool relu);

// A micro-kernel that reads A where it lies instead of from a packed micro-panel: element (r, p)
// of the rows x kc block of op(A) at a[r*a_rs + p*a_cs], with a_rs == 1 (A transposed, a_cs =
// lda) or a_cs == 1 (a_rs = lda). Otherwise as MicroKernel, with the same bits.
typedef void (*DirectKernel)(float* c, const float* a, int a_rs, int a_cs, const float* b_panel,
                             int b_rs, int kc, int ldc, int rows, int cols, float alpha,
                             float beta, const float* bias, bool relu);
void ukr_avx512_14x32_direct(float* c, const float* a, int a_rs, int a_cs, const float* b_panel,
                             int b_rs, int kc, int ldc, int rows, int cols, float alpha,
                             float beta, const float* bias, bool relu);

// The path without packing ("sup" in BLIS), AVX2+FMA (gemm_sup_avx2.cc; the avx512 path also has
// the narrow kernels below and its own rules, see gemm.cc sup_for), for m <= kSupMaxM
// (batch-1..16 inference), n <= kSupMaxN (layers with few units) and small k (their input
// gradient, and small-k products generally): packing would cost as much as the product. Each
// element of C is reduced over the whole k in an order fixed by the shape alone. When beta == 0,
// c is never read.
constexpr int kSupMaxM = 16;
constexpr int kSupMaxN = 12;
constexpr int kSupMaxK = 16;
// B not transposed needs no copy on the small-k path, which then beats packing up to k = 128 as
// long as B (k x n) sits in L2 while every pass of rows streams it.
constexpr int kSupMaxKInPlace = 128;
constexpr int kSupMaxBInPlace = 1 << 16;  // floats of B, 256 KiB
constexpr int kSupAxpyRows = 6;

// c = alpha * op(A) * B + beta * c over rows x cols, with op(A)'s element (i, p) at
// a[i*a_rs + p*a_cs], B's element (p, j) at b[p*ldb + j] and C's element (i, j) at
// c[i*c_rs + j*c_cs] (c_cs != 1 lets the driver compute C^T). Any rows and cols; B is streamed
// once per pass of at most kSupAxpyRows rows.
void sup_axpy_avx2(float* c, int c_rs, int c_cs, const float* a, int a_rs, int a_cs,
                   const float* b, int ldb, int k, int rows, int cols, float alpha, float beta);

// The one-row case of sup_axpy_avx2 (m == 1, C contiguous): c[j] = alpha * sum_p a[p*a_cs] *
// b[p*ldb + j] + beta * c[j] for j < cols. Each element is reduced in 4 interleaved chains over
// p mod 4 when n <= 16, else in one chain (n is the whole C's width, so a column chunk of any
// thread gives the same bits).
void sup_row_avx2(float* c, const float* a, int a_cs, const float* b, int ldb, int k, int cols,
                  int n, float alpha, float beta);

// c[i*ldc + j] = alpha * sum_p a[i*lda + p] * b[j*ldb + p] + beta * c[i*ldc + j] over rows x cols:
// dot products of rows of A with rows of B, both contiguous along k.
void sup_dot_avx2(float* c, int ldc, const float* a, int lda, const float* b, int ldb, int k,
                  int rows, int cols, float alpha, float beta);

// AVX-512 (gemm_sup_avx512.cc), for C of at most 16 columns (the avx512 path's small-n shapes):
// c[i*ldc + j] = alpha * sum_p a[i*a_rs + p*a_cs] * b[p*ldb + j] + beta * c[i*ldc + j] over
// rows x cols, cols <= 16, B contiguous along n. Each element is one FMA chain over p = 0..k-1.
void sup_narrow_avx512(float* c, int ldc, const float* a, int a_rs, int a_cs, const float* b,
                       int ldb, int k, int rows, int cols, float alpha, float beta);

// The same for A stored (k, m), contiguous along m (element (i, p) at a[p*lda + i]) and cols <=
// kSupMaxN: 32 rows of C at a time as columns, B broadcast. One FMA chain over p = 0..k-1.
void sup_narrow_t_avx512(float* c, int ldc, const float* a, int lda, const float* b, int ldb,
                         int k, int rows, int cols, float alpha, float beta);

// The one-row case on AVX-512: c[j] = alpha * sum_p a[p*a_cs] * b[p*ldb + j] + beta * c[j] for
// j < cols, read along whole rows of B up to 256 columns at a time (the speed of a row is that of
// streaming B from L2, and whole rows stream fastest). One FMA chain per element, or 4 chains
// (those of sup_row_avx2) for the last 16 columns or fewer.
void sup_row_avx512(float* c, const float* a, int a_cs, const float* b, int ldb, int k, int cols,
                    float alpha, float beta);

// NEON (gemm_sup_neon.cc): sup_axpy's contract for at most kSupMaxMNeon rows of C (or, when the
// driver computes C^T, any), B not transposed: each element one FMA chain over p = 0..k-1,
// whatever columns a call covers. The one kernel without packing on the neon path (gemm.cc).
constexpr int kSupMaxMNeon = 4;
void sup_axpy_neon(float* c, int c_rs, int c_cs, const float* a, int a_rs, int a_cs,
                   const float* b, int ldb, int k, int rows, int cols, float alpha, float beta);

// The kernels without packing as the driver holds them, one pointer per form (gemm.cc, Path).
typedef void (*SupAxpy)(float* c, int c_rs, int c_cs, const float* a, int a_rs, int a_cs,
                        const float* b, int ldb, int k, int rows, int cols, float alpha,
                        float beta);
typedef void (*SupRow)(float* c, const float* a, int a_cs, const float* b, int ldb, int k,
                       int cols, int n, float alpha, float beta);
typedef void (*SupDot)(float* c, int ldc, const float* a, int lda, const float* b, int ldb, int k,
                       int rows, int cols, float alpha, float beta);
typedef void (*SupNarrow)(float* c, int ldc, const float* a, int a_rs, int a_cs, const float* b,
                          int ldb, int k, int rows, int cols, float alpha, float beta);
typedef void (*SupNarrowT)(float* c, int ldc, const float* a, int lda, const float* b, int ldb,
                           int k, int rows, int cols, float alpha, float beta);
typedef void (*SupRowWide)(float* c, const float* a, int a_cs, const float* b, int ldb, int k,
                           int cols, float alpha, float beta);

// The bias and ReLU of a GemmEpilogue (gemm.h) on a finished rows x cols part of C (row stride
// ldc): c[i*ldc + j] += bias[j] when bias is not null, then c = c > 0 ? c : 0 when relu. Both
// give the same bits (one rounding of the sum; NaN and -0 become +0). The micro-kernels apply
// them in registers; these serve the paths without packing, whose kernels do not.
void finish_generic(float* c, int ldc, const float* bias, bool relu, int rows, int cols);
void finish_avx512(float* c, int ldc, const float* bias, bool relu, int rows, int cols);

// Packs the rows x depth block of op(A) whose element (i, p) is a[i*lda + p], or a[p*lda + i]
// when trans_a, into ceil(rows/mr) micro-panels of mr x depth; rows past `rows` are zero.
void pack_a(float* dst, const float* a, int lda, bool trans_a, int rows, int depth, int mr);

// pack_a for the AVX-512 path (gemm_pack_avx512.cc): the same layout, A not transposed through
// 16 x 16 transposes in zmm registers (the other cases go to pack_a).
void pack_a_avx512(float* dst, const float* a, int lda, bool trans_a, int rows, int depth,
                   int mr);

// Packs the depth x cols block of op(B) whose element (p, j) is b[p*ldb + j], or b[j*ldb + p]
// when trans_b, into ceil(cols/nr) micro-panels of depth x nr; columns past `cols` are zero.
void pack_b(float* dst, const float* b, int ldb, bool trans_b, int depth, int cols, int nr);

}  // namespace gemm_detail
}  // namespace myelin
