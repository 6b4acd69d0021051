// AVX-512 activations, forward only (contracts in activations_internal.h, formulas in
// activations.cc). Compiled with -mavx512f -mavx512vl -mavx512bw -mavx512dq -mfma and reached
// only through run-time dispatch. The same operations as activations_avx2.cc, 16 wide, with what
// AVX-512 adds: mask registers (masked tails, masked blends) and a 16-float table lookup in one
// instruction (vpermps), which the exp below uses. The derivatives stay on the AVX2 loops (the
// dispatcher sends them there): they are bound by memory, and 16-wide versions measured faster
// in L2 but up to twice slower on arrays that miss it (softmax over rows of 10 most).
//
// Tails are masked vectors through the same 16-wide code as the bodies, never a scalar loop, so
// an element's result does not depend on where its chunk or row ends, nor on the alignment of
// the arrays. Long loops keep four vectors in flight per iteration.
//
// exp(x), x <= 0, is table-driven (Tang, "Table-driven implementation of the exponential function
// in IEEE floating-point arithmetic", ACM TOMS 15(2), 1989, with 16 entries): x =
// (16k + j) ln2/16 + r with |r| <= ln2/32, exp(x) = 2^k 2^(j/16) e^r, 2^(j/16) from a table of
// 16 floats held in one register, e^r by its degree-3 Taylor polynomial (truncation below 1e-8),
// 2^k written into the exponent bits. Within 1.07 ulp over [-87.3, 0] (every 7th float checked
// against double); 0 below -87.3 (exp(-87.3) is the smallest normal float). It costs 7 multiply-adds against 11 for the Cephes
// polynomial of the AVX2 path, and exp is most of the work of every activation that uses it.
// expm1 (elu, selu) keeps the Cephes reduction of the AVX2 path (k = 0
// up to |x| = ln2/2, where the table's rounded 2^(j/16) - 1 would lose relative accuracy); tanh,
// erf and log1p are the AVX2 path's approximations (sources there).
//
// Divisions are true divisions: on Zen 5 the divider runs beside the multiply-add pipes, and
// vrcp14ps plus a Newton step measured 15% slower for sigmoid (it takes two more multiply-adds
// from the pipes exp already fills); sigmoid(+-1000) is exactly 1 and 0, as on the other paths.
//
// NaN in gives NaN out for every activation but relu and relu6, which map it to 0 as the generic
// path does: every clamp is written min(bound, x) / max(bound, x), which return x when x is NaN.
//
// ODR hazard: this TU must not instantiate any inline function or template shared with baseline
// code, so it includes only <immintrin.h> and a declaration-only header, and its helpers are
// static. The only external symbols are the *_avx512 functions of activations_internal.h.
#include <immintrin.h>

#include "activation_constants.h"
#include "activations_internal.h"

// GCC 12's AVX-512 intrinsics pass _mm512_undefined_ps(), a self-initialized variable, as the
// unused merge operand of unmasked operations, which -Wmaybe-uninitialized reports once inlined
// (GCC bug 105593, fixed in GCC 13).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif

namespace myelin {
namespace activation_detail {

namespace {

static inline __m512 splat(float v) { return _mm512_set1_ps(v); }

// c[0] x^(N-1) + ... + c[N-1] by Horner's rule, one FMA a step (coefficients from
// activation_constants.h).
template <int N>
static inline __m512 horner(__m512 x, const float (&c)[N]) {
  __m512 p = splat(c[0]);
  for (int i = 1; i < N; ++i) p = _mm512_fmadd_ps(p, x, splat(c[i]));
  return p;
}

// Lanes [0, n) set, n in [0, 16].
static inline __mmask16 first_lanes(std::int64_t n) {
  return static_cast<__mmask16>((1u << n) - 1u);
}

// Lanes whose sign bit is set (z < 0, -0 and NaNs with the sign bit).
static inline __mmask16 sign_set(__m512 z) { return _mm512_movepi32_mask(_mm512_castps_si512(z)); }

static inline __m512 negative_abs(__m512 z) { return _mm512_or_ps(z, splat(-0.0f)); }

// exp(x) for x <= 0 (and NaN), table-driven as the header says. t = x 16/ln2 + 1.5 * 2^23 +
// 16 * 127: its low 12 bits hold 16 (k + 127) + j, k in [-127, 0]; vpermps reads the index j
// from the low 4 bits, and the 9 bits above shifted into the exponent field give 2^k (0 for
// k = -127).
static inline __m512 exp_nonpositive_ps(__m512 x) {
  const __m512 table = _mm512_setr_ps(
      1.0f, 1.0442737340927124f, 1.0905077457427979f, 1.1387885808944702f, 1.1892070770263672f,
      1.2418577671051025f, 1.2968395948410034f, 1.3542555570602417f, 1.4142135381698608f,
      1.4768261909484863f, 1.5422108173370361f, 1.610490322113037f, 1.6817928552627563f,
      1.7562521696090698f, 1.8340080976486206f, 1.9152065515518188f);
  x = _mm512_max_ps(splat(-88.0f), x);
  const __m512 magic = splat(12584944.0f);
  const __m512 t = _mm512_fmadd_ps(x, splat(23.083120654223414f), magic);
  const __m512 n = _mm512_sub_ps(t, magic);
  const __m512i bits = _mm512_castps_si512(t);
  const __m512 pow2k = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_srli_epi32(bits, 4), 23));
  const __m512 pow2j = _mm512_permutexvar_ps(bits, table);
  // ln2/16 split in two (Cephes's split of ln2, scaled): n * 0.0433349609375 is exact.
  __m512 r = _mm512_fnmadd_ps(n, splat(0.0433349609375f), x);
  r = _mm512_fnmadd_ps(n, splat(-1.32621525e-5f), r);
  // e^r - 1 = r (1 + r (1/2 + r/6)).
  __m512 q = _mm512_fmadd_ps(r, splat(1.0f / 6.0f), splat(0.5f));
  q = _mm512_fmadd_ps(q, r, splat(1.0f));
  q = _mm512_mul_ps(q, r);
  return _mm512_mul_ps(_mm512_fmadd_ps(pow2j, q, pow2j), pow2k);
}

// expm1(x) for x <= 0 (and NaN), Cephes as in activations_avx2.cc: x = n ln2 + r, |r| <= ln2/2,
// exp(x) - 1 = 2^n (e^r - 1) + (2^n - 1), e^r - 1 = r q(r); -1 below -88.
static inline __m512 expm1_nonpositive_ps(__m512 x) {
  x = _mm512_max_ps(splat(-88.0f), x);
  const __m512 magic = splat(12583039.0f);
  const __m512 t = _mm512_fmadd_ps(x, splat(kLog2e), magic);
  const __m512 n = _mm512_sub_ps(t, magic);
  const __m512 pow2n = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_castps_si512(t), 23));
  __m512 r = _mm512_fnmadd_ps(n, splat(kLn2Hi), x);
  r = _mm512_fnmadd_ps(n, splat(kLn2Lo), r);
  __m512 p = horner(r, kExpPoly);
  return _mm512_fmadd_ps(_mm512_mul_ps(r, p), pow2n, _mm512_sub_ps(pow2n, splat(1.0f)));
}

// log(1 + e) for e in [0, 1] (and NaN), as log1p_unit_ps in activations_avx2.cc.
static inline __m512 log1p_unit_ps(__m512 e) {
  const __mmask16 big = _mm512_cmp_ps_mask(e, splat(0.41421356237f), _CMP_GT_OQ);
  const __m512 x = _mm512_mask_mul_ps(e, big, _mm512_sub_ps(e, splat(1.0f)), splat(0.5f));
  const __m512 k = _mm512_maskz_mov_ps(big, splat(1.0f));
  const __m512 x2 = _mm512_mul_ps(x, x);
  __m512 p = horner(x, kLog1pPoly);
  __m512 y = _mm512_mul_ps(_mm512_mul_ps(p, x), x2);
  y = _mm512_fmadd_ps(k, splat(kLn2Lo), y);
  y = _mm512_fnmadd_ps(splat(0.5f), x2, y);
  return _mm512_fmadd_ps(k, splat(kLn2Hi), _mm512_add_ps(x, y));
}

static inline __m512 erf_ps(__m512 x) {
  const __m512 xc = _mm512_max_ps(splat(-4.0f), _mm512_min_ps(splat(4.0f), x));
  const __m512 x2 = _mm512_mul_ps(xc, xc);
  __m512 p = horner(x2, kErfP);
  __m512 q = horner(x2, kErfQ);
  return _mm512_div_ps(_mm512_mul_ps(xc, p), q);
}

// 1 / (1 + exp(-|z|)) for z >= 0, exp(-|z|) / (1 + exp(-|z|)) for z < 0: neither overflows.
static inline __m512 sigmoid_ps(__m512 z) {
  const __m512 e = exp_nonpositive_ps(negative_abs(z));
  const __m512 r = _mm512_div_ps(splat(1.0f), _mm512_add_ps(splat(1.0f), e));
  return _mm512_mask_mul_ps(r, sign_set(z), e, r);
}

static inline __m512 tanh_ps(__m512 x) {
  const __m512 xc = _mm512_max_ps(splat(-kTanhClamp),
                                  _mm512_min_ps(splat(kTanhClamp), x));
  const __m512 x2 = _mm512_mul_ps(xc, xc);
  __m512 p = horner(x2, kTanhP);
  p = _mm512_mul_ps(p, xc);
  __m512 q = horner(x2, kTanhQ);
  const __mmask16 tiny = _mm512_cmp_ps_mask(_mm512_abs_ps(x), splat(0.0004f), _CMP_LT_OQ);
  return _mm512_mask_mov_ps(_mm512_div_ps(p, q), tiny, x);
}

// Floats before the first 64-byte boundary of p (0 to 15): vectors that straddle cache lines
// cost bandwidth, and a Float32Array is often only 16-byte aligned, so long loops start their
// first input at a boundary.
static inline std::int64_t floats_to_boundary(const float* p) {
  return static_cast<std::int64_t>((0 - reinterpret_cast<std::uintptr_t>(p)) / sizeof(float)) & 15;
}

// The elementwise loops take the 16-wide operation as a plain function pointer (helpers are
// static inline and the loops always_inline, so each call still inlines its operation; no
// template is instantiated here). A masked head up to the first 64-byte boundary of the first
// input (long arrays only), full vectors four at a time then one at a time, and a masked tail.
// Every operation takes alpha (broadcast), used by leakyRelu and elu only.
using UnaryOp = __m512 (*)(__m512 z, __m512 alpha);

constexpr std::int64_t kAlignFrom = 128;  // floats; shorter loops are not worth the extra vector

__attribute__((always_inline)) static inline void map_unary(float* y, const float* z,
                                                            std::int64_t count, float alpha,
                                                            UnaryOp op) {
  const __m512 a = splat(alpha);
  std::int64_t i = count >= kAlignFrom ? floats_to_boundary(z) : 0;
  if (i != 0) {
    const __mmask16 m = first_lanes(i);
    _mm512_mask_storeu_ps(y, m, op(_mm512_maskz_loadu_ps(m, z), a));
  }
  for (; i + 64 <= count; i += 64) {
    const __m512 y0 = op(_mm512_loadu_ps(z + i), a);
    const __m512 y1 = op(_mm512_loadu_ps(z + i + 16), a);
    const __m512 y2 = op(_mm512_loadu_ps(z + i + 32), a);
    const __m512 y3 = op(_mm512_loadu_ps(z + i + 48), a);
    _mm512_storeu_ps(y + i, y0);
    _mm512_storeu_ps(y + i + 16, y1);
    _mm512_storeu_ps(y + i + 32, y2);
    _mm512_storeu_ps(y + i + 48, y3);
  }
  for (; i + 16 <= count; i += 16) _mm512_storeu_ps(y + i, op(_mm512_loadu_ps(z + i), a));
  if (i < count) {
    const __mmask16 m = first_lanes(count - i);
    _mm512_mask_storeu_ps(y + i, m, op(_mm512_maskz_loadu_ps(m, z + i), a));
  }
}

static inline __mmask16 positive(__m512 v) {
  return _mm512_cmp_ps_mask(v, _mm512_setzero_ps(), _CMP_GT_OQ);
}

// Operations (z, alpha). Formulas and constants in activations.cc.

// max(z, 0) returns its second operand for NaN and for z == -0: exactly z > 0 ? z : 0.
static inline __m512 relu_ps(__m512 z, __m512) { return _mm512_max_ps(z, _mm512_setzero_ps()); }

static inline __m512 sigmoid_op(__m512 z, __m512) { return sigmoid_ps(z); }

static inline __m512 tanh_op(__m512 z, __m512) { return tanh_ps(z); }

// +-1 with the sign bit of z where z != 0; z itself (+-0 or NaN) elsewhere.
static inline __m512 sign_ps(__m512 z, __m512) {
  const __m512 unit = _mm512_or_ps(_mm512_and_ps(z, splat(-0.0f)), splat(1.0f));
  return _mm512_mask_mov_ps(z, _mm512_cmp_ps_mask(z, _mm512_setzero_ps(), _CMP_NEQ_OQ), unit);
}

static inline __m512 hard_tanh_ps(__m512 z, __m512) {
  return _mm512_min_ps(splat(1.0f), _mm512_max_ps(splat(-1.0f), z));
}

static inline __m512 hard_sigmoid_ps(__m512 z, __m512) {
  const __m512 h = _mm512_fmadd_ps(z, splat(0.2f), splat(0.5f));
  return _mm512_min_ps(splat(1.0f), _mm512_max_ps(_mm512_setzero_ps(), h));
}

static inline __m512 relu6_ps(__m512 z, __m512) {
  return _mm512_min_ps(splat(6.0f), _mm512_max_ps(z, _mm512_setzero_ps()));
}

static inline __m512 leaky_relu_ps(__m512 z, __m512 alpha) {
  return _mm512_mask_mul_ps(z, ~positive(z), alpha, z);
}

// alpha (exp(z) - 1) for z <= 0; min(0, z) keeps NaN and spares expm1 the positive side.
static inline __m512 elu_ps(__m512 z, __m512 alpha) {
  const __m512 negative =
      _mm512_mul_ps(alpha, expm1_nonpositive_ps(_mm512_min_ps(_mm512_setzero_ps(), z)));
  return _mm512_mask_mov_ps(negative, positive(z), z);
}

static inline __m512 selu_ps(__m512 z, __m512) {
  return _mm512_mul_ps(splat(kSeluScale), elu_ps(z, splat(kSeluAlpha)));
}

// Phi(z) = 0.5 (1 + erf(z / sqrt 2)).
static inline __m512 normal_cdf(__m512 z) {
  return _mm512_fmadd_ps(erf_ps(_mm512_mul_ps(z, splat(kSqrtHalf))), splat(0.5f), splat(0.5f));
}

static inline __m512 gelu_ps(__m512 z, __m512) { return _mm512_mul_ps(z, normal_cdf(z)); }

static inline __m512 clamp10(__m512 z) {
  return _mm512_max_ps(splat(-10.0f), _mm512_min_ps(splat(10.0f), z));
}

// u = sqrt(2/pi) (c + 0.044715 c^3) for c = z clamped to +-10.
static inline __m512 gelu_tanh_u(__m512 c) {
  return _mm512_mul_ps(_mm512_mul_ps(splat(kSqrt2OverPi), c),
                       _mm512_fmadd_ps(splat(kGeluCubic), _mm512_mul_ps(c, c), splat(1.0f)));
}

static inline __m512 gelu_tanh_ps(__m512 z, __m512) {
  const __m512 t = tanh_ps(gelu_tanh_u(clamp10(z)));
  return _mm512_mul_ps(_mm512_mul_ps(splat(0.5f), z), _mm512_add_ps(splat(1.0f), t));
}

// max(0, z) keeps NaN (its second operand); exp(-|z|) is in (0, 1].
static inline __m512 softplus_ps(__m512 z, __m512) {
  const __m512 e = exp_nonpositive_ps(negative_abs(z));
  return _mm512_add_ps(_mm512_max_ps(_mm512_setzero_ps(), z), log1p_unit_ps(e));
}

static inline __m512 softsign_ps(__m512 z, __m512) {
  return _mm512_div_ps(z, _mm512_add_ps(splat(1.0f), _mm512_abs_ps(z)));
}

static inline __m512 swish_ps(__m512 z, __m512) { return _mm512_mul_ps(z, sigmoid_ps(z)); }

// Max and sum of 16 lanes, broadcast to every lane: a butterfly over 256-, 128-, 64- and 32-bit
// halves, so each lane ends up with the same value added in the same order.
static inline __m512 all_max(__m512 v) {
  v = _mm512_max_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm512_max_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(2, 3, 0, 1)));
  v = _mm512_max_ps(v, _mm512_permute_ps(v, _MM_SHUFFLE(1, 0, 3, 2)));
  return _mm512_max_ps(v, _mm512_permute_ps(v, _MM_SHUFFLE(2, 3, 0, 1)));
}

static inline __m512 all_sum(__m512 v) {
  v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(1, 0, 3, 2)));
  v = _mm512_add_ps(v, _mm512_shuffle_f32x4(v, v, _MM_SHUFFLE(2, 3, 0, 1)));
  v = _mm512_add_ps(v, _mm512_permute_ps(v, _MM_SHUFFLE(1, 0, 3, 2)));
  return _mm512_add_ps(v, _mm512_permute_ps(v, _MM_SHUFFLE(2, 3, 0, 1)));
}

// Reductions of 16 vectors at once: lane pos(r) of the result holds the reduction of v[r]'s 16
// lanes. The tree pairs lanes as all_max / all_sum do (l with l ^ 8, then ^ 4, ^ 2, ^ 1), so a
// row's sum is the same float either way; it costs 45 shuffles and operations for 16 rows where
// all_sum costs 8 per row, and its chains are independent. The rows come out in the lane order
// kRowLanes (an involution: pos(r) = kRowLanes[r]).
constexpr int kRowLanes[16] = {0, 2, 1, 3, 8, 10, 9, 11, 4, 6, 5, 7, 12, 14, 13, 15};

using Combine = __m512 (*)(__m512, __m512);

__attribute__((always_inline)) static inline __m512 reduce16(const __m512* v, Combine op) {
  __m512 w[8], x[4], y[2];
  for (int i = 0; i < 8; ++i) {  // 256-bit halves: lane l with l + 8
    w[i] = op(_mm512_shuffle_f32x4(v[i], v[i + 8], _MM_SHUFFLE(1, 0, 1, 0)),
              _mm512_shuffle_f32x4(v[i], v[i + 8], _MM_SHUFFLE(3, 2, 3, 2)));
  }
  for (int i = 0; i < 4; ++i) {  // 128-bit blocks: lane l with l + 4
    x[i] = op(_mm512_shuffle_f32x4(w[i], w[i + 4], _MM_SHUFFLE(2, 0, 2, 0)),
              _mm512_shuffle_f32x4(w[i], w[i + 4], _MM_SHUFFLE(3, 1, 3, 1)));
  }
  for (int i = 0; i < 2; ++i) {  // 64-bit pairs: lane l with l + 2
    y[i] = op(_mm512_shuffle_ps(x[i], x[i + 2], _MM_SHUFFLE(1, 0, 1, 0)),
              _mm512_shuffle_ps(x[i], x[i + 2], _MM_SHUFFLE(3, 2, 3, 2)));
  }
  return op(_mm512_shuffle_ps(y[0], y[1], _MM_SHUFFLE(2, 0, 2, 0)),
            _mm512_shuffle_ps(y[0], y[1], _MM_SHUFFLE(3, 1, 3, 1)));
}

static inline __m512 max_op(__m512 a, __m512 b) { return _mm512_max_ps(a, b); }
static inline __m512 add_op(__m512 a, __m512 b) { return _mm512_add_ps(a, b); }

// Lane pos(r) of v broadcast to every lane.
static inline __m512 row_lane(__m512 v, int r) {
  return _mm512_permutexvar_ps(_mm512_set1_epi32(kRowLanes[r]), v);
}

// Softmax rows of at most 16 floats, one masked vector each (the unused lanes -inf, so exp gives
// 0): 16 rows at a time through reduce16, the last rows one by one through all_max / all_sum,
// with the same result. A row alone is one long dependent chain (max, exp, sum, reciprocal);
// 16 of them side by side run twice as fast.
static void softmax_forward_narrow(float* y, const float* z, std::int64_t rows, int cols) {
  const __mmask16 m = first_lanes(cols);
  const __m512 neg_inf = splat(-__builtin_inff());
  std::int64_t r = 0;
  for (; r + 16 <= rows; r += 16) {
    // Row pointers advance by cols: 16 precomputed addresses would spill.
    __m512 v[16];
    const float* zr = z + r * cols;
    for (int i = 0; i < 16; ++i, zr += cols) v[i] = _mm512_mask_loadu_ps(neg_inf, m, zr);
    const __m512 vmax = reduce16(v, max_op);
    for (int i = 0; i < 16; ++i) v[i] = exp_nonpositive_ps(_mm512_sub_ps(v[i], row_lane(vmax, i)));
    const __m512 inv = _mm512_div_ps(splat(1.0f), reduce16(v, add_op));
    float* yr = y + r * cols;
    for (int i = 0; i < 16; ++i, yr += cols) {
      _mm512_mask_storeu_ps(yr, m, _mm512_mul_ps(v[i], row_lane(inv, i)));
    }
  }
  for (; r < rows; ++r) {
    const __m512 v = _mm512_mask_loadu_ps(neg_inf, m, z + r * cols);
    const __m512 e = exp_nonpositive_ps(_mm512_sub_ps(v, all_max(v)));
    _mm512_mask_storeu_ps(y + r * cols, m, _mm512_mul_ps(e, _mm512_div_ps(splat(1.0f), all_sum(e))));
  }
}

}  // namespace

void forward_avx512(float* y, const float* z, std::int64_t count, Activation act, float alpha) {
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

// Rows of more than 16 floats: three passes over a row, which is in L1 after the first (max; exp
// stored and summed; scale), whole vectors from the row's start and a masked last vector, whose
// unused lanes are -inf for the max and so 0 for the sum. Two accumulators of 16 lanes, added up
// in an order fixed by cols.
void softmax_forward_avx512(float* y, const float* z, std::int64_t rows, int cols) {
  if (cols <= 16) {
    softmax_forward_narrow(y, z, rows, cols);
    return;
  }
  const std::int64_t body = cols & ~15;
  const __mmask16 tail = first_lanes(cols - body);
  const __m512 neg_inf = splat(-__builtin_inff());
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* zr = z + r * cols;
    float* yr = y + r * cols;
    const __m512 ztail = _mm512_mask_loadu_ps(neg_inf, tail, zr + body);
    __m512 vmax0 = ztail, vmax1 = neg_inf;
    std::int64_t j = 0;
    for (; j + 32 <= body; j += 32) {
      vmax0 = _mm512_max_ps(vmax0, _mm512_loadu_ps(zr + j));
      vmax1 = _mm512_max_ps(vmax1, _mm512_loadu_ps(zr + j + 16));
    }
    if (j < body) vmax0 = _mm512_max_ps(vmax0, _mm512_loadu_ps(zr + j));
    const __m512 zmax = all_max(_mm512_max_ps(vmax0, vmax1));
    const __m512 etail = exp_nonpositive_ps(_mm512_sub_ps(ztail, zmax));
    __m512 sum0 = etail, sum1 = _mm512_setzero_ps();
    for (j = 0; j + 32 <= body; j += 32) {
      const __m512 e0 = exp_nonpositive_ps(_mm512_sub_ps(_mm512_loadu_ps(zr + j), zmax));
      const __m512 e1 = exp_nonpositive_ps(_mm512_sub_ps(_mm512_loadu_ps(zr + j + 16), zmax));
      _mm512_storeu_ps(yr + j, e0);
      _mm512_storeu_ps(yr + j + 16, e1);
      sum0 = _mm512_add_ps(sum0, e0);
      sum1 = _mm512_add_ps(sum1, e1);
    }
    if (j < body) {
      const __m512 e0 = exp_nonpositive_ps(_mm512_sub_ps(_mm512_loadu_ps(zr + j), zmax));
      _mm512_storeu_ps(yr + j, e0);
      sum0 = _mm512_add_ps(sum0, e0);
    }
    const __m512 inv = _mm512_div_ps(splat(1.0f), all_sum(_mm512_add_ps(sum0, sum1)));
    for (j = 0; j < body; j += 16) {
      _mm512_storeu_ps(yr + j, _mm512_mul_ps(_mm512_loadu_ps(yr + j), inv));
    }
    _mm512_mask_storeu_ps(yr + body, tail, _mm512_mul_ps(etail, inv));
  }
}

}  // namespace activation_detail
}  // namespace myelin
