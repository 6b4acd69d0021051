// Weight constraints, projected in place after each optimizer step, as keras.constraints.
// w is a row-major (rows, cols) weight view: a Dense kernel is (inputs, units), a bias (n, 1).
// axis 0 takes one norm per column (over the rows: each unit's incoming weights), axis 1 one
// norm per row (over the columns).
#pragma once

#include <cstdint>

namespace myelin {

// keras.constraints.MinMaxNorm, with eps = 1e-7 added to the norm in the denominator:
//   n = ||w||_2 along axis;  desired = rate clip(n, min_value, max_value) + (1 - rate) n
//   w = w * desired / (eps + n)
// MaxNorm is (0, max_value, rate 1) and UnitNorm (1, 1, rate 1), as Keras defines them. Norms
// are accumulated in double. w: (rows, cols)
void min_max_norm(float* w, std::int64_t rows, std::int64_t cols, int axis, float min_value,
                  float max_value, float rate);

// keras.constraints.NonNeg: w = max(w, 0), NaN kept. w: (count)
void non_neg(float* w, std::int64_t count);

}  // namespace myelin
