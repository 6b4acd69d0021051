// NEON activations, forward and backward (contracts in activations_internal.h, formulas in
// activations.cc), for AArch64: the algorithms of activations_avx2.cc, four lanes wide, with the
// same polynomials (activation_constants.h) and so the same error bounds: exp (Cephes expf,
// within 0.9 ulp over [-87, 0]), expm1 and log1p sharing its reduction, tanh and erf (Eigen's
// rational approximations: tanh within 5 ulp, erf within 2e-7 absolute). Compiled for AArch64
// only (native/sources.json) and reached through the run-time dispatch on the neon path.
//
// AArch64 has true vector division and square root, and fmla fuses as vfmadd does, so every
// operation is the one the AVX2 unit performs; the build passes -ffp-contract=off so the
// compiler fuses nothing else. Where AVX2 relies on max_ps(a, b) being a > b ? a : b (which
// returns b for a NaN), this unit spells that compare and select (greater_or_second, and
// less_or_second for min_ps) instead of fmax/fmin, whose NaN rules differ: NaN in gives NaN out
// for every activation but relu and relu6, which map it to 0 as the generic path does.
//
// Tails go through the same 4-wide code as the bodies, never a scalar formula (an overlapping
// last vector from 4 floats on, a padded copy below), so an element's result does not depend on
// where its chunk or row ends.
//
// ODR hazard: this TU must not instantiate any inline function or template shared with baseline
// code, so it includes only <arm_neon.h> and declaration-only headers, and its helpers are
// static. The only external symbols are the *_neon functions of activations_internal.h.
#include <arm_neon.h>

#include "activation_constants.h"
#include "activations_internal.h"

namespace myelin {
namespace activation_detail {

namespace {

using v4 = float32x4_t;
using m4 = uint32x4_t;

static inline v4 splat(float v) { return vdupq_n_f32(v); }

// blend(a, b, mask): b where mask is set, a elsewhere (_mm256_blendv_ps's operand order).
static inline v4 blend(v4 a, v4 b, m4 mask) { return vbslq_f32(mask, b, a); }

// a > b ? a : b and a < b ? a : b lane by lane: the second operand for NaN, as max_ps and min_ps.
static inline v4 greater_or_second(v4 a, v4 b) { return vbslq_f32(vcgtq_f32(a, b), a, b); }
static inline v4 less_or_second(v4 a, v4 b) { return vbslq_f32(vcltq_f32(a, b), a, b); }

// Lanes whose sign bit is set (blendv's selector).
static inline m4 sign_mask(v4 z) {
  return vreinterpretq_u32_s32(vshrq_n_s32(vreinterpretq_s32_f32(z), 31));
}

static inline v4 bits_or(v4 a, v4 b) {
  return vreinterpretq_f32_u32(vorrq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b)));
}
static inline v4 bits_and(v4 a, m4 mask) {
  return vreinterpretq_f32_u32(vandq_u32(vreinterpretq_u32_f32(a), mask));
}
static inline v4 bits_xor(v4 a, v4 b) {
  return vreinterpretq_f32_u32(veorq_u32(vreinterpretq_u32_f32(a), vreinterpretq_u32_f32(b)));
}

// -|x| (the sign bit set), -x (the sign bit flipped), x's sign bit alone: as the AVX2 unit's
// or/xor/and with -0.
static inline v4 minus_magnitude(v4 x) { return bits_or(x, splat(-0.0f)); }
static inline v4 sign_bit(v4 x) { return bits_and(x, vreinterpretq_u32_f32(splat(-0.0f))); }
static inline v4 flip_sign(v4 x) { return bits_xor(x, splat(-0.0f)); }

// c[0] x^(N-1) + ... + c[N-1] by Horner's rule, one FMA a step.
template <int N>
static inline v4 horner(v4 x, const float (&c)[N]) {
  v4 p = splat(c[0]);
  for (int i = 1; i < N; ++i) p = vfmaq_f32(splat(c[i]), p, x);
  return p;
}

// exp(x) = 2^n e^r with |r| <= ln2/2, for x <= 0 (and NaN): returns r and sets *pow2n = 2^n.
// Below -88 the result is 0; between -88 and -87.3 it is 0 or the subnormal.
static inline v4 exp_reduce(v4 x, v4* pow2n) {
  x = greater_or_second(splat(-88.0f), x);
  // t = round(x log2e) + 1.5 * 2^23 + 127: the low bits of t hold n + 127 in [0, 127], which
  // shifted into the exponent field give 2^n (0 for n = -127).
  const v4 magic = splat(12583039.0f);
  const v4 t = vfmaq_f32(magic, x, splat(kLog2e));
  const v4 n = vsubq_f32(t, magic);
  *pow2n = vreinterpretq_f32_s32(vshlq_n_s32(vreinterpretq_s32_f32(t), 23));
  const v4 r = vfmsq_f32(x, n, splat(kLn2Hi));
  return vfmsq_f32(r, n, splat(kLn2Lo));
}

static inline v4 exp_poly(v4 r) { return horner(r, kExpPoly); }

static inline v4 exp_nonpositive(v4 x) {
  v4 pow2n;
  const v4 r = exp_reduce(x, &pow2n);
  return vmulq_f32(vfmaq_f32(splat(1.0f), exp_poly(r), r), pow2n);
}

// exp(x) - 1 = 2^n (e^r - 1) + (2^n - 1) for x <= 0 (and NaN); -1 below -88.
static inline v4 expm1_nonpositive(v4 x) {
  v4 pow2n;
  const v4 r = exp_reduce(x, &pow2n);
  return vfmaq_f32(vsubq_f32(pow2n, splat(1.0f)), vmulq_f32(r, exp_poly(r)), pow2n);
}

// log(1 + e) for e in [0, 1] (and NaN), as log1p_unit_ps of the AVX2 unit.
static inline v4 log1p_unit(v4 e) {
  const v4 one = splat(1.0f);
  const m4 big = vcgtq_f32(e, splat(0.41421356237f));
  const v4 x = blend(e, vmulq_f32(vsubq_f32(e, one), splat(0.5f)), big);
  const v4 k = bits_and(one, big);
  const v4 x2 = vmulq_f32(x, x);
  const v4 p = horner(x, kLog1pPoly);
  v4 y = vmulq_f32(vmulq_f32(p, x), x2);
  y = vfmaq_f32(y, k, splat(kLn2Lo));
  y = vfmsq_f32(y, splat(0.5f), x2);
  return vfmaq_f32(vaddq_f32(x, y), k, splat(kLn2Hi));
}

static inline v4 erf_v(v4 x) {
  const v4 xc = greater_or_second(splat(-4.0f), less_or_second(splat(4.0f), x));
  const v4 x2 = vmulq_f32(xc, xc);
  const v4 p = horner(x2, kErfP);
  const v4 q = horner(x2, kErfQ);
  return vdivq_f32(vmulq_f32(xc, p), q);
}

// 1 / (1 + exp(-|z|)) for z >= 0, exp(-|z|) / (1 + exp(-|z|)) for z < 0: neither overflows.
static inline v4 sigmoid_v(v4 z) {
  const v4 e = exp_nonpositive(minus_magnitude(z));
  const v4 r = vdivq_f32(splat(1.0f), vaddq_f32(splat(1.0f), e));
  return blend(r, vmulq_f32(e, r), sign_mask(z));
}

static inline v4 tanh_v(v4 x) {
  const v4 xc = greater_or_second(splat(-kTanhClamp), less_or_second(splat(kTanhClamp), x));
  const v4 x2 = vmulq_f32(xc, xc);
  const v4 p = vmulq_f32(horner(x2, kTanhP), xc);
  const v4 q = horner(x2, kTanhQ);
  const m4 tiny = vcltq_f32(vabsq_f32(x), splat(0.0004f));
  return blend(vdivq_f32(p, q), x, tiny);
}

// The elementwise loops take the 4-wide operation as a plain function pointer (helpers are static
// inline and the loops always_inline, so each call still inlines its operation). From 4 floats
// on, the last vector ends at the last float and overlaps the body unless the length is a
// multiple of 4; it is computed before the body stores anything (the output may be the input)
// and stored after it, so a float shared with the body gets the same value twice. Below 4
// floats, a zero-padded copy. Every operation takes alpha (broadcast), used by leakyRelu and elu
// only.
using UnaryOp = v4 (*)(v4 z, v4 alpha);
using BinaryOp = v4 (*)(v4 dy, v4 v, v4 alpha);

static inline __attribute__((always_inline)) void map_unary(float* y, const float* z,
                                                            std::int64_t count, float alpha,
                                                            UnaryOp op) {
  const v4 a = splat(alpha);
  if (count < 4) {
    float in[4] = {}, out[4];
    for (std::int64_t i = 0; i < count; ++i) in[i] = z[i];
    vst1q_f32(out, op(vld1q_f32(in), a));
    for (std::int64_t i = 0; i < count; ++i) y[i] = out[i];
    return;
  }
  const std::int64_t end = count - 4;
  const v4 last = op(vld1q_f32(z + end), a);
  for (std::int64_t i = 0; i < end; i += 4) vst1q_f32(y + i, op(vld1q_f32(z + i), a));
  vst1q_f32(y + end, last);
}

static inline __attribute__((always_inline)) void map_binary(float* dz, const float* dy,
                                                             const float* v, std::int64_t count,
                                                             float alpha, BinaryOp op) {
  const v4 a = splat(alpha);
  if (count < 4) {
    float g[4] = {}, w[4] = {}, out[4];
    for (std::int64_t i = 0; i < count; ++i) {
      g[i] = dy[i];
      w[i] = v[i];
    }
    vst1q_f32(out, op(vld1q_f32(g), vld1q_f32(w), a));
    for (std::int64_t i = 0; i < count; ++i) dz[i] = out[i];
    return;
  }
  const std::int64_t end = count - 4;
  const v4 last = op(vld1q_f32(dy + end), vld1q_f32(v + end), a);
  for (std::int64_t i = 0; i < end; i += 4) {
    vst1q_f32(dz + i, op(vld1q_f32(dy + i), vld1q_f32(v + i), a));
  }
  vst1q_f32(dz + end, last);
}

// [lo < v < hi] as a lane mask (false for NaN).
static inline m4 inside(v4 v, float lo, float hi) {
  return vandq_u32(vcgtq_f32(v, splat(lo)), vcltq_f32(v, splat(hi)));
}

static inline m4 positive(v4 v) { return vcgtq_f32(v, splat(0.0f)); }

// Operations, forward (z, alpha) beside derivative (dy, v, alpha); v is y or z as
// activations_internal.h says. Formulas and constants in activations.cc.

// z > 0 ? z : 0, which maps NaN and -0 to +0.
static inline v4 relu_v(v4 z, v4) { return greater_or_second(z, splat(0.0f)); }

static inline v4 relu_grad_v(v4 dy, v4 y, v4) { return bits_and(dy, positive(y)); }

static inline v4 sigmoid_op(v4 z, v4) { return sigmoid_v(z); }

static inline v4 sigmoid_grad_v(v4 dy, v4 y, v4) {
  return vmulq_f32(vmulq_f32(dy, y), vsubq_f32(splat(1.0f), y));
}

static inline v4 tanh_op(v4 z, v4) { return tanh_v(z); }

static inline v4 tanh_grad_v(v4 dy, v4 y, v4) {
  return vmulq_f32(dy, vfmsq_f32(splat(1.0f), y, y));
}

// +-1 with the sign bit of z where z != 0; z itself (+-0 or NaN) elsewhere.
static inline v4 sign_v(v4 z, v4) {
  const v4 unit = bits_or(sign_bit(z), splat(1.0f));
  const m4 nonzero = vmvnq_u32(vceqq_f32(z, splat(0.0f)));  // NEQ_OQ: false for NaN
  const m4 ordered = vceqq_f32(z, z);
  return blend(z, unit, vandq_u32(nonzero, ordered));
}

static inline v4 hard_tanh_v(v4 z, v4) {
  return less_or_second(splat(1.0f), greater_or_second(splat(-1.0f), z));
}

static inline v4 hard_tanh_grad_v(v4 dy, v4 y, v4) { return bits_and(dy, inside(y, -1.0f, 1.0f)); }

static inline v4 hard_sigmoid_v(v4 z, v4) {
  const v4 h = vfmaq_f32(splat(0.5f), z, splat(0.2f));
  return less_or_second(splat(1.0f), greater_or_second(splat(0.0f), h));
}

static inline v4 hard_sigmoid_grad_v(v4 dy, v4 y, v4) {
  return bits_and(vmulq_f32(dy, splat(0.2f)), inside(y, 0.0f, 1.0f));
}

static inline v4 relu6_v(v4 z, v4) {
  return less_or_second(splat(6.0f), greater_or_second(z, splat(0.0f)));
}

static inline v4 relu6_grad_v(v4 dy, v4 y, v4) { return bits_and(dy, inside(y, 0.0f, 6.0f)); }

static inline v4 leaky_relu_v(v4 z, v4 alpha) {
  return blend(vmulq_f32(alpha, z), z, positive(z));
}

static inline v4 leaky_relu_grad_v(v4 dy, v4 y, v4 alpha) {
  return blend(vmulq_f32(alpha, dy), dy, positive(y));
}

// alpha (exp(z) - 1) for z <= 0; min(0, z) keeps NaN and spares expm1 the positive side.
static inline v4 elu_negative(v4 z, v4 alpha) {
  return vmulq_f32(alpha, expm1_nonpositive(less_or_second(splat(0.0f), z)));
}

static inline v4 elu_v(v4 z, v4 alpha) { return blend(elu_negative(z, alpha), z, positive(z)); }

static inline v4 elu_grad_v(v4 dy, v4 y, v4 alpha) {
  return blend(vmulq_f32(dy, vaddq_f32(y, alpha)), dy, positive(y));
}

static inline v4 selu_v(v4 z, v4) {
  return vmulq_f32(splat(kSeluScale), elu_v(z, splat(kSeluAlpha)));
}

static inline v4 selu_grad_v(v4 dy, v4 y, v4) {
  const v4 negative = vmulq_f32(dy, vaddq_f32(y, splat(kSeluScale * kSeluAlpha)));
  return blend(negative, vmulq_f32(dy, splat(kSeluScale)), positive(y));
}

// Phi(z) = 0.5 (1 + erf(z / sqrt 2)).
static inline v4 normal_cdf(v4 z) {
  return vfmaq_f32(splat(0.5f), erf_v(vmulq_f32(z, splat(kSqrtHalf))), splat(0.5f));
}

static inline v4 gelu_v(v4 z, v4) { return vmulq_f32(z, normal_cdf(z)); }

// Phi(z) + z phi(z); exp(-z^2/2) goes to 0 (never NaN) for huge |z|.
static inline v4 gelu_grad_v(v4 dy, v4 z, v4) {
  const v4 density =
      vmulq_f32(splat(kInvSqrt2Pi), exp_nonpositive(vmulq_f32(splat(-0.5f), vmulq_f32(z, z))));
  return vmulq_f32(dy, vfmaq_f32(normal_cdf(z), z, density));
}

static inline v4 clamp10(v4 z) {
  return greater_or_second(splat(-10.0f), less_or_second(splat(10.0f), z));
}

// u = sqrt(2/pi) (c + 0.044715 c^3) for c = z clamped to +-10.
static inline v4 gelu_tanh_u(v4 c) {
  return vmulq_f32(vmulq_f32(splat(kSqrt2OverPi), c),
                   vfmaq_f32(splat(1.0f), splat(kGeluCubic), vmulq_f32(c, c)));
}

static inline v4 gelu_tanh_v(v4 z, v4) {
  const v4 t = tanh_v(gelu_tanh_u(clamp10(z)));
  return vmulq_f32(vmulq_f32(splat(0.5f), z), vaddq_f32(splat(1.0f), t));
}

// t and 1 - t^2 from e = exp(-2|u|), as gelu_tanh_grad_ps of the AVX2 unit.
static inline v4 gelu_tanh_grad_v(v4 dy, v4 z, v4) {
  const v4 c = clamp10(z);
  const v4 u = gelu_tanh_u(c);
  const v4 e = exp_nonpositive(vmulq_f32(splat(2.0f), minus_magnitude(u)));
  const v4 inv = vdivq_f32(splat(1.0f), vaddq_f32(splat(1.0f), e));
  const v4 t = bits_xor(vmulq_f32(vsubq_f32(splat(1.0f), e), inv), sign_bit(u));
  const v4 sech2 = vmulq_f32(vmulq_f32(splat(4.0f), e), vmulq_f32(inv, inv));
  const v4 du = vmulq_f32(splat(kSqrt2OverPi),
                          vfmaq_f32(splat(1.0f), splat(3.0f * kGeluCubic), vmulq_f32(c, c)));
  const v4 tail = vmulq_f32(vmulq_f32(vmulq_f32(splat(0.5f), c), sech2), du);
  return vmulq_f32(dy, vaddq_f32(vfmaq_f32(splat(0.5f), splat(0.5f), t), tail));
}

// max(0, z) keeps NaN (its second operand); exp(-|z|) is in (0, 1].
static inline v4 softplus_v(v4 z, v4) {
  const v4 e = exp_nonpositive(minus_magnitude(z));
  return vaddq_f32(greater_or_second(splat(0.0f), z), log1p_unit(e));
}

// sigmoid(z) = 1 - exp(-y) = -expm1(-y), y >= 0.
static inline v4 softplus_grad_v(v4 dy, v4 y, v4) {
  return vmulq_f32(dy, flip_sign(expm1_nonpositive(flip_sign(y))));
}

static inline v4 softsign_v(v4 z, v4) { return vdivq_f32(z, vaddq_f32(splat(1.0f), vabsq_f32(z))); }

static inline v4 softsign_grad_v(v4 dy, v4 y, v4) {
  const v4 d = vsubq_f32(splat(1.0f), vabsq_f32(y));
  return vmulq_f32(dy, vmulq_f32(d, d));
}

static inline v4 swish_v(v4 z, v4) { return vmulq_f32(z, sigmoid_v(z)); }

// s (1 + z (1 - s)).
static inline v4 swish_grad_v(v4 dy, v4 z, v4) {
  const v4 s = sigmoid_v(z);
  const v4 inner = vfmaq_f32(splat(1.0f), z, vsubq_f32(splat(1.0f), s));
  return vmulq_f32(dy, vmulq_f32(s, inner));
}

// The largest and the sum of a vector's lanes, in an order fixed by the instruction.
static inline float hmax(v4 v) { return vmaxvq_f32(v); }
static inline float hsum(v4 v) { return vaddvq_f32(v); }

// Lanes [4 - n, 4) set, n in [1, 4]: the floats of a row's last vector that the body vectors
// before it did not cover.
static inline m4 last_lanes(int n) {
  const uint32_t lane[4] = {0, 1, 2, 3};
  return vcgeq_u32(vld1q_u32(lane), vdupq_n_u32(static_cast<uint32_t>(4 - n)));
}

// Softmax rows of fewer than 4 floats: one padded vector each, -inf past the row for the max
// (exp gives 0 there) and left out of the sum.
static void softmax_forward_narrow(float* y, const float* z, std::int64_t rows, int cols) {
  for (std::int64_t r = 0; r < rows; ++r) {
    float in[4] = {-__builtin_inff(), -__builtin_inff(), -__builtin_inff(), -__builtin_inff()};
    float out[4];
    for (int j = 0; j < cols; ++j) in[j] = z[r * cols + j];
    const v4 v = vld1q_f32(in);
    const v4 e = exp_nonpositive(vsubq_f32(v, splat(hmax(v))));
    vst1q_f32(out, vmulq_f32(e, splat(1.0f / hsum(e))));
    for (int j = 0; j < cols; ++j) y[r * cols + j] = out[j];
  }
}

static void softmax_backward_narrow(float* dz, const float* dy, const float* y, std::int64_t rows,
                                    int cols) {
  for (std::int64_t r = 0; r < rows; ++r) {
    float g[4] = {}, w[4] = {}, out[4];
    for (int j = 0; j < cols; ++j) {
      g[j] = dy[r * cols + j];
      w[j] = y[r * cols + j];
    }
    const v4 gv = vld1q_f32(g), wv = vld1q_f32(w);
    const v4 dot = splat(hsum(vmulq_f32(gv, wv)));
    vst1q_f32(out, vmulq_f32(wv, vsubq_f32(gv, dot)));
    for (int j = 0; j < cols; ++j) dz[r * cols + j] = out[j];
  }
}

}  // namespace

void forward_neon(float* y, const float* z, std::int64_t count, Activation act, float alpha) {
  switch (act) {
    case Activation::relu: return map_unary(y, z, count, alpha, relu_v);
    case Activation::sigmoid: return map_unary(y, z, count, alpha, sigmoid_op);
    case Activation::tanh: return map_unary(y, z, count, alpha, tanh_op);
    case Activation::sign: return map_unary(y, z, count, alpha, sign_v);
    case Activation::hardTanh: return map_unary(y, z, count, alpha, hard_tanh_v);
    case Activation::hardSigmoid: return map_unary(y, z, count, alpha, hard_sigmoid_v);
    case Activation::relu6: return map_unary(y, z, count, alpha, relu6_v);
    case Activation::leakyRelu: return map_unary(y, z, count, alpha, leaky_relu_v);
    case Activation::elu: return map_unary(y, z, count, alpha, elu_v);
    case Activation::selu: return map_unary(y, z, count, alpha, selu_v);
    case Activation::gelu: return map_unary(y, z, count, alpha, gelu_v);
    case Activation::geluTanh: return map_unary(y, z, count, alpha, gelu_tanh_v);
    case Activation::softplus: return map_unary(y, z, count, alpha, softplus_v);
    case Activation::softsign: return map_unary(y, z, count, alpha, softsign_v);
    case Activation::swish: return map_unary(y, z, count, alpha, swish_v);
    case Activation::linear:
    case Activation::softmax:
      return;
  }
}

void backward_neon(float* dz, const float* dy, const float* v, std::int64_t count,
                   Activation act, float alpha) {
  switch (act) {
    case Activation::relu: return map_binary(dz, dy, v, count, alpha, relu_grad_v);
    case Activation::sigmoid: return map_binary(dz, dy, v, count, alpha, sigmoid_grad_v);
    case Activation::tanh: return map_binary(dz, dy, v, count, alpha, tanh_grad_v);
    case Activation::hardTanh: return map_binary(dz, dy, v, count, alpha, hard_tanh_grad_v);
    case Activation::hardSigmoid:
      return map_binary(dz, dy, v, count, alpha, hard_sigmoid_grad_v);
    case Activation::relu6: return map_binary(dz, dy, v, count, alpha, relu6_grad_v);
    case Activation::leakyRelu: return map_binary(dz, dy, v, count, alpha, leaky_relu_grad_v);
    case Activation::elu: return map_binary(dz, dy, v, count, alpha, elu_grad_v);
    case Activation::selu: return map_binary(dz, dy, v, count, alpha, selu_grad_v);
    case Activation::gelu: return map_binary(dz, dy, v, count, alpha, gelu_grad_v);
    case Activation::geluTanh: return map_binary(dz, dy, v, count, alpha, gelu_tanh_grad_v);
    case Activation::softplus: return map_binary(dz, dy, v, count, alpha, softplus_grad_v);
    case Activation::softsign: return map_binary(dz, dy, v, count, alpha, softsign_grad_v);
    case Activation::swish: return map_binary(dz, dy, v, count, alpha, swish_grad_v);
    case Activation::linear:
    case Activation::sign:
    case Activation::softmax:
      return;
  }
}

// Three passes over a row, which is in L1 after the first: max, exp and sum, scale. A row of 4
// or more floats is body vectors from its start and a last vector ending at its end, which
// overlaps the body unless cols is a multiple of 4; the lanes it shares with the body are left
// out of the sum. The sum is float in 4 lanes, added up in an order fixed by cols.
void softmax_forward_neon(float* y, const float* z, std::int64_t rows, int cols) {
  if (cols < 4) {
    softmax_forward_narrow(y, z, rows, cols);
    return;
  }
  const std::int64_t last = cols - 4;
  const m4 fresh = last_lanes(((cols - 1) & 3) + 1);
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* zr = z + r * cols;
    float* yr = y + r * cols;
    const v4 zlast = vld1q_f32(zr + last);
    v4 vmax = zlast;
    for (std::int64_t j = 0; j < last; j += 4) vmax = greater_or_second(vmax, vld1q_f32(zr + j));
    const v4 zmax = splat(hmax(vmax));
    const v4 elast = exp_nonpositive(vsubq_f32(zlast, zmax));
    v4 vsum = bits_and(elast, fresh);
    for (std::int64_t j = 0; j < last; j += 4) {
      const v4 e = exp_nonpositive(vsubq_f32(vld1q_f32(zr + j), zmax));
      vst1q_f32(yr + j, e);
      vsum = vaddq_f32(vsum, e);
    }
    const v4 inv = splat(1.0f / hsum(vsum));
    for (std::int64_t j = 0; j < last; j += 4) vst1q_f32(yr + j, vmulq_f32(vld1q_f32(yr + j), inv));
    vst1q_f32(yr + last, vmulq_f32(elast, inv));
  }
}

// dz_j = y_j (dy_j - sum_i dy_i y_i); the dot product in float, in four accumulators of 4 lanes,
// added up in an order fixed by cols. Rows split into body and last vector as in the forward.
void softmax_backward_neon(float* dz, const float* dy, const float* y, std::int64_t rows,
                           int cols) {
  if (cols < 4) {
    softmax_backward_narrow(dz, dy, y, rows, cols);
    return;
  }
  const std::int64_t last = cols - 4;
  const m4 fresh = last_lanes(((cols - 1) & 3) + 1);
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* dyr = dy + r * cols;
    const float* yr = y + r * cols;
    float* dzr = dz + r * cols;
    const v4 glast = vld1q_f32(dyr + last);
    const v4 ylast = vld1q_f32(yr + last);
    v4 acc0 = vmulq_f32(bits_and(glast, fresh), ylast);
    v4 acc1 = splat(0.0f), acc2 = acc1, acc3 = acc1;
    std::int64_t j = 0;
    for (; j + 12 < last; j += 16) {
      acc0 = vfmaq_f32(acc0, vld1q_f32(dyr + j), vld1q_f32(yr + j));
      acc1 = vfmaq_f32(acc1, vld1q_f32(dyr + j + 4), vld1q_f32(yr + j + 4));
      acc2 = vfmaq_f32(acc2, vld1q_f32(dyr + j + 8), vld1q_f32(yr + j + 8));
      acc3 = vfmaq_f32(acc3, vld1q_f32(dyr + j + 12), vld1q_f32(yr + j + 12));
    }
    for (; j < last; j += 4) acc0 = vfmaq_f32(acc0, vld1q_f32(dyr + j), vld1q_f32(yr + j));
    const v4 dot = splat(hsum(vaddq_f32(vaddq_f32(acc0, acc1), vaddq_f32(acc2, acc3))));
    const v4 dzlast = vmulq_f32(ylast, vsubq_f32(glast, dot));
    for (j = 0; j < last; j += 4) {
      vst1q_f32(dzr + j, vmulq_f32(vld1q_f32(yr + j), vsubq_f32(vld1q_f32(dyr + j), dot)));
    }
    vst1q_f32(dzr + last, dzlast);
  }
}

}  // namespace activation_detail
}  // namespace myelin
