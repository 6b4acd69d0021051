// Packing of A and B into the micro-panel layouts the micro-kernels stream through (BLIS style).
// This is where transposes are absorbed: the micro-kernel sees one layout whatever trans_a and
// trans_b are. Edges are zero-padded to whole micro-panels so the micro-kernel never branches
// on the reduction. Baseline x86-64; each routine reads its source along the contiguous
// direction and copies in short constant-width runs the compiler can vectorize.
// rows/cols = extent of the block in C's rows/columns, depth = extent along k.
#include <cstddef>

#include "gemm_internal.h"

namespace myelin {
namespace gemm_detail {

// dst is ceil(rows/mr) panels of (depth x mr); a is op(A) as described in gemm_internal.h.
void pack_a(float* dst, const float* a, int lda, bool trans_a, int rows, int depth, int mr) {
  const std::ptrdiff_t ld = lda;
  for (int r0 = 0; r0 < rows; r0 += mr) {
    const int live = rows - r0 < mr ? rows - r0 : mr;
    if (trans_a) {
      // A is stored (k, m): the mr values of one step of k are contiguous.
      for (int p = 0; p < depth; ++p) {
        const float* src = a + p * ld + r0;
        float* out = dst + static_cast<std::ptrdiff_t>(p) * mr;
        for (int i = 0; i < live; ++i) out[i] = src[i];
        for (int i = live; i < mr; ++i) out[i] = 0.0f;
      }
    } else {
      // A is stored (m, k): walk each row contiguously, scatter with stride mr.
      for (int i = 0; i < live; ++i) {
        const float* src = a + (r0 + i) * ld;
        for (int p = 0; p < depth; ++p) dst[static_cast<std::ptrdiff_t>(p) * mr + i] = src[p];
      }
      for (int i = live; i < mr; ++i)
        for (int p = 0; p < depth; ++p) dst[static_cast<std::ptrdiff_t>(p) * mr + i] = 0.0f;
    }
    dst += static_cast<std::ptrdiff_t>(depth) * mr;
  }
}

// dst is ceil(cols/nr) panels of (depth x nr); b is op(B) as described in gemm_internal.h.
void pack_b(float* dst, const float* b, int ldb, bool trans_b, int depth, int cols, int nr) {
  const std::ptrdiff_t ld = ldb;
  for (int j0 = 0; j0 < cols; j0 += nr) {
    const int live = cols - j0 < nr ? cols - j0 : nr;
    if (trans_b) {
      // B is stored (n, k): walk each column of op(B) contiguously, scatter with stride nr.
      for (int j = 0; j < live; ++j) {
        const float* src = b + (j0 + j) * ld;
        for (int p = 0; p < depth; ++p) dst[static_cast<std::ptrdiff_t>(p) * nr + j] = src[p];
      }
      for (int j = live; j < nr; ++j)
        for (int p = 0; p < depth; ++p) dst[static_cast<std::ptrdiff_t>(p) * nr + j] = 0.0f;
    } else {
      // B is stored (k, n): the nr values of one step of k are contiguous.
      for (int p = 0; p < depth; ++p) {
        const float* src = b + p * ld + j0;
        float* out = dst + static_cast<std::ptrdiff_t>(p) * nr;
        for (int j = 0; j < live; ++j) out[j] = src[j];
        for (int j = live; j < nr; ++j) out[j] = 0.0f;
      }
    }
    dst += static_cast<std::ptrdiff_t>(depth) * nr;
  }
}

}  // namespace gemm_detail
}  // namespace myelin
