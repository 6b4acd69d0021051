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
// expm1 (elu, selu, the softplus derivative) shares exp's range reduction and polynomial, and
// keeps the e^r - 1 part apart from the 1, so it is accurate near 0 where exp(x) - 1 would cancel.
// log1p (softplus) is only needed on [0, 1]: Cephes logf's polynomial (logf.c, as in
// sse_mathfun.h's log_ps) on 1 + x with x in [sqrt(1/2) - 1, sqrt 2 - 1], without the rounding of
// forming 1 + x. erf (gelu) is the rational approximation of Eigen (generic_fast_erf_float, also
// XLA's): an odd degree-13 over an even degree-8 polynomial on [-4, 4], +-1 outside, absolute error
// below 2e-7.
//
// NaN in gives NaN out for every activation but relu and relu6, which map it to 0 as the generic
// path does: every clamp is written min(bound, x) / max(bound, x), which return x when x is NaN.
//
// ODR hazard: this TU must not instantiate any inline function or template shared with baseline
// code, so it includes only <immintrin.h> and a declaration-only header, and its helpers are
// static. The only external symbols are the *_avx2 functions of activations_internal.h.
#include <immintrin.h>

#include "activation_constants.h"
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

// c[0] x^(N-1) + ... + c[N-1] by Horner's rule, one FMA a step (coefficients from
// activation_constants.h).
template <int N>
static inline __m256 horner(__m256 x, const float (&c)[N]) {
  __m256 p = _mm256_set1_ps(c[0]);
  for (int i = 1; i < N; ++i) p = _mm256_fmadd_ps(p, x, _mm256_set1_ps(c[i]));
  return p;
}

// exp(x) = 2^n e^r with |r| <= ln2/2, for x <= 0 (and NaN), the only arguments used here: returns
// r and sets *pow2n = 2^n. Below -88 the result is 0 (exp(-88) = 6e-39); between -88 and -87.3 it
// is 0 or the subnormal.
static inline __m256 exp_reduce(__m256 x, __m256* pow2n) {
  x = _mm256_max_ps(_mm256_set1_ps(-88.0f), x);
  // t = round(x log2e) + 1.5 * 2^23 + 127: the low bits of t hold n + 127 in [0, 127], which
  // shifted into the exponent field give 2^n (0 for n = -127).
  const __m256 magic = _mm256_set1_ps(12583039.0f);
  const __m256 t = _mm256_fmadd_ps(x, _mm256_set1_ps(kLog2e), magic);
  const __m256 n = _mm256_sub_ps(t, magic);
  *pow2n = _mm256_castsi256_ps(_mm256_slli_epi32(_mm256_castps_si256(t), 23));
  // ln2 split in two (activation_constants.h): n * kLn2Hi is exact.
  const __m256 r = _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Hi), x);
  return _mm256_fnmadd_ps(n, _mm256_set1_ps(kLn2Lo), r);
}

// q(r) with e^r = 1 + r q(r): the Cephes polynomial but its last step.
static inline __m256 exp_poly(__m256 r) { return horner(r, kExpPoly); }

static inline __m256 exp_nonpositive_ps(__m256 x) {
  __m256 pow2n;
  const __m256 r = exp_reduce(x, &pow2n);
  return _mm256_mul_ps(_mm256_fmadd_ps(exp_poly(r), r, _mm256_set1_ps(1.0f)), pow2n);
}

// exp(x) - 1 = 2^n (e^r - 1) + (2^n - 1) for x <= 0 (and NaN): for |x| <= ln2/2, n = 0 and the
// result is r q(r) alone; -1 below -88.
static inline __m256 expm1_nonpositive_ps(__m256 x) {
  __m256 pow2n;
  const __m256 r = exp_reduce(x, &pow2n);
  return _mm256_fmadd_ps(_mm256_mul_ps(r, exp_poly(r)), pow2n,
                         _mm256_sub_ps(pow2n, _mm256_set1_ps(1.0f)));
}

// log(1 + e) for e in [0, 1] (and NaN): log(1 + e) = k ln2 + log(1 + x) with x = e, k = 0 up to
// sqrt 2 - 1, else x = (1 + e) / 2 - 1 = (e - 1) / 2 and k = 1; log(1 + x) = x - x^2/2 + x^3 P(x).
static inline __m256 log1p_unit_ps(__m256 e) {
  const __m256 one = _mm256_set1_ps(1.0f);
  const __m256 big = _mm256_cmp_ps(e, _mm256_set1_ps(0.41421356237f), _CMP_GT_OQ);
  const __m256 x =
      _mm256_blendv_ps(e, _mm256_mul_ps(_mm256_sub_ps(e, one), _mm256_set1_ps(0.5f)), big);
  const __m256 k = _mm256_and_ps(big, one);
  const __m256 x2 = _mm256_mul_ps(x, x);
  __m256 p = horner(x, kLog1pPoly);
  __m256 y = _mm256_mul_ps(_mm256_mul_ps(p, x), x2);
  y = _mm256_fmadd_ps(k, _mm256_set1_ps(kLn2Lo), y);
  y = _mm256_fnmadd_ps(_mm256_set1_ps(0.5f), x2, y);
  return _mm256_fmadd_ps(k, _mm256_set1_ps(kLn2Hi), _mm256_add_ps(x, y));
}

static inline __m256 erf_ps(__m256 x) {
  const __m256 xc = _mm256_max_ps(_mm256_set1_ps(-4.0f), _mm256_min_ps(_mm256_set1_ps(4.0f), x));
  const __m256 x2 = _mm256_mul_ps(xc, xc);
  __m256 p = horner(x2, kErfP);
  __m256 q = horner(x2, kErfQ);
  return _mm256_div_ps(_mm256_mul_ps(xc, p), q);
}

// 1 / (1 + exp(-|z|)) for z >= 0, exp(-|z|) / (1 + exp(-|z|)) for z < 0: neither overflows.
// blendv selects by the sign bit of z (for z = -0 both give 0.5).
static inline __m256 sigmoid_ps(__m256 z) {
  const __m256 e = exp_nonpositive_ps(_mm256_or_ps(z, _mm256_set1_ps(-0.0f)));  // exp(-|z|)
  const __m256 r = _mm256_div_ps(_mm256_set1_ps(1.0f), _mm256_add_ps(_mm256_set1_ps(1.0f), e));
  return _mm256_blendv_ps(r, _mm256_mul_ps(e, r), z);
}

static inline __m256 tanh_ps(__m256 x) {
  const __m256 xc = _mm256_max_ps(_mm256_set1_ps(-kTanhClamp),
                                  _mm256_min_ps(_mm256_set1_ps(kTanhClamp), x));
  const __m256 x2 = _mm256_mul_ps(xc, xc);
  __m256 p = horner(x2, kTanhP);
  p = _mm256_mul_ps(p, xc);
  __m256 q = horner(x2, kTanhQ);
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
// static inline and the loops always_inline, so with some fifteen callers each call still
// inlines its operation; no template is instantiated here). From 8 floats on,
// the ends are full vectors too: one at the first float (only when the body starts later, at a
// boundary of the first input) and one ending at the last float, which overlaps the body unless
// the lengths line up. Both are computed before the body stores anything (the output may be the
// input) and stored after it, so a float shared with the body gets the same value twice. Below 8
// floats, masked loads and stores. Every operation takes alpha (broadcast), used by leakyRelu
// and elu only.
using UnaryOp = __m256 (*)(__m256 z, __m256 alpha);
using BinaryOp = __m256 (*)(__m256 dy, __m256 v, __m256 alpha);

constexpr std::int64_t kAlignFrom = 64;  // floats; shorter loops are not worth the extra vector

__attribute__((always_inline)) static inline void map_unary(float* y, const float* z,
                                                            std::int64_t count, float alpha,
                                                            UnaryOp op) {
  const __m256 a = _mm256_set1_ps(alpha);
  if (count < 8) {
    const __m256i m = first_lanes(count);
    _mm256_maskstore_ps(y, m, op(_mm256_maskload_ps(z, m), a));
    return;
  }
  const std::int64_t start = count >= kAlignFrom ? floats_to_boundary(z) : 0;
  const std::int64_t end = count - 8;
  const __m256 first = start != 0 ? op(_mm256_loadu_ps(z), a) : _mm256_setzero_ps();
  const __m256 last = op(_mm256_loadu_ps(z + end), a);
  for (std::int64_t i = start; i < end; i += 8) {
    _mm256_storeu_ps(y + i, op(_mm256_loadu_ps(z + i), a));
  }
  if (start != 0) _mm256_storeu_ps(y, first);
  _mm256_storeu_ps(y + end, last);
}

__attribute__((always_inline)) static inline void map_binary(float* dz, const float* dy,
                                                             const float* v, std::int64_t count,
                                                             float alpha, BinaryOp op) {
  const __m256 a = _mm256_set1_ps(alpha);
  if (count < 8) {
    const __m256i m = first_lanes(count);
    _mm256_maskstore_ps(dz, m, op(_mm256_maskload_ps(dy, m), _mm256_maskload_ps(v, m), a));
    return;
  }
  const std::int64_t start = count >= kAlignFrom ? floats_to_boundary(dy) : 0;
  const std::int64_t end = count - 8;
  const __m256 first =
      start != 0 ? op(_mm256_loadu_ps(dy), _mm256_loadu_ps(v), a) : _mm256_setzero_ps();
  const __m256 last = op(_mm256_loadu_ps(dy + end), _mm256_loadu_ps(v + end), a);
  for (std::int64_t i = start; i < end; i += 8) {
    _mm256_storeu_ps(dz + i, op(_mm256_loadu_ps(dy + i), _mm256_loadu_ps(v + i), a));
  }
  if (start != 0) _mm256_storeu_ps(dz, first);
  _mm256_storeu_ps(dz + end, last);
}

static inline __m256 splat(float v) { return _mm256_set1_ps(v); }

// [lo < v < hi] as a lane mask (false for NaN).
static inline __m256 inside(__m256 v, float lo, float hi) {
  return _mm256_and_ps(_mm256_cmp_ps(v, splat(lo), _CMP_GT_OQ),
                       _mm256_cmp_ps(v, splat(hi), _CMP_LT_OQ));
}

static inline __m256 positive(__m256 v) {
  return _mm256_cmp_ps(v, _mm256_setzero_ps(), _CMP_GT_OQ);
}

// Operations, forward (z, alpha) beside derivative (dy, v, alpha); v is y or z as
// activations_internal.h says. Formulas and constants in activations.cc.

// max(z, 0) returns its second operand for NaN and for z == -0: exactly z > 0 ? z : 0.
static inline __m256 relu_ps(__m256 z, __m256) { return _mm256_max_ps(z, _mm256_setzero_ps()); }

static inline __m256 relu_grad_ps(__m256 dy, __m256 y, __m256) {
  return _mm256_and_ps(positive(y), dy);
}

static inline __m256 sigmoid_op(__m256 z, __m256) { return sigmoid_ps(z); }

static inline __m256 sigmoid_grad_ps(__m256 dy, __m256 y, __m256) {
  return _mm256_mul_ps(_mm256_mul_ps(dy, y), _mm256_sub_ps(splat(1.0f), y));
}

static inline __m256 tanh_op(__m256 z, __m256) { return tanh_ps(z); }

static inline __m256 tanh_grad_ps(__m256 dy, __m256 y, __m256) {
  return _mm256_mul_ps(dy, _mm256_fnmadd_ps(y, y, splat(1.0f)));
}

// +-1 with the sign bit of z where z != 0; z itself (+-0 or NaN) elsewhere.
static inline __m256 sign_ps(__m256 z, __m256) {
  const __m256 unit = _mm256_or_ps(_mm256_and_ps(z, splat(-0.0f)), splat(1.0f));
  return _mm256_blendv_ps(z, unit, _mm256_cmp_ps(z, _mm256_setzero_ps(), _CMP_NEQ_OQ));
}

static inline __m256 hard_tanh_ps(__m256 z, __m256) {
  return _mm256_min_ps(splat(1.0f), _mm256_max_ps(splat(-1.0f), z));
}

static inline __m256 hard_tanh_grad_ps(__m256 dy, __m256 y, __m256) {
  return _mm256_and_ps(inside(y, -1.0f, 1.0f), dy);
}

static inline __m256 hard_sigmoid_ps(__m256 z, __m256) {
  const __m256 h = _mm256_fmadd_ps(z, splat(0.2f), splat(0.5f));
  return _mm256_min_ps(splat(1.0f), _mm256_max_ps(_mm256_setzero_ps(), h));
}

static inline __m256 hard_sigmoid_grad_ps(__m256 dy, __m256 y, __m256) {
  return _mm256_and_ps(inside(y, 0.0f, 1.0f), _mm256_mul_ps(dy, splat(0.2f)));
}

static inline __m256 relu6_ps(__m256 z, __m256) {
  return _mm256_min_ps(splat(6.0f), _mm256_max_ps(z, _mm256_setzero_ps()));
}

static inline __m256 relu6_grad_ps(__m256 dy, __m256 y, __m256) {
  return _mm256_and_ps(inside(y, 0.0f, 6.0f), dy);
}

static inline __m256 leaky_relu_ps(__m256 z, __m256 alpha) {
  return _mm256_blendv_ps(_mm256_mul_ps(alpha, z), z, positive(z));
}

static inline __m256 leaky_relu_grad_ps(__m256 dy, __m256 y, __m256 alpha) {
  return _mm256_blendv_ps(_mm256_mul_ps(alpha, dy), dy, positive(y));
}

// alpha (exp(z) - 1) for z <= 0; min(0, z) keeps NaN and spares expm1 the positive side.
static inline __m256 elu_negative(__m256 z, __m256 alpha) {
  return _mm256_mul_ps(alpha, expm1_nonpositive_ps(_mm256_min_ps(_mm256_setzero_ps(), z)));
}

static inline __m256 elu_ps(__m256 z, __m256 alpha) {
  return _mm256_blendv_ps(elu_negative(z, alpha), z, positive(z));
}

static inline __m256 elu_grad_ps(__m256 dy, __m256 y, __m256 alpha) {
  return _mm256_blendv_ps(_mm256_mul_ps(dy, _mm256_add_ps(y, alpha)), dy, positive(y));
}

static inline __m256 selu_ps(__m256 z, __m256) {
  return _mm256_mul_ps(splat(kSeluScale), elu_ps(z, splat(kSeluAlpha)));
}

static inline __m256 selu_grad_ps(__m256 dy, __m256 y, __m256) {
  const __m256 negative = _mm256_mul_ps(dy, _mm256_add_ps(y, splat(kSeluScale * kSeluAlpha)));
  return _mm256_blendv_ps(negative, _mm256_mul_ps(dy, splat(kSeluScale)), positive(y));
}

// Phi(z) = 0.5 (1 + erf(z / sqrt 2)).
static inline __m256 normal_cdf(__m256 z) {
  return _mm256_fmadd_ps(erf_ps(_mm256_mul_ps(z, splat(kSqrtHalf))), splat(0.5f), splat(0.5f));
}

static inline __m256 gelu_ps(__m256 z, __m256) { return _mm256_mul_ps(z, normal_cdf(z)); }

// Phi(z) + z phi(z); exp(-z^2/2) goes to 0 (never NaN) for huge |z|.
static inline __m256 gelu_grad_ps(__m256 dy, __m256 z, __m256) {
  const __m256 density = _mm256_mul_ps(
      splat(kInvSqrt2Pi), exp_nonpositive_ps(_mm256_mul_ps(splat(-0.5f), _mm256_mul_ps(z, z))));
  return _mm256_mul_ps(dy, _mm256_fmadd_ps(z, density, normal_cdf(z)));
}

static inline __m256 clamp10(__m256 z) {
  return _mm256_max_ps(splat(-10.0f), _mm256_min_ps(splat(10.0f), z));
}

// u = sqrt(2/pi) (c + 0.044715 c^3) for c = z clamped to +-10.
static inline __m256 gelu_tanh_u(__m256 c) {
  return _mm256_mul_ps(_mm256_mul_ps(splat(kSqrt2OverPi), c),
                       _mm256_fmadd_ps(splat(kGeluCubic), _mm256_mul_ps(c, c), splat(1.0f)));
}

static inline __m256 gelu_tanh_ps(__m256 z, __m256) {
  const __m256 t = tanh_ps(gelu_tanh_u(clamp10(z)));
  return _mm256_mul_ps(_mm256_mul_ps(splat(0.5f), z), _mm256_add_ps(splat(1.0f), t));
}

// t and 1 - t^2 from e = exp(-2|u|): t = sign(u) (1 - e) / (1 + e), 1 - t^2 = 4e / (1 + e)^2,
// which keeps its relative accuracy where 1 - t^2 from a rounded t would cancel (the term is
// multiplied by up to 30 here).
static inline __m256 gelu_tanh_grad_ps(__m256 dy, __m256 z, __m256) {
  const __m256 c = clamp10(z);
  const __m256 u = gelu_tanh_u(c);
  const __m256 e = exp_nonpositive_ps(_mm256_mul_ps(splat(2.0f), _mm256_or_ps(u, splat(-0.0f))));
  const __m256 inv = _mm256_div_ps(splat(1.0f), _mm256_add_ps(splat(1.0f), e));
  const __m256 t = _mm256_xor_ps(_mm256_mul_ps(_mm256_sub_ps(splat(1.0f), e), inv),
                                 _mm256_and_ps(u, splat(-0.0f)));
  const __m256 sech2 = _mm256_mul_ps(_mm256_mul_ps(splat(4.0f), e), _mm256_mul_ps(inv, inv));
  const __m256 du = _mm256_mul_ps(splat(kSqrt2OverPi),
                                  _mm256_fmadd_ps(splat(3.0f * kGeluCubic), _mm256_mul_ps(c, c),
                                                  splat(1.0f)));
  const __m256 tail = _mm256_mul_ps(_mm256_mul_ps(_mm256_mul_ps(splat(0.5f), c), sech2), du);
  return _mm256_mul_ps(dy, _mm256_add_ps(_mm256_fmadd_ps(splat(0.5f), t, splat(0.5f)), tail));
}

// max(0, z) keeps NaN (its second operand); exp(-|z|) is in (0, 1].
static inline __m256 softplus_ps(__m256 z, __m256) {
  const __m256 e = exp_nonpositive_ps(_mm256_or_ps(z, splat(-0.0f)));
  return _mm256_add_ps(_mm256_max_ps(_mm256_setzero_ps(), z), log1p_unit_ps(e));
}

// sigmoid(z) = 1 - exp(-y) = -expm1(-y), y >= 0.
static inline __m256 softplus_grad_ps(__m256 dy, __m256 y, __m256) {
  const __m256 em1 = expm1_nonpositive_ps(_mm256_xor_ps(y, splat(-0.0f)));
  return _mm256_mul_ps(dy, _mm256_xor_ps(em1, splat(-0.0f)));
}

static inline __m256 softsign_ps(__m256 z, __m256) {
  const __m256 magnitude = _mm256_andnot_ps(splat(-0.0f), z);
  return _mm256_div_ps(z, _mm256_add_ps(splat(1.0f), magnitude));
}

static inline __m256 softsign_grad_ps(__m256 dy, __m256 y, __m256) {
  const __m256 d = _mm256_sub_ps(splat(1.0f), _mm256_andnot_ps(splat(-0.0f), y));
  return _mm256_mul_ps(dy, _mm256_mul_ps(d, d));
}

static inline __m256 swish_ps(__m256 z, __m256) { return _mm256_mul_ps(z, sigmoid_ps(z)); }

// s (1 + z (1 - s)).
static inline __m256 swish_grad_ps(__m256 dy, __m256 z, __m256) {
  const __m256 s = sigmoid_ps(z);
  const __m256 inner = _mm256_fmadd_ps(z, _mm256_sub_ps(splat(1.0f), s), splat(1.0f));
  return _mm256_mul_ps(dy, _mm256_mul_ps(s, inner));
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

void forward_avx2(float* y, const float* z, std::int64_t count, Activation act, float alpha) {
  switch (act) {
    case Activation::relu: return map_unary(y, z, count, alpha, relu_ps);
    case Activation::sigmoid: return map_unary(y, z, count, alpha, sigmoid_op);
    case Activation::tanh: return map_unary(y, z, count, alpha, tanh_op);
    case Activation::sign: return map_unary(y, z, count, alpha, sign_ps);
    case Activation::hardTanh: return map_unary(y, z, count, alpha, hard_tanh_ps);
    case Activation::hardSigmoid: return map_unary(y, z, count, alpha, hard_sigmoid_ps);
    case Activation::relu6: return map_unary(y, z, count, alpha, relu6_ps);
    case Activation::leakyRelu: return map_unary(y, z, count, alpha, leaky_relu_ps);
    case Activation::elu: return map_unary(y, z, count, alpha, elu_ps);
    case Activation::selu: return map_unary(y, z, count, alpha, selu_ps);
    case Activation::gelu: return map_unary(y, z, count, alpha, gelu_ps);
    case Activation::geluTanh: return map_unary(y, z, count, alpha, gelu_tanh_ps);
    case Activation::softplus: return map_unary(y, z, count, alpha, softplus_ps);
    case Activation::softsign: return map_unary(y, z, count, alpha, softsign_ps);
    case Activation::swish: return map_unary(y, z, count, alpha, swish_ps);
    case Activation::linear:
    case Activation::softmax:
      return;
  }
}

void backward_avx2(float* dz, const float* dy, const float* v, std::int64_t count,
                   Activation act, float alpha) {
  switch (act) {
    case Activation::relu: return map_binary(dz, dy, v, count, alpha, relu_grad_ps);
    case Activation::sigmoid: return map_binary(dz, dy, v, count, alpha, sigmoid_grad_ps);
    case Activation::tanh: return map_binary(dz, dy, v, count, alpha, tanh_grad_ps);
    case Activation::hardTanh: return map_binary(dz, dy, v, count, alpha, hard_tanh_grad_ps);
    case Activation::hardSigmoid:
      return map_binary(dz, dy, v, count, alpha, hard_sigmoid_grad_ps);
    case Activation::relu6: return map_binary(dz, dy, v, count, alpha, relu6_grad_ps);
    case Activation::leakyRelu: return map_binary(dz, dy, v, count, alpha, leaky_relu_grad_ps);
    case Activation::elu: return map_binary(dz, dy, v, count, alpha, elu_grad_ps);
    case Activation::selu: return map_binary(dz, dy, v, count, alpha, selu_grad_ps);
    case Activation::gelu: return map_binary(dz, dy, v, count, alpha, gelu_grad_ps);
    case Activation::geluTanh: return map_binary(dz, dy, v, count, alpha, gelu_tanh_grad_ps);
    case Activation::softplus: return map_binary(dz, dy, v, count, alpha, softplus_grad_ps);
    case Activation::softsign: return map_binary(dz, dy, v, count, alpha, softsign_grad_ps);
    case Activation::swish: return map_binary(dz, dy, v, count, alpha, swish_grad_ps);
    case Activation::linear:
    case Activation::sign:
    case Activation::softmax:
      return;
  }
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
