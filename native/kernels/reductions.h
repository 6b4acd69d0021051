// Reductions over whole arenas. count = number of floats.
#pragma once

#include <cstdint>

namespace myelin {

// sum of x_i^2 in double; NaN or infinity anywhere makes the result non-finite, which is how the
// training loop learns that a gradient blew up before applying it.
double sum_of_squares(const float* x, std::int64_t count);

}  // namespace myelin
