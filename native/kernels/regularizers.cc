// Weight penalties. A plain loop: a weight view is one layer's tensor, read once per step, and
// the compiler vectorizes the spelled-out lanes below (no -ffast-math, so one running sum would
// stay a serial chain).
#include "regularizers.h"

#include <cmath>

namespace myelin {

namespace {

constexpr int kLanes = 8;

// -1, 0 or 1 with the sign of v; 0 and NaN pass through unchanged.
float sign(float v) { return v > 0.0f ? 1.0f : (v < 0.0f ? -1.0f : v); }

}  // namespace

double regularize_accum(float* grads, const float* values, std::int64_t count, float l1,
                        float l2, float scale) {
  double abs_lanes[kLanes] = {};
  double square_lanes[kLanes] = {};
  std::int64_t i = 0;
  for (; i + kLanes <= count; i += kLanes) {
    for (int j = 0; j < kLanes; ++j) {
      const double v = values[i + j];
      abs_lanes[j] += std::fabs(v);
      square_lanes[j] += v * v;
    }
  }
  for (; i < count; ++i) {
    const double v = values[i];
    abs_lanes[0] += std::fabs(v);
    square_lanes[0] += v * v;
  }
  double abs_sum = 0.0;
  double square_sum = 0.0;
  for (int j = 0; j < kLanes; ++j) {
    abs_sum += abs_lanes[j];
    square_sum += square_lanes[j];
  }
  if (grads != nullptr) {
    const float a = static_cast<float>(static_cast<double>(scale) * l1);
    const float b = static_cast<float>(2.0 * scale * l2);
    for (std::int64_t k = 0; k < count; ++k) grads[k] += a * sign(values[k]) + b * values[k];
  }
  return static_cast<double>(scale) * (static_cast<double>(l1) * abs_sum +
                                       static_cast<double>(l2) * square_sum);
}

}  // namespace myelin
