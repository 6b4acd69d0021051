// Optimizer updates over the parameter arena. Elementwise, so the arena is cut into chunks that
// the thread pool runs independently; the result does not depend on the thread count.
#include "optimizers.h"

#include <algorithm>
#include <cmath>

#include "../runtime/thread_pool.h"

namespace myelin {

namespace {

// Below this many floats a second thread costs more than it saves.
constexpr std::int64_t kChunk = 1 << 15;

template <typename Body>
void for_chunks(std::int64_t count, const Body& body) {
  const std::int64_t chunks = (count + kChunk - 1) / kChunk;
  if (chunks <= 1) {
    body(0, count);
    return;
  }
  parallel_for(static_cast<int>(chunks), [&](int task) {
    const std::int64_t begin = task * kChunk;
    body(begin, std::min(count, begin + kChunk));
  });
}

}  // namespace

void sgd_step(float* params, float* velocity, const float* grads, std::int64_t count, float lr,
              float momentum) {
  for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
    if (momentum == 0.0f) {
      for (std::int64_t i = begin; i < end; ++i) params[i] -= lr * grads[i];
      return;
    }
    for (std::int64_t i = begin; i < end; ++i) {
      velocity[i] = momentum * velocity[i] - lr * grads[i];
      params[i] += velocity[i];
    }
  });
}

void adam_step(float* params, float* m, float* v, const float* grads, std::int64_t count,
               float lr, float beta1, float beta2, float epsilon, std::int64_t step) {
  const double t = static_cast<double>(step);
  const float lr_t = static_cast<float>(lr * std::sqrt(1.0 - std::pow(beta2, t)) /
                                        (1.0 - std::pow(beta1, t)));
  for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const float g = grads[i];
      m[i] = beta1 * m[i] + (1.0f - beta1) * g;
      v[i] = beta2 * v[i] + (1.0f - beta2) * g * g;
      params[i] -= lr_t * m[i] / (std::sqrt(v[i]) + epsilon);
    }
  });
}

}  // namespace myelin
