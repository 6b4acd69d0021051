// Single-precision GEMM, row-major: C = alpha * op(A) * op(B) + beta * C.
// m = rows of C, n = columns of C, k = the shared (reduced) dimension.
// Laid out the BLIS way: a loop driver (jc, pc, ic) over cache blocks, packing of A and B into
// micro-panels (which is where transposes are absorbed), a macro-kernel, and one register-blocked
// micro-kernel per instruction set, chosen once at load (runtime/cpu_features.h).
#pragma once

namespace myelin {

// What a GEMM does to C once its elements are final (after alpha, beta and the whole k
// reduction), on the thread that computed them, while they are in cache: this is where a Dense
// layer adds its bias and applies its activation.
// First `bias` (n floats, bias[j] added to column j of C; null for none), then, when `relu`,
// max(x, 0) (NaN becomes 0, as relu does in activations.h): done by the GEMM itself, by the
// micro-kernel on each register tile before it stores it (or on each block of the paths without
// packing), with the same bits on every path. Then `apply`, unless null, once for every finished
// block of C, `c` pointing at its element (row0, col0).
struct GemmEpilogue {
  void (*apply)(const void* ctx, float* c, int ldc, int row0, int col0, int rows, int cols);
  const void* ctx;
  const float* bias = nullptr;
  bool relu = false;
};

// c is (m,n); a is (m,k), or (k,m) when trans_a; b is (k,n), or (n,k) when trans_b; all three
// row-major with leading dimensions (row strides, in floats) ldc >= n, lda >= the stored row
// width of a (k, or m when trans_a) and ldb >= that of b (n, or k when trans_b).
// When beta == 0, C is never read (NaN in C does not leak). Sizes of 0 are allowed (k == 0 gives
// C = beta * C). Uses the thread pool; results are bit-identical for any thread count and from
// run to run, because each element of C is reduced in one order fixed by the shape alone.
// The epilogue sees the real ldc.
void sgemm_strided(float* c, int ldc, const float* a, int lda, const float* b, int ldb, int m,
                   int n, int k, bool trans_a, bool trans_b, float alpha, float beta,
                   const GemmEpilogue* epilogue = nullptr);

// sgemm_strided on contiguous matrices (ldc = n, lda and ldb the stored row widths).
void sgemm(float* c, const float* a, const float* b, int m, int n, int k,
           bool trans_a, bool trans_b, float alpha, float beta,
           const GemmEpilogue* epilogue = nullptr);

// Plain triple loop accumulated in double, the oracle for tests and the fallback for shapes the
// fast path declines. Same contract and leading dimensions as sgemm_strided, no epilogue.
void sgemm_ref_strided(float* c, int ldc, const float* a, int lda, const float* b, int ldb, int m,
                       int n, int k, bool trans_a, bool trans_b, float alpha, float beta);
void sgemm_ref(float* c, const float* a, const float* b, int m, int n, int k,
               bool trans_a, bool trans_b, float alpha, float beta);

}  // namespace myelin
