// NEON loops over one chunk of the parameter arena for every optimizer update (contracts in
// arena_internal.h, formulas in optimizers.h), for AArch64: the AVX2 loops of
// optimizers_avx2.cc, four lanes wide. Compiled for AArch64 only (native/sources.json) and
// reached through the run-time dispatch (optimizers.cc, arena_loops.cc). count = floats in the
// chunk.
//
// The scalar tails spell out the same operations as the 4-wide bodies, every multiply-add as an
// explicit FMA (__builtin_fmaf is one fmadd; the build passes -ffp-contract=off, so no
// other multiply and add is fused behind our back), so an element's result never depends on
// where the chunk ends. True sqrt and division, never the frsqrte/frecpe estimates: each update
// must be the float32 formula to normal rounding. max() is written a > b ? a : b as a compare and
// a select, as _mm256_max_ps and the tails compute it (fmax would treat a NaN operand otherwise).
//
// Each loop runs once (arena_internal.h): it writes the new params in place, their old values
// into g and the slots into their outs, and finds whether every value it wrote is finite.
//
// ODR hazard: as for optimizers_avx2.cc, this TU includes only <arm_neon.h> and a
// declaration-only header, and its helpers sit in an anonymous namespace.
#include <arm_neon.h>

#include "arena_internal.h"

namespace myelin {
namespace arena_detail {

namespace {

// a > b ? a : b, lane by lane (false for NaN: b).
float32x4_t greater_or_second(float32x4_t a, float32x4_t b) {
  return vbslq_f32(vcgtq_f32(a, b), a, b);
}

// Writes a loop's values and finds whether every one was finite: it ORs together the bits of
// value - value, +0 for every finite value and NaN for an infinite or NaN one, so they stay all
// zero exactly when every value is finite.
class Stores {
 public:
  void put(float* to, float32x4_t value) {
    vst1q_f32(to, value);
    seen_ = vorrq_u32(seen_, vreinterpretq_u32_f32(vsubq_f32(value, value)));
  }
  void put(float* to, float value) {
    *to = value;
    seen_ = vorrq_u32(seen_, vreinterpretq_u32_f32(vdupq_n_f32(value - value)));
  }
  // A parameter's new value, and its old one into the gradient, which the update has read: what
  // undoing the update needs (optimizers.h).
  void param(float* p, float* g, float32x4_t old, float32x4_t value) {
    put(p, value);
    vst1q_f32(g, old);
  }
  void param(float* p, float* g, float old, float value) {
    put(p, value);
    *g = old;
  }
  bool finite() const { return vmaxvq_u32(seen_) == 0; }

 private:
  uint32x4_t seen_ = vdupq_n_u32(0);
};

}  // namespace

bool sgd_chunk_neon(float* p, float* g, std::int64_t count, float lr) {
  Stores out;
  const float32x4_t vlr = vdupq_n_f32(lr);
  std::int64_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const float32x4_t pi = vld1q_f32(p + i);
    out.param(p + i, g + i, pi, vfmsq_f32(pi, vlr, vld1q_f32(g + i)));
  }
  for (; i < count; ++i) {
    const float pi = p[i];
    out.param(p + i, g + i, pi, __builtin_fmaf(-lr, g[i], pi));
  }
  return out.finite();
}

bool sgd_momentum_chunk_neon(float* p, float* g, float* v_out, const float* v_in,
                             std::int64_t count, float lr, float momentum, bool nesterov) {
  Stores out;
  const float32x4_t vlr = vdupq_n_f32(lr);
  const float32x4_t vmu = vdupq_n_f32(momentum);
  std::int64_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const float32x4_t pi = vld1q_f32(p + i);
    const float32x4_t step = vmulq_f32(vlr, vld1q_f32(g + i));
    const float32x4_t vel = vfmaq_f32(vnegq_f32(step), vmu, vld1q_f32(v_in + i));
    out.put(v_out + i, vel);
    const float32x4_t update = nesterov ? vfmaq_f32(vnegq_f32(step), vmu, vel) : vel;
    out.param(p + i, g + i, pi, vaddq_f32(pi, update));
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

bool adagrad_chunk_neon(float* p, float* g, float* a_out, const float* a_in, std::int64_t count,
                        float lr, float epsilon) {
  Stores out;
  const float32x4_t vlr = vdupq_n_f32(lr), veps = vdupq_n_f32(epsilon);
  std::int64_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const float32x4_t pi = vld1q_f32(p + i);
    const float32x4_t gi = vld1q_f32(g + i);
    const float32x4_t ai = vfmaq_f32(vld1q_f32(a_in + i), gi, gi);
    out.put(a_out + i, ai);
    const float32x4_t step = vdivq_f32(vmulq_f32(vlr, gi), vsqrtq_f32(vaddq_f32(ai, veps)));
    out.param(p + i, g + i, pi, vsubq_f32(pi, step));
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

bool adadelta_chunk_neon(float* p, float* g, float* eg_out, float* ed_out, const float* eg_in,
                         const float* ed_in, std::int64_t count, float lr, float rho,
                         float epsilon) {
  Stores out;
  const float c = 1.0f - rho;
  const float32x4_t vlr = vdupq_n_f32(lr), veps = vdupq_n_f32(epsilon);
  const float32x4_t vrho = vdupq_n_f32(rho), vc = vdupq_n_f32(c);
  std::int64_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const float32x4_t pi = vld1q_f32(p + i);
    const float32x4_t gi = vld1q_f32(g + i);
    const float32x4_t egi =
        vfmaq_f32(vmulq_f32(vc, vmulq_f32(gi, gi)), vrho, vld1q_f32(eg_in + i));
    const float32x4_t edi = vld1q_f32(ed_in + i);
    const float32x4_t d = vnegq_f32(vdivq_f32(vmulq_f32(vsqrtq_f32(vaddq_f32(edi, veps)), gi),
                                              vsqrtq_f32(vaddq_f32(egi, veps))));
    out.put(eg_out + i, egi);
    out.put(ed_out + i, vfmaq_f32(vmulq_f32(vc, vmulq_f32(d, d)), vrho, edi));
    out.param(p + i, g + i, pi, vfmaq_f32(pi, vlr, d));
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

bool rmsprop_chunk_neon(float* p, float* g, float* v_out, float* mom_out, float* a_out,
                        const float* v_in, const float* mom_in, const float* a_in,
                        std::int64_t count, float lr, float rho, float momentum, float epsilon) {
  Stores out;
  const float c = 1.0f - rho;
  const float32x4_t vlr = vdupq_n_f32(lr), veps = vdupq_n_f32(epsilon);
  const float32x4_t vrho = vdupq_n_f32(rho), vc = vdupq_n_f32(c), vmu = vdupq_n_f32(momentum);
  std::int64_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const float32x4_t pi = vld1q_f32(p + i);
    const float32x4_t gi = vld1q_f32(g + i);
    const float32x4_t vi = vfmaq_f32(vmulq_f32(vc, vmulq_f32(gi, gi)), vrho, vld1q_f32(v_in + i));
    out.put(v_out + i, vi);
    float32x4_t den = vi;
    if (a_in != nullptr) {
      const float32x4_t ai = vfmaq_f32(vmulq_f32(vc, gi), vrho, vld1q_f32(a_in + i));
      out.put(a_out + i, ai);
      den = vfmsq_f32(vi, ai, ai);
    }
    float32x4_t step = vdivq_f32(vmulq_f32(vlr, gi), vsqrtq_f32(vaddq_f32(den, veps)));
    if (mom_in != nullptr) {
      step = vfmaq_f32(step, vmu, vld1q_f32(mom_in + i));
      out.put(mom_out + i, step);
    }
    out.param(p + i, g + i, pi, vsubq_f32(pi, step));
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

bool adam_chunk_neon(float* p, float* g, float* m_out, float* v_out, float* vh_out,
                     const float* m_in, const float* v_in, const float* vh_in, std::int64_t count,
                     float lr_t, float beta1, float beta2, float epsilon, float decay) {
  Stores out;
  const float c1 = 1.0f - beta1;
  const float c2 = 1.0f - beta2;
  const float32x4_t vb1 = vdupq_n_f32(beta1), vc1 = vdupq_n_f32(c1);
  const float32x4_t vb2 = vdupq_n_f32(beta2), vc2 = vdupq_n_f32(c2);
  const float32x4_t vlr = vdupq_n_f32(lr_t), veps = vdupq_n_f32(epsilon);
  const float32x4_t vdecay = vdupq_n_f32(decay);
  std::int64_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const float32x4_t gi = vld1q_f32(g + i);
    const float32x4_t old = vld1q_f32(p + i);
    float32x4_t pi = old;
    if (decay != 0.0f) pi = vfmsq_f32(pi, pi, vdecay);
    const float32x4_t mi = vfmaq_f32(vmulq_f32(vc1, gi), vb1, vld1q_f32(m_in + i));
    const float32x4_t vi = vfmaq_f32(vmulq_f32(vb2, vld1q_f32(v_in + i)), vmulq_f32(vc2, gi), gi);
    float32x4_t second = vi;
    if (vh_in != nullptr) {
      second = greater_or_second(vld1q_f32(vh_in + i), vi);
      out.put(vh_out + i, second);
    }
    const float32x4_t step = vdivq_f32(vmulq_f32(vlr, mi), vaddq_f32(vsqrtq_f32(second), veps));
    out.put(m_out + i, mi);
    out.put(v_out + i, vi);
    out.param(p + i, g + i, old, vsubq_f32(pi, step));
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

bool adamax_chunk_neon(float* p, float* g, float* m_out, float* u_out, const float* m_in,
                       const float* u_in, std::int64_t count, float lr_t, float beta1, float beta2,
                       float epsilon) {
  Stores out;
  const float c1 = 1.0f - beta1;
  const float32x4_t vb1 = vdupq_n_f32(beta1), vc1 = vdupq_n_f32(c1);
  const float32x4_t vb2 = vdupq_n_f32(beta2);
  const float32x4_t vlr = vdupq_n_f32(lr_t), veps = vdupq_n_f32(epsilon);
  std::int64_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const float32x4_t pi = vld1q_f32(p + i);
    const float32x4_t gi = vld1q_f32(g + i);
    const float32x4_t mi = vfmaq_f32(vmulq_f32(vc1, gi), vb1, vld1q_f32(m_in + i));
    const float32x4_t ui = greater_or_second(vmulq_f32(vb2, vld1q_f32(u_in + i)), vabsq_f32(gi));
    out.put(m_out + i, mi);
    out.put(u_out + i, ui);
    const float32x4_t step = vdivq_f32(vmulq_f32(vlr, mi), vaddq_f32(ui, veps));
    out.param(p + i, g + i, pi, vsubq_f32(pi, step));
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

bool nadam_chunk_neon(float* p, float* g, float* m_out, float* v_out, const float* m_in,
                      const float* v_in, std::int64_t count, float lr, float beta1, float beta2,
                      float epsilon, float c_m, float c_g, float v_scale) {
  Stores out;
  const float c1 = 1.0f - beta1;
  const float c2 = 1.0f - beta2;
  const float32x4_t vb1 = vdupq_n_f32(beta1), vc1 = vdupq_n_f32(c1);
  const float32x4_t vb2 = vdupq_n_f32(beta2), vc2 = vdupq_n_f32(c2);
  const float32x4_t vcm = vdupq_n_f32(c_m), vcg = vdupq_n_f32(c_g);
  const float32x4_t vscale = vdupq_n_f32(v_scale);
  const float32x4_t vlr = vdupq_n_f32(lr), veps = vdupq_n_f32(epsilon);
  std::int64_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const float32x4_t pi = vld1q_f32(p + i);
    const float32x4_t gi = vld1q_f32(g + i);
    const float32x4_t mi = vfmaq_f32(vmulq_f32(vc1, gi), vb1, vld1q_f32(m_in + i));
    const float32x4_t vi = vfmaq_f32(vmulq_f32(vb2, vld1q_f32(v_in + i)), vmulq_f32(vc2, gi), gi);
    const float32x4_t m_hat = vfmaq_f32(vmulq_f32(vcg, gi), vcm, mi);
    const float32x4_t den = vaddq_f32(vsqrtq_f32(vmulq_f32(vi, vscale)), veps);
    out.put(m_out + i, mi);
    out.put(v_out + i, vi);
    out.param(p + i, g + i, pi, vsubq_f32(pi, vdivq_f32(vmulq_f32(vlr, m_hat), den)));
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
