// Elementwise activations and their derivatives, forward beside backward.
// rows = batch, cols = units. Derivatives are written in terms of the forward output y (not the
// pre-activation), so a layer keeps one buffer per activation instead of two.
#pragma once

namespace myelin {

// The numbering is shared with lib/activations.ts; append, never renumber.
enum class Activation : int { linear = 0, relu = 1, sigmoid = 2, tanh = 3, softmax = 4 };

constexpr int kActivationCount = 5;

// y is (rows,cols), z is (rows,cols); y == z is allowed. softmax is over each row.
void activation_forward(float* y, const float* z, int rows, int cols, Activation act);

// dz = dL/dz from dy = dL/dy and the forward output y; dz == dy is allowed.
void activation_backward(float* dz, const float* dy, const float* y, int rows, int cols,
                         Activation act);

}  // namespace myelin
