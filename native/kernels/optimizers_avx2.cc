// AVX2+FMA loops over one chunk of the parameter arena for every optimizer update (contracts in
// arena_internal.h, formulas in optimizers.h). Compiled with -mavx2 -mfma and reached only
// through run-time dispatch (optimizers.cc). count = floats in the chunk.
//
// The scalar tails spell out the same operations as the 8-wide bodies, every multiply-add as an
// explicit FMA (__builtin_fmaf is one vfmadd under -mfma; a plain a * b + c would be fused or
// not at the compiler's choice), so an element's result never depends on where the chunk ends.
// True sqrt and division, never the rsqrt/rcp approximations: each update must be the float32
// formula to normal rounding. max() is written so that a NaN operand gives NaN where the
// formula's would (_mm256_max_ps(a, b) is a > b ? a : b, as the tails spell it).
//
// Each loop runs once (arena_internal.h): it writes the new params in place, their old values
// into g and the slots into their outs, and finds whether every value it wrote is finite.
//
// ODR hazard: this TU must not instantiate any inline function or template shared with baseline
// code, so it includes only <immintrin.h> and a declaration-only header, and its helpers sit in
// an anonymous namespace (internal linkage: never merged with another TU's).
// The only external symbols are the *_avx2 functions of arena_internal.h.
#include <immintrin.h>

#include "arena_internal.h"

namespace myelin {
namespace arena_detail {

namespace {

// -x and |x| by the sign bit, as the scalar - and fabs do (0 - x would turn -0 into +0).
__m256 negate(__m256 x) { return _mm256_xor_ps(x, _mm256_set1_ps(-0.0f)); }
__m256 magnitude(__m256 x) { return _mm256_andnot_ps(_mm256_set1_ps(-0.0f), x); }

// Writes a loop's values and finds whether every one was finite: it ORs together the bits of
// value - value, +0 for every finite value and NaN for an infinite or NaN one, so they stay all
// zero exactly when every value is finite (a subtract and an OR a vector).
class Stores {
 public:
  void put(float* to, __m256 value) {
    _mm256_storeu_ps(to, value);
    seen_ = _mm256_or_ps(seen_, _mm256_sub_ps(value, value));
  }
  void put(float* to, float value) {
    *to = value;
    seen_ = _mm256_or_ps(seen_, _mm256_set1_ps(value - value));
  }
  // A parameter's new value, and its old one into the gradient, which the update has read: what
  // undoing the update needs (optimizers.h).
  void param(float* p, float* g, __m256 old, __m256 value) {
    put(p, value);
    _mm256_storeu_ps(g, old);
  }
  void param(float* p, float* g, float old, float value) {
    put(p, value);
    *g = old;
  }
  bool finite() const {
    const __m256i bits = _mm256_castps_si256(seen_);
    return _mm256_testz_si256(bits, bits) != 0;
  }

 private:
  __m256 seen_ = _mm256_setzero_ps();
};

}  // namespace

bool sgd_chunk_avx2(float* p, float* g, std::int64_t count, float lr) {
  Stores out;
  const __m256 vlr = _mm256_set1_ps(lr);
  std::int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 pi = _mm256_loadu_ps(p + i);
    out.param(p + i, g + i, pi, _mm256_fnmadd_ps(vlr, _mm256_loadu_ps(g + i), pi));
  }
  for (; i < count; ++i) {
    const float pi = p[i];
    out.param(p + i, g + i, pi, __builtin_fmaf(-lr, g[i], pi));
  }
  return out.finite();
}

bool sgd_momentum_chunk_avx2(float* p, float* g, float* v_out, const float* v_in,
                             std::int64_t count, float lr, float momentum, bool nesterov) {
  Stores out;
  const __m256 vlr = _mm256_set1_ps(lr);
  const __m256 vmu = _mm256_set1_ps(momentum);
  std::int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 pi = _mm256_loadu_ps(p + i);
    const __m256 step = _mm256_mul_ps(vlr, _mm256_loadu_ps(g + i));
    const __m256 vel = _mm256_fmsub_ps(vmu, _mm256_loadu_ps(v_in + i), step);
    out.put(v_out + i, vel);
    const __m256 update = nesterov ? _mm256_fmsub_ps(vmu, vel, step) : vel;
    out.param(p + i, g + i, pi, _mm256_add_ps(pi, update));
  }
  for (; i < count; ++i) {
    const float pi = p[i];
    const float step = lr * g[i];
    const float vel = __builtin_fmaf(momentum, v_in[i], -step);
    out.put(v_out + i, vel);
    out.param(p + i, g + i, pi, pi + (nesterov ? __builtin_fmaf(momentum, vel, -step) : vel));
  }
  return out.finite();
}

bool adagrad_chunk_avx2(float* p, float* g, float* a_out, const float* a_in, std::int64_t count,
                        float lr, float epsilon) {
  Stores out;
  const __m256 vlr = _mm256_set1_ps(lr), veps = _mm256_set1_ps(epsilon);
  std::int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 pi = _mm256_loadu_ps(p + i);
    const __m256 gi = _mm256_loadu_ps(g + i);
    const __m256 ai = _mm256_fmadd_ps(gi, gi, _mm256_loadu_ps(a_in + i));
    out.put(a_out + i, ai);
    const __m256 step =
        _mm256_div_ps(_mm256_mul_ps(vlr, gi), _mm256_sqrt_ps(_mm256_add_ps(ai, veps)));
    out.param(p + i, g + i, pi, _mm256_sub_ps(pi, step));
  }
  for (; i < count; ++i) {
    const float pi = p[i];
    const float gi = g[i];
    const float ai = __builtin_fmaf(gi, gi, a_in[i]);
    out.put(a_out + i, ai);
    out.param(p + i, g + i, pi, pi - lr * gi / __builtin_sqrtf(ai + epsilon));
  }
  return out.finite();
}

bool adadelta_chunk_avx2(float* p, float* g, float* eg_out, float* ed_out, const float* eg_in,
                         const float* ed_in, std::int64_t count, float lr, float rho,
                         float epsilon) {
  Stores out;
  const float c = 1.0f - rho;
  const __m256 vlr = _mm256_set1_ps(lr), veps = _mm256_set1_ps(epsilon);
  const __m256 vrho = _mm256_set1_ps(rho), vc = _mm256_set1_ps(c);
  std::int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 pi = _mm256_loadu_ps(p + i);
    const __m256 gi = _mm256_loadu_ps(g + i);
    const __m256 egi = _mm256_fmadd_ps(vrho, _mm256_loadu_ps(eg_in + i),
                                       _mm256_mul_ps(vc, _mm256_mul_ps(gi, gi)));
    const __m256 edi = _mm256_loadu_ps(ed_in + i);
    const __m256 d =
        negate(_mm256_div_ps(_mm256_mul_ps(_mm256_sqrt_ps(_mm256_add_ps(edi, veps)), gi),
                             _mm256_sqrt_ps(_mm256_add_ps(egi, veps))));
    out.put(eg_out + i, egi);
    out.put(ed_out + i, _mm256_fmadd_ps(vrho, edi, _mm256_mul_ps(vc, _mm256_mul_ps(d, d))));
    out.param(p + i, g + i, pi, _mm256_fmadd_ps(vlr, d, pi));
  }
  for (; i < count; ++i) {
    const float pi = p[i];
    const float gi = g[i];
    const float egi = __builtin_fmaf(rho, eg_in[i], c * (gi * gi));
    const float d = -(__builtin_sqrtf(ed_in[i] + epsilon) * gi / __builtin_sqrtf(egi + epsilon));
    out.put(eg_out + i, egi);
    out.put(ed_out + i, __builtin_fmaf(rho, ed_in[i], c * (d * d)));
    out.param(p + i, g + i, pi, __builtin_fmaf(lr, d, pi));
  }
  return out.finite();
}

bool rmsprop_chunk_avx2(float* p, float* g, float* v_out, float* mom_out, float* a_out,
                        const float* v_in, const float* mom_in, const float* a_in,
                        std::int64_t count, float lr, float rho, float momentum, float epsilon) {
  Stores out;
  const float c = 1.0f - rho;
  const __m256 vlr = _mm256_set1_ps(lr), veps = _mm256_set1_ps(epsilon);
  const __m256 vrho = _mm256_set1_ps(rho), vc = _mm256_set1_ps(c), vmu = _mm256_set1_ps(momentum);
  std::int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 pi = _mm256_loadu_ps(p + i);
    const __m256 gi = _mm256_loadu_ps(g + i);
    const __m256 vi = _mm256_fmadd_ps(vrho, _mm256_loadu_ps(v_in + i),
                                      _mm256_mul_ps(vc, _mm256_mul_ps(gi, gi)));
    out.put(v_out + i, vi);
    __m256 den = vi;
    if (a_in != nullptr) {
      const __m256 ai = _mm256_fmadd_ps(vrho, _mm256_loadu_ps(a_in + i), _mm256_mul_ps(vc, gi));
      out.put(a_out + i, ai);
      den = _mm256_fnmadd_ps(ai, ai, vi);
    }
    __m256 step = _mm256_div_ps(_mm256_mul_ps(vlr, gi), _mm256_sqrt_ps(_mm256_add_ps(den, veps)));
    if (mom_in != nullptr) {
      step = _mm256_fmadd_ps(vmu, _mm256_loadu_ps(mom_in + i), step);
      out.put(mom_out + i, step);
    }
    out.param(p + i, g + i, pi, _mm256_sub_ps(pi, step));
  }
  for (; i < count; ++i) {
    const float pi = p[i];
    const float gi = g[i];
    const float vi = __builtin_fmaf(rho, v_in[i], c * (gi * gi));
    out.put(v_out + i, vi);
    float den = vi;
    if (a_in != nullptr) {
      const float ai = __builtin_fmaf(rho, a_in[i], c * gi);
      out.put(a_out + i, ai);
      den = __builtin_fmaf(-ai, ai, vi);
    }
    float step = lr * gi / __builtin_sqrtf(den + epsilon);
    if (mom_in != nullptr) {
      step = __builtin_fmaf(momentum, mom_in[i], step);
      out.put(mom_out + i, step);
    }
    out.param(p + i, g + i, pi, pi - step);
  }
  return out.finite();
}

bool adam_chunk_avx2(float* p, float* g, float* m_out, float* v_out, float* vh_out,
                     const float* m_in, const float* v_in, const float* vh_in, std::int64_t count,
                     float lr_t, float beta1, float beta2, float epsilon, float decay) {
  Stores out;
  const float c1 = 1.0f - beta1;
  const float c2 = 1.0f - beta2;
  const __m256 vb1 = _mm256_set1_ps(beta1), vc1 = _mm256_set1_ps(c1);
  const __m256 vb2 = _mm256_set1_ps(beta2), vc2 = _mm256_set1_ps(c2);
  const __m256 vlr = _mm256_set1_ps(lr_t), veps = _mm256_set1_ps(epsilon);
  const __m256 vdecay = _mm256_set1_ps(decay);
  std::int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 gi = _mm256_loadu_ps(g + i);
    const __m256 old = _mm256_loadu_ps(p + i);
    __m256 pi = old;
    if (decay != 0.0f) pi = _mm256_fnmadd_ps(pi, vdecay, pi);
    const __m256 mi = _mm256_fmadd_ps(vb1, _mm256_loadu_ps(m_in + i), _mm256_mul_ps(vc1, gi));
    const __m256 vi =
        _mm256_fmadd_ps(_mm256_mul_ps(vc2, gi), gi, _mm256_mul_ps(vb2, _mm256_loadu_ps(v_in + i)));
    __m256 second = vi;
    if (vh_in != nullptr) {
      second = _mm256_max_ps(_mm256_loadu_ps(vh_in + i), vi);
      out.put(vh_out + i, second);
    }
    const __m256 step =
        _mm256_div_ps(_mm256_mul_ps(vlr, mi), _mm256_add_ps(_mm256_sqrt_ps(second), veps));
    out.put(m_out + i, mi);
    out.put(v_out + i, vi);
    out.param(p + i, g + i, old, _mm256_sub_ps(pi, step));
  }
  for (; i < count; ++i) {
    const float gi = g[i];
    const float old = p[i];
    float pi = old;
    if (decay != 0.0f) pi = __builtin_fmaf(-pi, decay, pi);
    const float mi = __builtin_fmaf(beta1, m_in[i], c1 * gi);
    const float vi = __builtin_fmaf(c2 * gi, gi, beta2 * v_in[i]);
    float second = vi;
    if (vh_in != nullptr) {
      second = vh_in[i] > vi ? vh_in[i] : vi;
      out.put(vh_out + i, second);
    }
    out.put(m_out + i, mi);
    out.put(v_out + i, vi);
    out.param(p + i, g + i, old, pi - lr_t * mi / (__builtin_sqrtf(second) + epsilon));
  }
  return out.finite();
}

bool adamax_chunk_avx2(float* p, float* g, float* m_out, float* u_out, const float* m_in,
                       const float* u_in, std::int64_t count, float lr_t, float beta1, float beta2,
                       float epsilon) {
  Stores out;
  const float c1 = 1.0f - beta1;
  const __m256 vb1 = _mm256_set1_ps(beta1), vc1 = _mm256_set1_ps(c1);
  const __m256 vb2 = _mm256_set1_ps(beta2);
  const __m256 vlr = _mm256_set1_ps(lr_t), veps = _mm256_set1_ps(epsilon);
  std::int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 pi = _mm256_loadu_ps(p + i);
    const __m256 gi = _mm256_loadu_ps(g + i);
    const __m256 mi = _mm256_fmadd_ps(vb1, _mm256_loadu_ps(m_in + i), _mm256_mul_ps(vc1, gi));
    const __m256 ui =
        _mm256_max_ps(_mm256_mul_ps(vb2, _mm256_loadu_ps(u_in + i)), magnitude(gi));
    out.put(m_out + i, mi);
    out.put(u_out + i, ui);
    const __m256 step = _mm256_div_ps(_mm256_mul_ps(vlr, mi), _mm256_add_ps(ui, veps));
    out.param(p + i, g + i, pi, _mm256_sub_ps(pi, step));
  }
  for (; i < count; ++i) {
    const float pi = p[i];
    const float gi = g[i];
    const float mi = __builtin_fmaf(beta1, m_in[i], c1 * gi);
    const float decayed = beta2 * u_in[i];
    const float size = __builtin_fabsf(gi);
    const float ui = decayed > size ? decayed : size;
    out.put(m_out + i, mi);
    out.put(u_out + i, ui);
    out.param(p + i, g + i, pi, pi - lr_t * mi / (ui + epsilon));
  }
  return out.finite();
}

bool nadam_chunk_avx2(float* p, float* g, float* m_out, float* v_out, const float* m_in,
                      const float* v_in, std::int64_t count, float lr, float beta1, float beta2,
                      float epsilon, float c_m, float c_g, float v_scale) {
  Stores out;
  const float c1 = 1.0f - beta1;
  const float c2 = 1.0f - beta2;
  const __m256 vb1 = _mm256_set1_ps(beta1), vc1 = _mm256_set1_ps(c1);
  const __m256 vb2 = _mm256_set1_ps(beta2), vc2 = _mm256_set1_ps(c2);
  const __m256 vcm = _mm256_set1_ps(c_m), vcg = _mm256_set1_ps(c_g);
  const __m256 vscale = _mm256_set1_ps(v_scale);
  const __m256 vlr = _mm256_set1_ps(lr), veps = _mm256_set1_ps(epsilon);
  std::int64_t i = 0;
  for (; i + 8 <= count; i += 8) {
    const __m256 pi = _mm256_loadu_ps(p + i);
    const __m256 gi = _mm256_loadu_ps(g + i);
    const __m256 mi = _mm256_fmadd_ps(vb1, _mm256_loadu_ps(m_in + i), _mm256_mul_ps(vc1, gi));
    const __m256 vi =
        _mm256_fmadd_ps(_mm256_mul_ps(vc2, gi), gi, _mm256_mul_ps(vb2, _mm256_loadu_ps(v_in + i)));
    const __m256 m_hat = _mm256_fmadd_ps(vcm, mi, _mm256_mul_ps(vcg, gi));
    const __m256 den = _mm256_add_ps(_mm256_sqrt_ps(_mm256_mul_ps(vi, vscale)), veps);
    out.put(m_out + i, mi);
    out.put(v_out + i, vi);
    out.param(p + i, g + i, pi, _mm256_sub_ps(pi, _mm256_div_ps(_mm256_mul_ps(vlr, m_hat), den)));
  }
  for (; i < count; ++i) {
    const float pi = p[i];
    const float gi = g[i];
    const float mi = __builtin_fmaf(beta1, m_in[i], c1 * gi);
    const float vi = __builtin_fmaf(c2 * gi, gi, beta2 * v_in[i]);
    const float m_hat = __builtin_fmaf(c_m, mi, c_g * gi);
    out.put(m_out + i, mi);
    out.put(v_out + i, vi);
    out.param(p + i, g + i, pi, pi - lr * m_hat / (__builtin_sqrtf(vi * v_scale) + epsilon));
  }
  return out.finite();
}

}  // namespace arena_detail
}  // namespace myelin
