// Weight constraints. Plain loops: they run once per step on one layer's view, and their cost is
// one read and one write of it.
#include "constraints.h"

#include <cmath>
#include <vector>

namespace myelin {

namespace {

constexpr double kEpsilon = 1e-7;  // Keras's backend.epsilon()

// The factor desired / (eps + n) for one norm n, from its sum of squares.
float norm_factor(double squares, double min_value, double max_value, double rate) {
  const double n = std::sqrt(squares);
  // clip that keeps NaN: both comparisons are false for it
  const double clipped = n < min_value ? min_value : (n > max_value ? max_value : n);
  const double desired = rate * clipped + (1.0 - rate) * n;
  return static_cast<float>(desired / (kEpsilon + n));
}

}  // namespace

void min_max_norm(float* w, std::int64_t rows, std::int64_t cols, int axis, float min_value,
                  float max_value, float rate) {
  if (axis == 1) {
    for (std::int64_t r = 0; r < rows; ++r) {
      float* row = w + r * cols;
      double squares = 0.0;
      for (std::int64_t c = 0; c < cols; ++c) squares += static_cast<double>(row[c]) * row[c];
      const float factor = norm_factor(squares, min_value, max_value, rate);
      for (std::int64_t c = 0; c < cols; ++c) row[c] *= factor;
    }
    return;
  }
  // axis 0: the column sums are built row by row, so w is read in memory order.
  std::vector<double> squares(static_cast<std::size_t>(cols), 0.0);
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* row = w + r * cols;
    for (std::int64_t c = 0; c < cols; ++c) squares[c] += static_cast<double>(row[c]) * row[c];
  }
  std::vector<float> factors(static_cast<std::size_t>(cols));
  for (std::int64_t c = 0; c < cols; ++c) {
    factors[c] = norm_factor(squares[c], min_value, max_value, rate);
  }
  for (std::int64_t r = 0; r < rows; ++r) {
    float* row = w + r * cols;
    for (std::int64_t c = 0; c < cols; ++c) row[c] *= factors[c];
  }
}

void non_neg(float* w, std::int64_t count) {
  for (std::int64_t i = 0; i < count; ++i) w[i] = w[i] < 0.0f ? 0.0f : w[i];
}

}  // namespace myelin
