// Packing of A for the AVX-512 micro-kernel (gemm_ukr_avx512_14x32.cc) where A is not transposed:
// rows contiguous along k, turned into micro-panels of kMr rows k-major (gemm_pack.cc pack_a has
// the layout). 16 steps of k of a panel at a time: its rows loaded as 16 zmm (the 2 past kMr, and
// rows past `rows`, zero), a 16 x 16 transpose in registers (64 shuffles), and one store of a
// step of k per vector. The baseline SSE packing does it 4 x 4 and the last 2 rows one float at
// a time; packing A took 3-6% of square 1024 and 2048 (the shapes whose lda makes the driver
// pack A on this path), and this form gains 2-3% on them at 1 and 2 threads.
// rows = extent of the block in C's rows, depth = extent along k.
// Compiled with the AVX-512 flags of the avx512 unit (native/sources.json) and reached only
// through run-time dispatch (gemm.cc). ODR hazard: no std headers, helpers static.
#include <immintrin.h>

#include "gemm_internal.h"

// GCC 12 warns that the _mm512_undefined_ps() pass-through operand inside the unpack and
// shuffle intrinsics "may be used uninitialized" once they are inlined into the transpose; it is
// never read (every lane is selected).
#pragma GCC diagnostic push
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace myelin {
namespace gemm_detail {

static constexpr int kMr = kBlocksAvx512.mr;
static_assert(kMr <= 16, "a panel's rows must fit in the 16 lanes of a zmm register");

static inline __m512 interleave_lo64(__m512 a, __m512 b) {
  return _mm512_castpd_ps(_mm512_unpacklo_pd(_mm512_castps_pd(a), _mm512_castps_pd(b)));
}
static inline __m512 interleave_hi64(__m512 a, __m512 b) {
  return _mm512_castpd_ps(_mm512_unpackhi_pd(_mm512_castps_pd(a), _mm512_castps_pd(b)));
}

// col[c] lane i = row[i] lane c, for 16 rows of 16 floats.
static inline __attribute__((always_inline)) void transpose16(const __m512 (&row)[16],
                                                               __m512 (&col)[16]) {
  __m512 t[16], u[16];
#pragma GCC unroll 8
  for (int i = 0; i < 16; i += 2) {
    t[i] = _mm512_unpacklo_ps(row[i], row[i + 1]);
    t[i + 1] = _mm512_unpackhi_ps(row[i], row[i + 1]);
  }
  // u[4g + j], in 128-bit lane L: column 4L + j of rows 4g..4g+3.
#pragma GCC unroll 4
  for (int g = 0; g < 4; ++g) {
    const __m512* tg = t + 4 * g;
    u[4 * g + 0] = interleave_lo64(tg[0], tg[2]);
    u[4 * g + 1] = interleave_hi64(tg[0], tg[2]);
    u[4 * g + 2] = interleave_lo64(tg[1], tg[3]);
    u[4 * g + 3] = interleave_hi64(tg[1], tg[3]);
  }
#pragma GCC unroll 4
  for (int j = 0; j < 4; ++j) {
    const __m512 v0 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0x88);   // lanes 0, 2 of rows 0-7
    const __m512 v1 = _mm512_shuffle_f32x4(u[j], u[4 + j], 0xdd);   // lanes 1, 3
    const __m512 w0 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0x88);
    const __m512 w1 = _mm512_shuffle_f32x4(u[8 + j], u[12 + j], 0xdd);
    col[j] = _mm512_shuffle_f32x4(v0, w0, 0x88);
    col[8 + j] = _mm512_shuffle_f32x4(v0, w0, 0xdd);
    col[4 + j] = _mm512_shuffle_f32x4(v1, w1, 0x88);
    col[12 + j] = _mm512_shuffle_f32x4(v1, w1, 0xdd);
  }
}

// One panel: live <= kMr rows starting at a (row stride lda), depth steps of k, into dst
// (depth x kMr, k-major; rows past live zero). Each step is stored as 16 floats, the 2 past kMr
// landing on the next step's first 2, which its own store then overwrites; only the panel's
// last step is stored masked, so nothing past the panel is written.
static void pack_panel(float* dst, const float* a, long lda, int live, int depth) {
  const __mmask16 row_mask = static_cast<__mmask16>((1u << kMr) - 1u);
  for (int p0 = 0; p0 < depth; p0 += 16) {
    const int width = depth - p0 < 16 ? depth - p0 : 16;
    const __mmask16 load_mask = static_cast<__mmask16>((1u << width) - 1u);
    __m512 row[16], col[16];
#pragma GCC unroll 16
    for (int i = 0; i < 16; ++i) {
      row[i] = i < live ? _mm512_maskz_loadu_ps(load_mask, a + i * lda + p0) : _mm512_setzero_ps();
    }
    transpose16(row, col);
    float* out = dst + static_cast<long>(p0) * kMr;
    const bool last_block = p0 + 16 >= depth;
#pragma GCC unroll 16
    for (int p = 0; p < 16; ++p) {
      if (p >= width) break;
      if (last_block && p == width - 1) {
        _mm512_mask_storeu_ps(out + p * kMr, row_mask, col[p]);
      } else {
        _mm512_storeu_ps(out + p * kMr, col[p]);
      }
    }
  }
}

void pack_a_avx512(float* dst, const float* a, int lda, bool trans_a, int rows, int depth,
                   int mr) {
  if (trans_a || mr != kMr) {  // the steps of k are already contiguous: a plain copy
    pack_a(dst, a, lda, trans_a, rows, depth, mr);
    return;
  }
  for (int r0 = 0; r0 < rows; r0 += kMr) {
    const int live = rows - r0 < kMr ? rows - r0 : kMr;
    pack_panel(dst, a + static_cast<long>(r0) * lda, lda, live, depth);
    dst += static_cast<long>(depth) * kMr;
  }
}

}  // namespace gemm_detail
}  // namespace myelin

#pragma GCC diagnostic pop
