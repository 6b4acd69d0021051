// Optimizer updates over the parameter arena. Elementwise, so the arena is cut into chunks that
// the thread pool runs independently; the result does not depend on the thread count. Each chunk
// goes to the loop of the ISA path read once per call (arena_internal.h); the generic loops
// below are compiled for baseline x86-64 (SSE2 by auto-vectorization). Scalars that depend on
// the step (bias corrections, Nadam's schedule) are computed once per call in double.
#include "optimizers.h"

#include <cmath>

#include "../runtime/chunked.h"
#include "../runtime/cpu_features.h"
#include "arena_internal.h"

namespace myelin {

namespace arena_detail {

void sgd_chunk_generic(float* p, const float* g, std::int64_t count, float lr) {
  for (std::int64_t i = 0; i < count; ++i) p[i] -= lr * g[i];
}

void sgd_momentum_chunk_generic(float* p, float* v, const float* g, std::int64_t count, float lr,
                                float momentum, bool nesterov) {
  for (std::int64_t i = 0; i < count; ++i) {
    const float step = lr * g[i];
    v[i] = momentum * v[i] - step;
    p[i] += nesterov ? momentum * v[i] - step : v[i];
  }
}

void adagrad_chunk_generic(float* p, float* a, const float* g, std::int64_t count, float lr,
                           float epsilon) {
  for (std::int64_t i = 0; i < count; ++i) {
    a[i] += g[i] * g[i];
    p[i] -= lr * g[i] / std::sqrt(a[i] + epsilon);
  }
}

void adadelta_chunk_generic(float* p, float* eg, float* ed, const float* g, std::int64_t count,
                            float lr, float rho, float epsilon) {
  const float c = 1.0f - rho;
  for (std::int64_t i = 0; i < count; ++i) {
    eg[i] = rho * eg[i] + c * (g[i] * g[i]);
    const float d = -(std::sqrt(ed[i] + epsilon) * g[i] / std::sqrt(eg[i] + epsilon));
    ed[i] = rho * ed[i] + c * (d * d);
    p[i] += lr * d;
  }
}

void rmsprop_chunk_generic(float* p, float* v, float* mom, float* a, const float* g,
                           std::int64_t count, float lr, float rho, float momentum,
                           float epsilon) {
  const float c = 1.0f - rho;
  for (std::int64_t i = 0; i < count; ++i) {
    v[i] = rho * v[i] + c * (g[i] * g[i]);
    float den = v[i];
    if (a != nullptr) {
      a[i] = rho * a[i] + c * g[i];
      den -= a[i] * a[i];
    }
    const float inc = lr * g[i] / std::sqrt(den + epsilon);
    if (mom != nullptr) {
      mom[i] = momentum * mom[i] + inc;
      p[i] -= mom[i];
    } else {
      p[i] -= inc;
    }
  }
}

void adam_chunk_generic(float* p, float* m, float* v, float* vh, const float* g,
                        std::int64_t count, float lr_t, float beta1, float beta2, float epsilon,
                        float decay) {
  for (std::int64_t i = 0; i < count; ++i) {
    const float gi = g[i];
    if (decay != 0.0f) p[i] -= p[i] * decay;
    m[i] = beta1 * m[i] + (1.0f - beta1) * gi;
    v[i] = beta2 * v[i] + (1.0f - beta2) * gi * gi;
    float second = v[i];
    if (vh != nullptr) {
      // max that keeps a NaN v (a comparison with NaN is false)
      vh[i] = vh[i] > v[i] ? vh[i] : v[i];
      second = vh[i];
    }
    p[i] -= lr_t * m[i] / (std::sqrt(second) + epsilon);
  }
}

void adamax_chunk_generic(float* p, float* m, float* u, const float* g, std::int64_t count,
                          float lr_t, float beta1, float beta2, float epsilon) {
  for (std::int64_t i = 0; i < count; ++i) {
    const float gi = g[i];
    m[i] = beta1 * m[i] + (1.0f - beta1) * gi;
    const float decayed = beta2 * u[i];
    const float magnitude = std::fabs(gi);
    u[i] = decayed > magnitude ? decayed : magnitude;  // NaN gradient: NaN u
    p[i] -= lr_t * m[i] / (u[i] + epsilon);
  }
}

void nadam_chunk_generic(float* p, float* m, float* v, const float* g, std::int64_t count,
                         float lr, float beta1, float beta2, float epsilon, float c_m, float c_g,
                         float v_scale) {
  for (std::int64_t i = 0; i < count; ++i) {
    const float gi = g[i];
    m[i] = beta1 * m[i] + (1.0f - beta1) * gi;
    v[i] = beta2 * v[i] + (1.0f - beta2) * gi * gi;
    const float m_hat = c_m * m[i] + c_g * gi;
    p[i] -= lr * m_hat / (std::sqrt(v[i] * v_scale) + epsilon);
  }
}

}  // namespace arena_detail

namespace {

// 1 - beta^t in double: the float32 power would lose the small difference for beta near 1.
double one_minus_power(float beta, std::int64_t step) {
  return 1.0 - std::pow(static_cast<double>(beta), static_cast<double>(step));
}

}  // namespace

void sgd_step(float* params, float* velocity, const float* grads, std::int64_t count, float lr,
              float momentum, bool nesterov) {
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
    chunk(params + begin, velocity + begin, grads + begin, end - begin, lr, momentum, nesterov);
  });
}

void adagrad_step(float* params, float* accumulator, const float* grads, std::int64_t count,
                  float lr, float epsilon) {
  const auto chunk = isa_at_least(Isa::avx2) ? arena_detail::adagrad_chunk_avx2
                                              : arena_detail::adagrad_chunk_generic;
  for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
    chunk(params + begin, accumulator + begin, grads + begin, end - begin, lr, epsilon);
  });
}

void adadelta_step(float* params, float* accum_grad, float* accum_delta, const float* grads,
                   std::int64_t count, float lr, float rho, float epsilon) {
  const auto chunk = isa_at_least(Isa::avx2) ? arena_detail::adadelta_chunk_avx2
                                              : arena_detail::adadelta_chunk_generic;
  for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
    chunk(params + begin, accum_grad + begin, accum_delta + begin, grads + begin, end - begin,
          lr, rho, epsilon);
  });
}

void rmsprop_step(float* params, float* velocity, float* mom, float* average, const float* grads,
                  std::int64_t count, float lr, float rho, float momentum, float epsilon) {
  const auto chunk = isa_at_least(Isa::avx2) ? arena_detail::rmsprop_chunk_avx2
                                              : arena_detail::rmsprop_chunk_generic;
  for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
    chunk(params + begin, velocity + begin, mom == nullptr ? nullptr : mom + begin,
          average == nullptr ? nullptr : average + begin, grads + begin, end - begin, lr, rho,
          momentum, epsilon);
  });
}

void adam_step(float* params, float* m, float* v, float* v_hat, const float* grads,
               std::int64_t count, float lr, float beta1, float beta2, float epsilon,
               float weight_decay, std::int64_t step) {
  const float lr_t = static_cast<float>(lr * std::sqrt(one_minus_power(beta2, step)) /
                                        one_minus_power(beta1, step));
  const float decay = static_cast<float>(static_cast<double>(lr) * weight_decay);
  const auto chunk = isa_at_least(Isa::avx2) ? arena_detail::adam_chunk_avx2
                                              : arena_detail::adam_chunk_generic;
  for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
    chunk(params + begin, m + begin, v + begin, v_hat == nullptr ? nullptr : v_hat + begin,
          grads + begin, end - begin, lr_t, beta1, beta2, epsilon, decay);
  });
}

void adamax_step(float* params, float* m, float* u, const float* grads, std::int64_t count,
                 float lr, float beta1, float beta2, float epsilon, std::int64_t step) {
  const float lr_t = static_cast<float>(lr / one_minus_power(beta1, step));
  const auto chunk = isa_at_least(Isa::avx2) ? arena_detail::adamax_chunk_avx2
                                              : arena_detail::adamax_chunk_generic;
  for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
    chunk(params + begin, m + begin, u + begin, grads + begin, end - begin, lr_t, beta1, beta2,
          epsilon);
  });
}

void nadam_step(float* params, float* m, float* v, const float* grads, std::int64_t count,
                float lr, float beta1, float beta2, float epsilon, std::int64_t step,
                double u_product) {
  const double b1 = beta1;
  const double u_t = b1 * (1.0 - 0.5 * std::pow(0.96, static_cast<double>(step)));
  const double u_next = b1 * (1.0 - 0.5 * std::pow(0.96, static_cast<double>(step + 1)));
  const float c_m = static_cast<float>(u_next / (1.0 - u_product * u_next));
  const float c_g = static_cast<float>((1.0 - u_t) / (1.0 - u_product));
  const float v_scale = static_cast<float>(1.0 / one_minus_power(beta2, step));
  const auto chunk = isa_at_least(Isa::avx2) ? arena_detail::nadam_chunk_avx2
                                              : arena_detail::nadam_chunk_generic;
  for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
    chunk(params + begin, m + begin, v + begin, grads + begin, end - begin, lr, beta1, beta2,
          epsilon, c_m, c_g, v_scale);
  });
}

}  // namespace myelin
