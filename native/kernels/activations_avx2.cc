// AVX2+FMA activations, forward and backward (contracts in activations_internal.h, formulas in
// activations.cc). Compiled with -mavx2 -mfma and reached only through run-time dispatch.
//
// Tails go through the same 8-wide code as the bodies, never a scalar loop (overlapping full
// vectors from 8 floats on, masked loads and stores below), so an element's result does not
// depend on where its chunk or row ends, nor on the alignment of the arrays.
//
// exp is Cephes expf (S. L. Moshier, Cephes Math Library, expf.c; the SSE port in
// sse_mathfun.h): x = n ln2 + r with |r| <= ln2/2, exp(r) by its degree-7 polynomial in Horner
// form, 2^n written into the exponent bits: within 0.9 ulp over [-87, 0], sigmoid within 3.2.
// n is rounded with the 1.5 * 2^23 trick instead of round + convert. tanh is the rational
// approximation of Eigen (generic_fast_tanh_float, the FMA clamp): an odd degree-13 over an even
// degree-6 polynomial, within 5 ulp of tanh, exactly +-1 past |x| = 7.9988, and x itself below
// 0.0004. Divisions are
// true divisions, not rcp estimates: sigmoid(+-1000) must be exactly 1 and 0.
//
// NaN in gives NaN out for sigmoid, tanh and softmax: every clamp is written min(bound, x) /
// max(bound, x), which return x when x is NaN. relu maps NaN to 0, as the generic path does.
//
// ODR hazard: this TU must not instantiate any inline function or template shared with baseline
// code, so it includes only <immintrin.h> and a declaration-only header, and its helpers are
// static. The only external symbols are the *_avx2 functions of activations_internal.h.
#include <immintrin.h>

#include "activations_internal.h"

namespace myelin {
namespace activation_detail {

namespace {

// Lanes [0, n) set, n in [0, 8].
static inline __m256i first_lanes(std::int64_t n) {
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(static_cast<int>(n)),
                            _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
}

// Lanes [8 - n, 8) set, n in [1, 8]: the floats of a row's last vector that the body vectors
// before it did not cover.
static inline __m256 last_lanes(std::int64_t n) {
  return _mm256_castsi256_ps(_mm256_cmpgt_epi32(_mm256_setr_epi32(1, 2, 3, 4, 5, 6, 7, 8),
                                                _mm256_set1_epi32(static_cast<int>(8 - n))));
}

// exp(x) for x <= 0 (and NaN), the only arguments used here. Below -88 the result is 0
// (exp(-88) = 6e-39); between -88 and -87.3 it is 0 or the subnormal.
static inline __m256 exp_nonpositive_ps(__m256 x) {
  x = _mm256_max_ps(_mm256_set1_ps(-88.0f), x);
  // t = round(x log2e) + 1.5 * 2^23 + 127: the low bits of t hold n + 127 in [0, 127], which
  // shifted into the exponent field give 2^n (0 for n = -127).
  const __m256 magic = _mm256_set1_ps(12583039.0f);
  const __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(1.44269504088896341f), magic);
  const __m256 n = _mm256_sub_ps(t, magic);
  // ln2 split in two: n * 0.693359375 is exact for |n| <= 128.
  __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(0.693359375f), x);
  r = _mm256_fnmadd_ps(n, _mm256_set1_ps(-2.12194440e-4f), r);
  __m256 p = _mm256_set1_ps(1.9875691500e-4f);
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.3981999507e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(8.3334519073e-3f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(4.1665795894e-2f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.6666665459e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(5.0000001201e-1f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  p = _mm256_fmadd_ps(p, r, _mm256_set1_ps(1.0f));
  const __m256 pow2n = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(t), 23));
  return _mm256_mul_ps(p, pow2n);
}

// 1 / (1 + exp(-|z|)) for z >= 0, exp(-|z|) / (1 + exp(-|z|)) for z < 0: neither overflows.
// blendv selects by the sign bit of z (for z = -0 both give 0.5).
static inline __m256 sigmoid_ps(__m256 z) {
  const __m256 e = exp_nonpositive_ps(_mm256_or_ps(z, _mm256_set1_ps(-0.0f)));  // exp(-|z|)
  const __m256 r = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
  return _mm256_blendv_ps(r, _mm256_mul_ps(e, r), z);
}

static inline __m256 tanh_ps(__m256 x) {
  const __m256 xc = _mm256_max_ps(_mm256_set1_ps(-7.99881172180175781f),
                                  _mm256_min_ps(_mm256_set1_ps(7.99881172180175781f), x));
  const __m256 x2 = _mm256_mul_ps(xc, xc);
  __m256 p = _mm256_set1_ps(-2.76076847742355e-16f);
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(2.00018790482477e-13f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(-8.60467152213735e-11f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(5.12229709037114e-08f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(1.48572235717979e-05f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(6.37261928875436e-04f));
  p = _mm256_fmadd_ps(p, x2, _mm256_set1_ps(4.89352455891786e-03f));
  p = _mm256_mul_ps(p, xc);
  __m256 q = _mm256_set1_ps(1.19825839466702e-06f);
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(1.18534705686654e-04f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(2.26843463243900e-03f));
  q = _mm256_fmadd_ps(q, x2, _mm256_set1_ps(4.89352518554385e-03f));
  const __m256 tiny = _mm256_cmp_ps(_mm256_andnot_ps(_mm256_set1_ps(-0.0f), x),
                                    _mm256_set1_ps(0.0004f), _CMP_LT_OQ);
  return _mm256_blendv_ps(_mm256_div_ps(p, q), x, tiny);
}

static inline float hsum(__m256 v) {
  const __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 s2 = _mm_add_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_add_ss(s2, _mm_movehdup_ps(s2)));
}

static inline float hmax(__m256 v) {
  const __m128 s = _mm_max_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  const __m128 s2 = _mm_max_ps(s, _mm_movehl_ps(s, s));
  return _mm_cvtss_f32(_mm_max_ss(s2, _mm_movehdup_ps(s2)));
}

// Floats before the first 32-byte boundary of p (0 to 7). Vectors that straddle cache lines cost
// up to a third of the bandwidth in L1 and L2 (loads more than stores, on Zen 5), and a
// Float32Array is often only 16-byte aligned, so long loops start their first input at a
// boundary.
static inline std::int64_t floats_to_boundary(const float* p) {
  return static_cast<std::int64_t>((0 - reinterpret_cast<std::uintptr_t>(p)) / sizeof(float)) & 7;
}

// The elementwise loops take the 8-wide operation as a plain function pointer (helpers are
// static inline, so the call is inlined; no template is instantiated here). From 8 floats on,
// the ends are full vectors too: one at the first float (only when the body starts later, at a
// boundary of the first input) and one ending at the last float, which overlaps the body unless
// the lengths line up. Both are computed before the body stores anything (the output may be the
// input) and stored after it, so a float shared with the body gets the same value twice. Below 8
// floats, masked loads and stores.
using UnaryOp = __m256 (*)(__m256);
using BinaryOp = __m256 (*)(__m256 dy, __m256 y);

constexpr std::int64_t kAlignFrom = 64;  // floats; shorter loops are not worth the extra vector

static inline void map_unary(float* y, const float* z, std::int64_t count, UnaryOp op) {
  if (count < 8) {
    const __m256i m = first_lanes(count);
    _mm256_maskstore_ps(y, m, op(_mm256_maskload_ps(z, m)));
    return;
  }
  const std::int64_t start = count >= kAlignFrom ? floats_to_boundary(z) : 0;
  const std::int64_t end = count - 8;
  const __m256 first = start != 0 ? op(_mm256_loadu_ps(z)) : _mm256_setzero_ps();
  const __m256 last = op(_mm256_loadu_ps(z + end));
  for (std::int64_t i = start; i < end; i += 8) {
    _mm256_storeu_ps(y + i, op(_mm256_loadu_ps(z + i)));
  }
  if (start != 0) _mm256_storeu_ps(y, first);
  _mm256_storeu_ps(y + end, last);
}

static inline void map_binary(float* dz, const float* dy, const float* y, std::int64_t count,
                              BinaryOp op) {
  if (count < 8) {
    const __m256i m = first_lanes(count);
    _mm256_maskstore_ps(dz, m, op(_mm256_maskload_ps(dy, m), _mm256_maskload_ps(y, m)));
    return;
  }
  const std::int64_t start = count >= kAlignFrom ? floats_to_boundary(dy) : 0;
  const std::int64_t end = count - 8;
  const __m256 first =
      start != 0 ? op(_mm256_loadu_ps(dy), _mm256_loadu_ps(y)) : _mm256_setzero_ps();
  const __m256 last = op(_mm256_loadu_ps(dy + end), _mm256_loadu_ps(y + end));
  for (std::int64_t i = start; i < end; i += 8) {
    _mm256_storeu_ps(dz + i, op(_mm256_loadu_ps(dy + i), _mm256_loadu_ps(y + i)));
  }
  if (start != 0) _mm256_storeu_ps(dz, first);
  _mm256_storeu_ps(dz + end, last);
}

// max(z, 0) returns its second operand for NaN and for z == -0: exactly z > 0 ? z : 0.
static inline __m256 relu_ps(__m256 z) { return _mm256_max_ps(z, _mm256_setzero_ps()); }

static inline __m256 relu_grad_ps(__m256 dy, __m256 y) {
  return _mm256_and_ps(_mm256_cmp_ps(y, _mm256_setzero_ps(), _CMP_GT_OQ), dy);
}

static inline __m256 sigmoid_grad_ps(__m256 dy, __m256 y) {
  return _mm256_mul_ps(_mm256_mul_ps(dy, y), _mm256_sub_ps(_mm256_set1_ps(1.0f), y));
}

static inline __m256 tanh_grad_ps(__m256 dy, __m256 y) {
  return _mm256_mul_ps(dy, _mm256_fnmadd_ps(y, y, _mm256_set1_ps(1.0f)));
}

// Softmax rows of fewer than 8 floats: one masked vector each.
static void softmax_forward_narrow(float* y, const float* z, std::int64_t rows, int cols) {
  const __m256i m = first_lanes(cols);
  const __m256 keep = _mm256_castsi256_ps(m);
  const __m256 neg_inf = _mm256_set1_ps(-__builtin_inff());
  for (std::int64_t r = 0; r < rows; ++r) {
    const __m256 v = _mm256_blendv_ps(neg_inf, _mm256_maskload_ps(z + r * cols, m), keep);
    const __m256 e =
        _mm256_and_ps(exp_nonpositive_ps(_mm256_sub_ps(v, _mm256_set1_ps(hmax(v)))), keep);
    _mm256_maskstore_ps(y + r * cols, m, _mm256_mul_ps(e, _mm256_set1_ps(1.0f / hsum(e))));
  }
}

static void softmax_backward_narrow(float* dz, const float* dy, const float* y, std::int64_t rows,
                                    int cols) {
  const __m256i m = first_lanes(cols);
  for (std::int64_t r = 0; r < rows; ++r) {
    const __m256 g = _mm256_maskload_ps(dy + r * cols, m);
    const __m256 v = _mm256_maskload_ps(y + r * cols, m);
    const __m256 dot = _mm256_set1_ps(hsum(_mm256_mul_ps(g, v)));
    _mm256_maskstore_ps(dz + r * cols, m, _mm256_mul_ps(v, _mm256_sub_ps(g, dot)));
  }
}

}  // namespace

void relu_forward_avx2(float* y, const float* z, std::int64_t count) {
  map_unary(y, z, count, relu_ps);
}

void relu_backward_avx2(float* dz, const float* dy, const float* y, std::int64_t count) {
  map_binary(dz, dy, y, count, relu_grad_ps);
}

void sigmoid_forward_avx2(float* y, const float* z, std::int64_t count) {
  map_unary(y, z, count, sigmoid_ps);
}

void sigmoid_backward_avx2(float* dz, const float* dy, const float* y, std::int64_t count) {
  map_binary(dz, dy, y, count, sigmoid_grad_ps);
}

void tanh_forward_avx2(float* y, const float* z, std::int64_t count) {
  map_unary(y, z, count, tanh_ps);
}

void tanh_backward_avx2(float* dz, const float* dy, const float* y, std::int64_t count) {
  map_binary(dz, dy, y, count, tanh_grad_ps);
}

// Three passes over a row, which is in L1 after the first: max, exp and sum, scale. A row of 8
// or more floats is body vectors from its start and a last vector ending at its end, which
// overlaps the body unless cols is a multiple of 8 (as in map_unary); the lanes it shares with
// the body are left out of the sum. The sum is float in 8 lanes (at most cols/8 terms each, all
// positive), added up in an order fixed by cols.
void softmax_forward_avx2(float* y, const float* z, std::int64_t rows, int cols) {
  if (cols < 8) {
    softmax_forward_narrow(y, z, rows, cols);
    return;
  }
  const std::int64_t last = cols - 8;
  const __m256 fresh = last_lanes(((cols - 1) & 7) + 1);
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* zr = z + r * cols;
    float* yr = y + r * cols;
    const __m256 zlast = _mm256_loadu_ps(zr + last);
    __m256 vmax = zlast;
    for (std::int64_t j = 0; j < last; j += 8) vmax = _mm256_max_ps(vmax, _mm256_loadu_ps(zr + j));
    const __m256 zmax = _mm256_set1_ps(hmax(vmax));
    const __m256 elast = exp_nonpositive_ps(_mm256_sub_ps(zlast, zmax));
    __m256 vsum = _mm256_and_ps(elast, fresh);
    for (std::int64_t j = 0; j < last; j += 8) {
      const __m256 e = exp_nonpositive_ps(_mm256_sub_ps(_mm256_loadu_ps(zr + j), zmax));
      _mm256_storeu_ps(yr + j, e);
      vsum = _mm256_add_ps(vsum, e);
    }
    const __m256 inv = _mm256_set1_ps(1.0f / hsum(vsum));
    for (std::int64_t j = 0; j < last; j += 8) {
      _mm256_storeu_ps(yr + j, _mm256_mul_ps(_mm256_loadu_ps(yr + j), inv));
    }
    _mm256_storeu_ps(yr + last, _mm256_mul_ps(elast, inv));
  }
}

// dz_j = y_j (dy_j - sum_i dy_i y_i); the dot product in float, in four accumulators of 8 lanes,
// added up in an order fixed by cols. Rows split into body and last vector as in the forward.
void softmax_backward_avx2(float* dz, const float* dy, const float* y, std::int64_t rows,
                           int cols) {
  if (cols < 8) {
    softmax_backward_narrow(dz, dy, y, rows, cols);
    return;
  }
  const std::int64_t last = cols - 8;
  const __m256 fresh = last_lanes(((cols - 1) & 7) + 1);
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* dyr = dy + r * cols;
    const float* yr = y + r * cols;
    float* dzr = dz + r * cols;
    const __m256 glast = _mm256_loadu_ps(dyr + last);
    const __m256 ylast = _mm256_loadu_ps(yr + last);
    __m256 acc0 = _mm256_mul_ps(_mm256_and_ps(glast, fresh), ylast);
    __m256 acc1 = _mm256_setzero_ps(), acc2 = acc1, acc3 = acc1;
    std::int64_t j = 0;
    for (; j + 24 < last; j += 32) {
      acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(dyr + j), _mm256_loadu_ps(yr + j), acc0);
      acc1 = _mm256_fmadd_ps(_mm256_loadu_ps(dyr + j + 8), _mm256_loadu_ps(yr + j + 8), acc1);
      acc2 = _mm256_fmadd_ps(_mm256_loadu_ps(dyr + j + 16), _mm256_loadu_ps(yr + j + 16), acc2);
      acc3 = _mm256_fmadd_ps(_mm256_loadu_ps(dyr + j + 24), _mm256_loadu_ps(yr + j + 24), acc3);
    }
    for (; j < last; j += 8) {
      acc0 = _mm256_fmadd_ps(_mm256_loadu_ps(dyr + j), _mm256_loadu_ps(yr + j), acc0);
    }
    const __m256 dot =
        _mm256_set1_ps(hsum(_mm256_add_ps(_mm256_add_ps(acc0, acc1), _mm256_add_ps(acc2, acc3))));
    const __m256 dzlast = _mm256_mul_ps(ylast, _mm256_sub_ps(glast, dot));
    for (j = 0; j < last; j += 8) {
      _mm256_storeu_ps(dzr + j, _mm256_mul_ps(_mm256_loadu_ps(yr + j),
                                              _mm256_sub_ps(_mm256_loadu_ps(dyr + j), dot)));
    }
    _mm256_storeu_ps(dzr + last, dzlast);
  }
}

}  // namespace activation_detail
}  // namespace myelin
