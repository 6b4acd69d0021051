// NEON loops over one chunk of an arena other than the optimizer updates (those are in
// optimizers_neon.cc): the gradient clipping pass and the sum of squares (contracts in
// arena_internal.h), for AArch64. Compiled for AArch64 only (native/sources.json) and reached
// through the run-time dispatch (clipping.cc, reductions.cc, arena_loops.cc). count = floats in
// the chunk.
//
// The scalar tails spell out the same operations as the 4-wide bodies, so an element's result
// never depends on where the chunk ends.
//
// ODR hazard: as for arena_avx2.cc, this TU includes only <arm_neon.h> and a declaration-only
// header. The only external symbols are the *_neon functions of arena_internal.h.
#include <arm_neon.h>

#include "arena_internal.h"

namespace myelin {
namespace arena_detail {

// min(limit, y) then max(-limit, .): fmin and fmax return NaN for a NaN y, as the tail's
// comparisons (false for NaN) let y through.
void scale_clamp_chunk_neon(float* x, std::int64_t count, float scale, float limit) {
  const float32x4_t vscale = vdupq_n_f32(scale);
  const float32x4_t vhi = vdupq_n_f32(limit), vlo = vdupq_n_f32(-limit);
  std::int64_t i = 0;
  for (; i + 4 <= count; i += 4) {
    const float32x4_t y = vmulq_f32(vld1q_f32(x + i), vscale);
    vst1q_f32(x + i, vmaxq_f32(vlo, vminq_f32(vhi, y)));
  }
  for (; i < count; ++i) {
    float y = x[i] * scale;
    y = limit < y ? limit : y;
    x[i] = -limit > y ? -limit : y;
  }
}

// Each float is widened to double before it is squared: a float32 square cannot overflow a
// double, so the sum is finite exactly when every input is, and NaN or infinity carries through.
// Eight independent accumulators of 2 doubles (16 floats a step) keep the four FMA pipes busy
// past the FMA latency; the order of the final additions depends on count only.
double sum_of_squares_chunk_neon(const float* x, std::int64_t count) {
  float64x2_t acc[8];
  for (int k = 0; k < 8; ++k) acc[k] = vdupq_n_f64(0.0);
  std::int64_t i = 0;
  for (; i + 16 <= count; i += 16) {
    for (int k = 0; k < 4; ++k) {
      const float32x4_t f = vld1q_f32(x + i + 4 * k);
      const float64x2_t lo = vcvt_f64_f32(vget_low_f32(f));
      const float64x2_t hi = vcvt_high_f64_f32(f);
      acc[2 * k] = vfmaq_f64(acc[2 * k], lo, lo);
      acc[2 * k + 1] = vfmaq_f64(acc[2 * k + 1], hi, hi);
    }
  }
  for (; i + 4 <= count; i += 4) {
    const float32x4_t f = vld1q_f32(x + i);
    const float64x2_t lo = vcvt_f64_f32(vget_low_f32(f));
    const float64x2_t hi = vcvt_high_f64_f32(f);
    acc[0] = vfmaq_f64(acc[0], lo, lo);
    acc[1] = vfmaq_f64(acc[1], hi, hi);
  }
  double tail = 0.0;
  for (; i < count; ++i) {
    const double d = x[i];
    tail = __builtin_fma(d, d, tail);
  }
  for (int k = 0; k < 4; ++k) acc[k] = vaddq_f64(acc[k], acc[k + 4]);
  const float64x2_t s = vaddq_f64(vaddq_f64(acc[0], acc[1]), vaddq_f64(acc[2], acc[3]));
  return (vgetq_lane_f64(s, 0) + vgetq_lane_f64(s, 1)) + tail;
}

}  // namespace arena_detail
}  // namespace myelin
