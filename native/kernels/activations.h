// Elementwise activations and their derivatives, forward beside backward.
// rows = batch, cols = units. Derivatives are written in terms of the forward output y where y
// determines them, so a layer keeps one buffer per activation instead of two; the few that y does
// not determine (gelu, geluTanh, swish) read the pre-activation z instead (see
// activation_needs_input).
#pragma once

namespace myelin {

// The numbering is shared with lib/backend.ts (ActivationCode); append, never renumber.
enum class Activation : int {
  linear = 0,
  relu = 1,
  sigmoid = 2,
  tanh = 3,
  softmax = 4,
  sign = 5,
  hardTanh = 6,
  hardSigmoid = 7,
  relu6 = 8,
  leakyRelu = 9,
  elu = 10,
  selu = 11,
  gelu = 12,
  geluTanh = 13,
  softplus = 14,
  softsign = 15,
  swish = 16,
};

constexpr int kActivationCount = 17;

// True when the derivative needs the pre-activation z (y does not determine it): then
// activation_backward reads z, and a layer must keep z beside y.
bool activation_needs_input(Activation act);

// y is (rows,cols), z is (rows,cols); y == z is allowed. softmax is over each row. alpha is the
// negative slope of leakyRelu and the scale of elu's negative part (>= 0, which lets their
// derivatives be read from y); the other activations ignore it.
void activation_forward(float* y, const float* z, int rows, int cols, Activation act,
                        float alpha);

// dz = dL/dz from dy = dL/dy and the forward's z and y, all (rows,cols); dz == dy is allowed.
// z is read only when activation_needs_input(act) (it may be null otherwise), y only when not.
void activation_backward(float* dz, const float* dy, const float* z, const float* y, int rows,
                         int cols, Activation act, float alpha);

}  // namespace myelin
