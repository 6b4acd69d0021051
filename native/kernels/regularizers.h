// Weight penalties, as keras.regularizers.L1, L2 and L1L2 (elastic net). count = floats in the
// weight view (a layer's kernel or bias).
#pragma once

#include <cstdint>

namespace myelin {

// Returns scale * (l1 sum |v| + l2 sum v^2), both sums accumulated in double in an order fixed
// by count alone. Unless grads is null, adds the gradient scale * (l1 sign(v) + 2 l2 v) into it
// (sign(0) = 0, as Keras's ops.sign). NaN in values gives a NaN value and NaN gradients.
// grads (accumulated, or null), values: (count)
double regularize_accum(float* grads, const float* values, std::int64_t count, float l1,
                        float l2, float scale);

}  // namespace myelin
