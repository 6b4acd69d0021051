// AVX-512 micro-kernel, 14x32 register tile: 28 zmm accumulators (14 rows x 2 vectors of 16),
// 2 zmm for the B row, 1 for the broadcast A element = 31 of the 32 zmm registers. Each step of k
// is 28 FMAs for 2 loads of B and 14 broadcasts of A, which two 512-bit FMA pipes and the load
// ports of a Zen 5 or Skylake-X core sustain at one tile step per 14 cycles.
// Compiled with -mavx512f -mavx512vl -mavx512bw -mavx512dq -mfma -mavx2 and reached only through
// run-time dispatch (gemm.cc, when cpu_features reports AVX-512).
//
// Two entry points share the tile: ukr_avx512_14x32 reads A from a packed micro-panel (MR floats
// per step of k), ukr_avx512_14x32_direct reads it where it lies in op(A): A transposed has the
// MR values of a step contiguous (the packed form with a row stride of lda), A not transposed has
// them lda apart, read through 4 row pointers (rows 0-3, 4-7, 8-11, 12-13) and 3 constant
// offsets, so all 14 addresses stay in general registers.
//
// Edge tiles: fewer rows run a tile with only those rows (a template per row count, the same
// FMA chain per element); fewer columns use the same code with masked loads and stores of C, so
// the B panel (zero-padded when packed) is read whole and C outside the tile is never touched.
// Every element is reduced over k in order 0..kc-1 whatever rows and cols are, and whichever entry
// point reads A: the same FMA chain per element, so the same bits.
//
// ODR hazard: this TU must not instantiate any inline function or template shared with baseline
// code (no std headers). Helpers are static (internal linkage, never a weak symbol); the only
// external symbols are the two entry points.
#include <immintrin.h>

#include "gemm_internal.h"

// GCC 12's _mm512_max_ps passes _mm512_undefined_ps(), a self-initialized variable, as the unused
// merge operand, which -Wmaybe-uninitialized reports once inlined (GCC bug 105593, fixed in 13).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace myelin {
namespace gemm_detail {

static constexpr int kMr = kBlocksAvx512.mr;
static constexpr int kNr = kBlocksAvx512.nr;
static constexpr int kVecs = kNr / 16;  // zmm vectors per row of the tile
static_assert(kNr % 16 == 0 && kMr * kVecs + kVecs + 1 <= 32, "the tile must fit in 32 zmm");

// c (R x kNr) = finish(alpha * acc + beta * c), or finish(alpha * acc) when beta == 0 (c not
// read); columns limited by mask[v] for vector v unless kFull (all kNr columns live). alpha == 1
// skips the multiply and beta == 1 the scaling of C (x * 1 == x exactly, NaN included, so the
// bits are those of the general form): 28 fewer operations on the FMA pipes per tile, a few
// percent of a tile with a short k (square 64: 10 tiles of k = 64). finish(x, v) is the
// epilogue's bias and ReLU for vector v of a row, or x.
template <int R, bool kFull, typename Op, typename Finish>
static inline __attribute__((always_inline)) void store_each(float* c, long ldc,
                                                              const __m512 (&acc)[R][kVecs],
                                                              const __mmask16* mask, Op op,
                                                              Finish finish) {
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) {
      float* cv = c + r * ldc + 16 * v;
      if (kFull) {
        _mm512_storeu_ps(cv, finish(op(acc[r][v], [cv] { return _mm512_loadu_ps(cv); }), v));
      } else {
        const __mmask16 m = mask[v];
        const auto load = [cv, m] { return _mm512_maskz_loadu_ps(m, cv); };
        _mm512_mask_storeu_ps(cv, m, finish(op(acc[r][v], load), v));
      }
    }
  }
}

// kShortcuts: the alpha == 1 and beta == 1 forms; without them (the tiles that finish, once per
// tile of C, where the FMA pipes have nothing to gain) fewer copies of the store code.
template <int R, bool kFull, bool kShortcuts, typename Finish>
static inline __attribute__((always_inline)) void write_scaled(float* c, long ldc,
                                                                const __m512 (&acc)[R][kVecs],
                                                                float alpha, float beta,
                                                                const __mmask16* mask,
                                                                Finish finish) {
  const __m512 va = _mm512_set1_ps(alpha);
  const __m512 vb = _mm512_set1_ps(beta);
  if (!kShortcuts) {
    if (beta == 0.0f) {
      store_each<R, kFull>(
          c, ldc, acc, mask, [va](__m512 x, auto) { return _mm512_mul_ps(va, x); }, finish);
    } else {
      store_each<R, kFull>(
          c, ldc, acc, mask,
          [va, vb](__m512 x, auto old) { return _mm512_fmadd_ps(va, x, _mm512_mul_ps(vb, old())); },
          finish);
    }
    return;
  }
  if (beta == 0.0f && alpha == 1.0f) {
    store_each<R, kFull>(c, ldc, acc, mask, [](__m512 x, auto) { return x; }, finish);
  } else if (beta == 0.0f) {
    store_each<R, kFull>(
        c, ldc, acc, mask, [va](__m512 x, auto) { return _mm512_mul_ps(va, x); }, finish);
  } else if (beta == 1.0f) {
    store_each<R, kFull>(
        c, ldc, acc, mask, [va](__m512 x, auto old) { return _mm512_fmadd_ps(va, x, old()); },
        finish);
  } else {
    store_each<R, kFull>(
        c, ldc, acc, mask,
        [va, vb](__m512 x, auto old) { return _mm512_fmadd_ps(va, x, _mm512_mul_ps(vb, old())); },
        finish);
  }
}

// The epilogue's bias (null: none) and ReLU go on in registers, before the store: one add, then
// max(x, 0), which maps NaN and -0 to +0 (vmaxps returns its second operand when either is NaN or
// both are 0), the bits of finish_generic. With ReLU a missing bias adds +0, which changes no
// value that max(x, 0) lets through.
template <int R, bool kFull>
static inline __attribute__((always_inline)) void write_back(float* c, long ldc,
                                                              const __m512 (&acc)[R][kVecs],
                                                              float alpha, float beta,
                                                              const __mmask16* mask,
                                                              const float* bias, bool relu) {
  if (bias == nullptr && !relu) {
    write_scaled<R, kFull, true>(c, ldc, acc, alpha, beta, mask,
                                 [](__m512 x, int) { return x; });
    return;
  }
  __m512 b[kVecs];
#pragma GCC unroll 4
  for (int v = 0; v < kVecs; ++v) {
    b[v] = bias == nullptr ? _mm512_setzero_ps()
           : kFull         ? _mm512_loadu_ps(bias + 16 * v)
                           : _mm512_maskz_loadu_ps(mask[v], bias + 16 * v);
  }
  if (relu) {
    write_scaled<R, kFull, false>(c, ldc, acc, alpha, beta, mask, [&b](__m512 x, int v) {
      return _mm512_max_ps(_mm512_add_ps(x, b[v]), _mm512_setzero_ps());
    });
  } else {
    write_scaled<R, kFull, false>(c, ldc, acc, alpha, beta, mask,
                                  [&b](__m512 x, int v) { return _mm512_add_ps(x, b[v]); });
  }
}

// c (R x kNr, row stride ldc; columns limited by mask[v] for vector v) =
// alpha * (a * b) + beta * c, or alpha * (a * b) when beta == 0 (c not read). Element (r, p) of
// a is a[r + p*a_s], or a[r*a_s + p] when kRowsApart (only the first R rows are read); b is
// kc x kNr k-major with rows b_rs floats apart. Accumulators are indexed by constants only
// (fully unrolled), so they stay in registers.
template <int R, bool kRowsApart>
static inline __attribute__((always_inline)) void tile(float* c, const float* a, long a_s,
                                                        const float* b, long b_rs, int kc,
                                                        long ldc, float alpha, float beta,
                                                        const __mmask16* mask, const float* bias,
                                                        bool relu) {
  __m512 acc[R][kVecs];
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) acc[r][v] = _mm512_setzero_ps();

  // kRowsApart: row r is rows[r / 4] + (r % 4) * a_s (no pointer past the rows read).
  const float* rows[4] = {a, kRowsApart && R > 4 ? a + 4 * a_s : a,
                          kRowsApart && R > 8 ? a + 8 * a_s : a,
                          kRowsApart && R > 12 ? a + 12 * a_s : a};

  // The C tile is written once at the end; start pulling it in now so the stores do not stall.
#pragma GCC unroll 16
  for (int r = 0; r < R; ++r) {
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc), _MM_HINT_T0);
    _mm_prefetch(reinterpret_cast<const char*>(c + r * ldc + kNr - 1), _MM_HINT_T0);
  }

#pragma GCC unroll 4
  for (int p = 0; p < kc; ++p) {
    __m512 bv[kVecs];
#pragma GCC unroll 4
    for (int v = 0; v < kVecs; ++v) bv[v] = _mm512_loadu_ps(b + 16 * v);
#pragma GCC unroll 16
    for (int r = 0; r < R; ++r) {
      const __m512 ar = _mm512_set1_ps(kRowsApart ? rows[r / 4][(r % 4) * a_s] : a[r]);
#pragma GCC unroll 4
      for (int v = 0; v < kVecs; ++v) acc[r][v] = _mm512_fmadd_ps(ar, bv[v], acc[r][v]);
    }
    if (kRowsApart) {
#pragma GCC unroll 4
      for (int q = 0; q < 4; ++q) ++rows[q];
    } else {
      a += a_s;
    }
    b += b_rs;
  }

  // Whole rows of 32 columns (every tile but the last of a row of C) write with plain stores:
  // masked zmm stores cost more on Zen 5 (square 64: +4% without them).
  if (mask[kVecs - 1] == static_cast<__mmask16>(0xFFFF)) {
    write_back<R, true>(c, ldc, acc, alpha, beta, mask, bias, relu);
  } else {
    write_back<R, false>(c, ldc, acc, alpha, beta, mask, bias, relu);
  }
}

// tile<rows> for 1 <= rows <= R.
template <int R, bool kRowsApart>
static void tile_rows(int rows, float* c, const float* a, long a_s, const float* b, long b_rs,
                      int kc, long ldc, float alpha, float beta, const __mmask16* mask,
                      const float* bias, bool relu) {
  if constexpr (R > 1) {
    if (rows < R) {
      tile_rows<R - 1, kRowsApart>(rows, c, a, a_s, b, b_rs, kc, ldc, alpha, beta, mask, bias,
                                   relu);
      return;
    }
  }
  tile<R, kRowsApart>(c, a, a_s, b, b_rs, kc, ldc, alpha, beta, mask, bias, relu);
}

template <bool kRowsApart>
static void run(float* c, const float* a, long a_s, const float* b, int b_rs, int kc, int ldc,
                int rows, int cols, float alpha, float beta, const float* bias, bool relu) {
  __mmask16 mask[kVecs];
  for (int v = 0; v < kVecs; ++v) {
    const int live = cols - 16 * v;
    mask[v] = live >= 16 ? static_cast<__mmask16>(0xFFFF)
              : live > 0 ? static_cast<__mmask16>((1u << live) - 1u)
                         : static_cast<__mmask16>(0);
  }
  if (rows == kMr) {
    tile<kMr, kRowsApart>(c, a, a_s, b, b_rs, kc, ldc, alpha, beta, mask, bias, relu);
    return;
  }
  tile_rows<kMr - 1, kRowsApart>(rows, c, a, a_s, b, b_rs, kc, ldc, alpha, beta, mask, bias,
                                 relu);
}

void ukr_avx512_14x32(float* c, const float* a_panel, const float* b_panel, int b_rs, int kc,
                      int ldc, int rows, int cols, float alpha, float beta, const float* bias,
                      bool relu) {
  run<false>(c, a_panel, kMr, b_panel, b_rs, kc, ldc, rows, cols, alpha, beta, bias, relu);
}

void ukr_avx512_14x32_direct(float* c, const float* a, int a_rs, int a_cs, const float* b,
                             int b_rs, int kc, int ldc, int rows, int cols, float alpha,
                             float beta, const float* bias, bool relu) {
  if (a_rs == 1) {
    run<false>(c, a, a_cs, b, b_rs, kc, ldc, rows, cols, alpha, beta, bias, relu);
  } else {
    run<true>(c, a, a_rs, b, b_rs, kc, ldc, rows, cols, alpha, beta, bias, relu);
  }
}

}  // namespace gemm_detail
}  // namespace myelin
