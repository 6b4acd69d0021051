// Optimizer updates over the parameter arena. Elementwise, so the arena is cut into chunks that
// the thread pool runs independently; the result does not depend on the thread count. Each chunk
// goes to the loop of the ISA path read once per call (arena_internal.h); the generic loops
// below are compiled for baseline x86-64 (SSE2 by auto-vectorization).
#include "optimizers.h"

#include <algorithm>
#include <cmath>

#include "../runtime/cpu_features.h"
#include "../runtime/chunked.h"
#include "arena_internal.h"

namespace myelin {

namespace arena_detail {

void sgd_chunk_generic(float* p, const float* g, std::int64_t count, float lr) {
  for (std::int64_t i = 0; i < count; ++i) p[i] -= lr * g[i];
}

void sgd_momentum_chunk_generic(float* p, float* v, const float* g, std::int64_t count, float lr,
                                float momentum) {
  for (std::int64_t i = 0; i < count; ++i) {
    v[i] = momentum * v[i] - lr * g[i];
    p[i] += v[i];
  }
}

void adam_chunk_generic(float* p, float* m, float* v, const float* g, std::int64_t count,
                        float lr_t, float beta1, float beta2, float epsilon) {
  for (std::int64_t i = 0; i < count; ++i) {
    const float gi = g[i];
    m[i] = beta1 * m[i] + (1.0f - beta1) * gi;
    v[i] = beta2 * v[i] + (1.0f - beta2) * gi * gi;
    p[i] -= lr_t * m[i] / (std::sqrt(v[i]) + epsilon);
  }
}

}  // namespace arena_detail


void sgd_step(float* params, float* velocity, const float* grads, std::int64_t count, float lr,
              float momentum) {
  const bool avx2 = isa_at_least(Isa::avx2);  // read once: a call never mixes paths
  if (momentum == 0.0f) {
    const auto chunk = avx2 ? arena_detail::sgd_chunk_avx2 : arena_detail::sgd_chunk_generic;
    for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
      chunk(params + begin, grads + begin, end - begin, lr);
    });
    return;
  }
  const auto chunk =
      avx2 ? arena_detail::sgd_momentum_chunk_avx2 : arena_detail::sgd_momentum_chunk_generic;
  for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
    chunk(params + begin, velocity + begin, grads + begin, end - begin, lr, momentum);
  });
}

void adam_step(float* params, float* m, float* v, const float* grads, std::int64_t count,
               float lr, float beta1, float beta2, float epsilon, std::int64_t step) {
  const double t = static_cast<double>(step);
  const float lr_t = static_cast<float>(lr * std::sqrt(1.0 - std::pow(beta2, t)) /
                                        (1.0 - std::pow(beta1, t)));
  const auto chunk = isa_at_least(Isa::avx2) ? arena_detail::adam_chunk_avx2
                                              : arena_detail::adam_chunk_generic;
  for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
    chunk(params + begin, m + begin, v + begin, grads + begin, end - begin, lr_t, beta1, beta2,
          epsilon);
  });
}

}  // namespace myelin
