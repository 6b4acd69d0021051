// Packing of A and B into the micro-panel layouts the micro-kernels stream through (BLIS style).
// This is where transposes are absorbed: the micro-kernel sees one layout whatever trans_a and
// trans_b are. Edges are zero-padded to whole micro-panels so the micro-kernel never branches
// on the reduction. Baseline code of every architecture; each routine reads its source along the
// contiguous direction. Where that direction is k (A not transposed, B transposed), runs of 4
// source rows x 4 steps of k go through a 4x4 transpose in registers instead of 16 scalar
// stores: SSE on x86-64 and NEON on AArch64, both part of their architecture's baseline, plain
// stores elsewhere. The three give the same bits: packing only moves floats.
// rows/cols = extent of the block in C's rows/columns, depth = extent along k.
#include <cstddef>

#include "../../runtime/arch.h"
#include "gemm_internal.h"

#if MYELIN_ARCH_X64
#include <xmmintrin.h>
#elif MYELIN_ARCH_ARM64
#include <arm_neon.h>
#endif

namespace myelin {
namespace gemm_detail {

namespace {

// dst[p*ld_dst + i] = src_i[p] for 4 source rows i and p in [0, depth): a k-contiguous block
// turned k-major, 4 x 4 at a time.
void transpose_rows4(float* dst, std::ptrdiff_t ld_dst, const float* s0, const float* s1,
                     const float* s2, const float* s3, int depth) {
  int p = 0;
#if MYELIN_ARCH_X64
  for (; p + 4 <= depth; p += 4) {
    __m128 r0 = _mm_loadu_ps(s0 + p), r1 = _mm_loadu_ps(s1 + p);
    __m128 r2 = _mm_loadu_ps(s2 + p), r3 = _mm_loadu_ps(s3 + p);
    _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
    float* out = dst + p * ld_dst;
    _mm_storeu_ps(out, r0);
    _mm_storeu_ps(out + ld_dst, r1);
    _mm_storeu_ps(out + 2 * ld_dst, r2);
    _mm_storeu_ps(out + 3 * ld_dst, r3);
  }
#elif MYELIN_ARCH_ARM64
  for (; p + 4 <= depth; p += 4) {
    // trn1/trn2 on 32-bit lanes pair up rows 0-1 and 2-3, then on 64-bit lanes the halves.
    const float32x4_t r0 = vld1q_f32(s0 + p), r1 = vld1q_f32(s1 + p);
    const float32x4_t r2 = vld1q_f32(s2 + p), r3 = vld1q_f32(s3 + p);
    const float64x2_t t0 = vreinterpretq_f64_f32(vtrn1q_f32(r0, r1));
    const float64x2_t t1 = vreinterpretq_f64_f32(vtrn2q_f32(r0, r1));
    const float64x2_t t2 = vreinterpretq_f64_f32(vtrn1q_f32(r2, r3));
    const float64x2_t t3 = vreinterpretq_f64_f32(vtrn2q_f32(r2, r3));
    float* out = dst + p * ld_dst;
    vst1q_f32(out, vreinterpretq_f32_f64(vtrn1q_f64(t0, t2)));
    vst1q_f32(out + ld_dst, vreinterpretq_f32_f64(vtrn1q_f64(t1, t3)));
    vst1q_f32(out + 2 * ld_dst, vreinterpretq_f32_f64(vtrn2q_f64(t0, t2)));
    vst1q_f32(out + 3 * ld_dst, vreinterpretq_f32_f64(vtrn2q_f64(t1, t3)));
  }
#endif
  for (; p < depth; ++p) {
    float* out = dst + p * ld_dst;
    out[0] = s0[p];
    out[1] = s1[p];
    out[2] = s2[p];
    out[3] = s3[p];
  }
}

// Rows [0, live) of an mr-row panel from k-contiguous source rows (row i at src + i*ld), the rest
// zero: groups of 4 rows through transpose_rows4, the remainder one by one.
void pack_k_contiguous(float* dst, const float* src, std::ptrdiff_t ld, int live, int depth,
                       int mr) {
  int i = 0;
  for (; i + 4 <= live; i += 4) {
    const float* s = src + i * ld;
    transpose_rows4(dst + i, mr, s, s + ld, s + 2 * ld, s + 3 * ld, depth);
  }
  for (; i < live; ++i) {
    const float* s = src + i * ld;
    for (int p = 0; p < depth; ++p) dst[static_cast<std::ptrdiff_t>(p) * mr + i] = s[p];
  }
  for (i = live; i < mr; ++i)
    for (int p = 0; p < depth; ++p) dst[static_cast<std::ptrdiff_t>(p) * mr + i] = 0.0f;
}

// out[0, width) = src[0, live), then zeros: one step of k of a panel whose values are contiguous
// in the source (A transposed, B not transposed). Full runs go 4 floats at a time.
inline void copy_run(float* out, const float* src, int live, int width) {
  int i = 0;
#if MYELIN_ARCH_X64
  if (live == width) {
    for (; i + 4 <= width; i += 4) _mm_storeu_ps(out + i, _mm_loadu_ps(src + i));
  }
#endif
  for (; i < live; ++i) out[i] = src[i];
  for (; i < width; ++i) out[i] = 0.0f;
}

}  // namespace

// dst is ceil(rows/mr) panels of (depth x mr); a is op(A) as described in gemm_internal.h.
void pack_a(float* dst, const float* a, int lda, bool trans_a, int rows, int depth, int mr) {
  const std::ptrdiff_t ld = lda;
  for (int r0 = 0; r0 < rows; r0 += mr) {
    const int live = rows - r0 < mr ? rows - r0 : mr;
    if (trans_a) {
      // A is stored (k, m): the mr values of one step of k are contiguous.
      for (int p = 0; p < depth; ++p) {
        copy_run(dst + static_cast<std::ptrdiff_t>(p) * mr, a + p * ld + r0, live, mr);
      }
    } else {
      // A is stored (m, k): rows contiguous along k.
      pack_k_contiguous(dst, a + r0 * ld, ld, live, depth, mr);
    }
    dst += static_cast<std::ptrdiff_t>(depth) * mr;
  }
}

// dst is ceil(cols/nr) panels of (depth x nr); b is op(B) as described in gemm_internal.h.
void pack_b(float* dst, const float* b, int ldb, bool trans_b, int depth, int cols, int nr) {
  const std::ptrdiff_t ld = ldb;
  const std::ptrdiff_t panel = static_cast<std::ptrdiff_t>(depth) * nr;
  if (!trans_b) {
    // B is stored (k, n): the nr values of one step of k are contiguous. Row by row across all
    // panels, so B is read in the order it lies (one stream the prefetcher follows, rather than
    // nr floats of every row, ldb apart, once per panel): square 1024 on the AVX-512 path, whose
    // B rows are 4 KiB apart, 0.96x -> 0.98x of OpenBLAS.
    for (int p = 0; p < depth; ++p) {
      float* out = dst + static_cast<std::ptrdiff_t>(p) * nr;
      for (int j0 = 0; j0 < cols; j0 += nr, out += panel) {
        copy_run(out, b + p * ld + j0, cols - j0 < nr ? cols - j0 : nr, nr);
      }
    }
    return;
  }
  // B is stored (n, k): columns of op(B) contiguous along k.
  for (int j0 = 0; j0 < cols; j0 += nr, dst += panel) {
    pack_k_contiguous(dst, b + j0 * ld, ld, cols - j0 < nr ? cols - j0 : nr, depth, nr);
  }
}

}  // namespace gemm_detail
}  // namespace myelin
