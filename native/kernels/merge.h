// The kernels of a graph model's merge layers (Keras's Subtract, Maximum, Minimum, Concatenate,
// Average) and of slicing one input's columns out of a packed matrix. All are memory bound: plain
// loops the compiler vectorizes. count = floats; n = rows; *_cols = floats per row of a matrix.
// The elementwise kernels read each element before they write it, so out may alias an input.
#pragma once

#include <cstdint>

namespace myelin {

// out = a - b: Subtract's forward (its backward is dx_a = dy, dx_b = -dy: scale_elementwise).
void subtract_elementwise(float* out, const float* a, const float* b, std::int64_t count);

// out = max(a, b) and out = min(a, b): Maximum's and Minimum's forward, folded over the inputs.
// A NaN in either gives NaN (std::fmax would drop it), so a training guard sees a diverged input.
void maximum_elementwise(float* out, const float* a, const float* b, std::int64_t count);
void minimum_elementwise(float* out, const float* a, const float* b, std::int64_t count);

// out = alpha * x: Average's forward (alpha = 1 / inputs) and backward, Subtract's backward.
void scale_elementwise(float* out, const float* x, float alpha, std::int64_t count);

// dst (n, dst_cols) columns [dst_offset, dst_offset + width) = src (n, src_cols) columns
// [src_offset, src_offset + width); dst's other columns are left as they are. Concatenate's
// forward (each input into its block) and backward (each block out to its input's gradient).
// dst and src must not overlap; offsets + width within the columns (checked by the caller).
void copy_columns(float* dst, const float* src, int n, int width, int dst_cols, int dst_offset,
                  int src_cols, int src_offset);

// Maximum's and Minimum's backward for one input x of several, called for each input in turn
// with y the forward's result: dx = dy where x == y and no earlier input claimed the element,
// else 0 (overwrites). claimed (0 or 1 per element) carries the claims from input to input;
// first resets it, so ties go to the earliest input and the gradient is passed on exactly once.
void winner_gradient(float* dx, float* claimed, const float* dy, const float* x, const float* y,
                     bool first, std::int64_t count);

}  // namespace myelin
