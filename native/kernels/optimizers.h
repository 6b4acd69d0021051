// Optimizer updates, each one call over the whole parameter arena: params, gradients and every
// slot are arenas of the same layout, so the update is a flat loop over `count` floats.
#pragma once

#include <cstdint>

namespace myelin {

// SGD with momentum, as keras.optimizers.SGD:
//   v = momentum * v - lr * g;  p = p + v        (momentum == 0: p = p - lr * g, v untouched)
// params, velocity (null when momentum == 0), grads: (count)
void sgd_step(float* params, float* velocity, const float* grads, std::int64_t count, float lr,
              float momentum);

// Adam (Kingma & Ba 2015, Algorithm 1 with the efficient ordering of section 2, as keras.optimizers.Adam):
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   lr_t = lr * sqrt(1 - b2^t) / (1 - b1^t);  p = p - lr_t * m / (sqrt(v) + epsilon)
// Bias correction is folded into lr_t, so epsilon is added to the uncorrected sqrt(v) ("epsilon
// hat" in the paper). step is t, counted from 1.
void adam_step(float* params, float* m, float* v, const float* grads, std::int64_t count,
               float lr, float beta1, float beta2, float epsilon, std::int64_t step);

}  // namespace myelin
