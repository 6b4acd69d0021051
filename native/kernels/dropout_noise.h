// The elementwise arithmetic of the random layers; their random numbers come from random.h.
// count = floats; out may alias either input.
#pragma once

#include <cstdint>

namespace myelin {

// out = a * b: inverted dropout's forward (y = x * mask, mask from fill_dropout_mask) and its
// backward (dx = dy * mask); Srivastava et al. 2014, JMLR 15, with the 1 / (1 - rate) scale
// applied at training time as Keras does.
void multiply_elementwise(float* out, const float* a, const float* b, std::int64_t count);

// out = a + b: gaussian noise's forward (y = x + noise, noise from fill_normal).
void add_elementwise(float* out, const float* a, const float* b, std::int64_t count);

}  // namespace myelin
