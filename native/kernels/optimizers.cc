// Optimizer updates over the parameter arena. Elementwise, so the arena is cut into chunks that
// the thread pool runs independently; the result does not depend on the thread count. Each chunk
// goes to the loop of the ISA path read once per call (arena_internal.h); the generic loops
// below are compiled for baseline x86-64 (SSE2 by auto-vectorization). Scalars that depend on
// the step (bias corrections, Nadam's schedule) are computed once per call in double.
// An update is all or nothing (optimizers.h): a check pass over every chunk computes what the
// update would write without writing it, and the update pass runs only if all of it is finite.
// Each loop is written once and instantiated for both passes (with_pass), so the check sees bit
// for bit what is written.
#include "optimizers.h"

#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstring>

#include "../runtime/chunked.h"
#include "../runtime/cpu_features.h"
#include "arena_internal.h"

namespace myelin {

namespace {

// Where a chunk loop's values go (arena_internal.h): the update (kStore) writes each one; the
// check writes nothing and ORs together the bits of value - value, which is +0 for every finite
// value and NaN for an infinite or NaN one, so they stay 0 exactly when all values are finite.
// An integer OR, because the compiler vectorizes it where it would not a bool or a float sum.
template <bool kStore>
class Pass {
 public:
  void put(float* slot, float value) {
    if constexpr (kStore) {
      *slot = value;
    } else {
      const float zero_if_finite = value - value;
      std::uint32_t bits;
      std::memcpy(&bits, &zero_if_finite, sizeof bits);
      seen_ |= bits;
    }
  }
  bool finite() const { return seen_ == 0; }

 private:
  std::uint32_t seen_ = 0;
};

// body(out) with the pass `store` names: each loop below is one generic lambda, run as both.
template <typename Body>
bool with_pass(bool store, const Body& body) {
  return store ? body(Pass<true>()) : body(Pass<false>());
}

}  // namespace

namespace arena_detail {

bool sgd_chunk_generic(float* p, const float* g, std::int64_t count, float lr, bool store) {
  return with_pass(store, [=](auto out) {
    for (std::int64_t i = 0; i < count; ++i) out.put(p + i, p[i] - lr * g[i]);
    return out.finite();
  });
}

bool sgd_momentum_chunk_generic(float* p, float* v, const float* g, std::int64_t count, float lr,
                                float momentum, bool nesterov, bool store) {
  return with_pass(store, [=](auto out) {
    for (std::int64_t i = 0; i < count; ++i) {
      const float step = lr * g[i];
      const float vi = momentum * v[i] - step;
      out.put(v + i, vi);
      out.put(p + i, p[i] + (nesterov ? momentum * vi - step : vi));
    }
    return out.finite();
  });
}

bool adagrad_chunk_generic(float* p, float* a, const float* g, std::int64_t count, float lr,
                           float epsilon, bool store) {
  return with_pass(store, [=](auto out) {
    for (std::int64_t i = 0; i < count; ++i) {
      const float ai = a[i] + g[i] * g[i];
      out.put(a + i, ai);
      out.put(p + i, p[i] - lr * g[i] / std::sqrt(ai + epsilon));
    }
    return out.finite();
  });
}

bool adadelta_chunk_generic(float* p, float* eg, float* ed, const float* g, std::int64_t count,
                            float lr, float rho, float epsilon, bool store) {
  return with_pass(store, [=](auto out) {
    const float c = 1.0f - rho;
    for (std::int64_t i = 0; i < count; ++i) {
      const float egi = rho * eg[i] + c * (g[i] * g[i]);
      const float d = -(std::sqrt(ed[i] + epsilon) * g[i] / std::sqrt(egi + epsilon));
      out.put(eg + i, egi);
      out.put(ed + i, rho * ed[i] + c * (d * d));
      out.put(p + i, p[i] + lr * d);
    }
    return out.finite();
  });
}

bool rmsprop_chunk_generic(float* p, float* v, float* mom, float* a, const float* g,
                           std::int64_t count, float lr, float rho, float momentum, float epsilon,
                           bool store) {
  return with_pass(store, [=](auto out) {
    const float c = 1.0f - rho;
    for (std::int64_t i = 0; i < count; ++i) {
      const float vi = rho * v[i] + c * (g[i] * g[i]);
      out.put(v + i, vi);
      float den = vi;
      if (a != nullptr) {
        const float ai = rho * a[i] + c * g[i];
        out.put(a + i, ai);
        den -= ai * ai;
      }
      float step = lr * g[i] / std::sqrt(den + epsilon);
      if (mom != nullptr) {
        step = momentum * mom[i] + step;
        out.put(mom + i, step);
      }
      out.put(p + i, p[i] - step);
    }
    return out.finite();
  });
}

bool adam_chunk_generic(float* p, float* m, float* v, float* vh, const float* g,
                        std::int64_t count, float lr_t, float beta1, float beta2, float epsilon,
                        float decay, bool store) {
  return with_pass(store, [=](auto out) {
    for (std::int64_t i = 0; i < count; ++i) {
      const float gi = g[i];
      float pi = p[i];
      if (decay != 0.0f) pi -= pi * decay;
      const float mi = beta1 * m[i] + (1.0f - beta1) * gi;
      const float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
      float second = vi;
      if (vh != nullptr) {
        // max that keeps a NaN v (a comparison with NaN is false)
        second = vh[i] > vi ? vh[i] : vi;
        out.put(vh + i, second);
      }
      out.put(m + i, mi);
      out.put(v + i, vi);
      out.put(p + i, pi - lr_t * mi / (std::sqrt(second) + epsilon));
    }
    return out.finite();
  });
}

bool adamax_chunk_generic(float* p, float* m, float* u, const float* g, std::int64_t count,
                          float lr_t, float beta1, float beta2, float epsilon, bool store) {
  return with_pass(store, [=](auto out) {
    for (std::int64_t i = 0; i < count; ++i) {
      const float gi = g[i];
      const float mi = beta1 * m[i] + (1.0f - beta1) * gi;
      const float decayed = beta2 * u[i];
      const float magnitude = std::fabs(gi);
      const float ui = decayed > magnitude ? decayed : magnitude;  // NaN gradient: NaN u
      out.put(m + i, mi);
      out.put(u + i, ui);
      out.put(p + i, p[i] - lr_t * mi / (ui + epsilon));
    }
    return out.finite();
  });
}

bool nadam_chunk_generic(float* p, float* m, float* v, const float* g, std::int64_t count,
                         float lr, float beta1, float beta2, float epsilon, float c_m, float c_g,
                         float v_scale, bool store) {
  return with_pass(store, [=](auto out) {
    for (std::int64_t i = 0; i < count; ++i) {
      const float gi = g[i];
      const float mi = beta1 * m[i] + (1.0f - beta1) * gi;
      const float vi = beta2 * v[i] + (1.0f - beta2) * gi * gi;
      const float m_hat = c_m * mi + c_g * gi;
      out.put(m + i, mi);
      out.put(v + i, vi);
      out.put(p + i, p[i] - lr * m_hat / (std::sqrt(vi * v_scale) + epsilon));
    }
    return out.finite();
  });
}

}  // namespace arena_detail

namespace {

// 1 - beta^t in double: the float32 power would lose the small difference for beta near 1.
double one_minus_power(float beta, std::int64_t step) {
  return 1.0 - std::pow(static_cast<double>(beta), static_cast<double>(step));
}

// The two passes of an update over the arena's chunks: chunk(begin, end, store) runs one chunk's
// loop (arena_internal.h), checking with store false and writing with store true. Nothing is
// written unless every chunk's check passed. The check repeats the update's arithmetic (Adam's
// division and square root too), so a step costs about twice its update pass (bench:optimizers).
// One pass that writes and keeps the old values for an undo costs less time, but needs a scratch
// copy of the params and every slot held between calls (as much memory again as the optimizer's
// state) and a restore path; the second pass needs no memory.
template <typename Chunk>
bool check_then_update(std::int64_t count, const Chunk& chunk) {
  std::atomic<bool> finite{true};
  for_chunks(count, [&](std::int64_t begin, std::int64_t end) {
    if (!chunk(begin, end, false)) finite.store(false, std::memory_order_relaxed);
  });
  // parallel_for has joined every task: their stores are visible here.
  if (!finite.load(std::memory_order_relaxed)) return false;
  for_chunks(count, [&](std::int64_t begin, std::int64_t end) { chunk(begin, end, true); });
  return true;
}

}  // namespace

bool sgd_step(float* params, float* velocity, const float* grads, std::int64_t count, float lr,
              float momentum, bool nesterov) {
  const bool avx2 = isa_at_least(Isa::avx2);  // read once: a call never mixes paths
  if (momentum == 0.0f) {
    const auto chunk = avx2 ? arena_detail::sgd_chunk_avx2 : arena_detail::sgd_chunk_generic;
    return check_then_update(count, [=](std::int64_t begin, std::int64_t end, bool store) {
      return chunk(params + begin, grads + begin, end - begin, lr, store);
    });
  }
  const auto chunk =
      avx2 ? arena_detail::sgd_momentum_chunk_avx2 : arena_detail::sgd_momentum_chunk_generic;
  return check_then_update(count, [=](std::int64_t begin, std::int64_t end, bool store) {
    return chunk(params + begin, velocity + begin, grads + begin, end - begin, lr, momentum,
                 nesterov, store);
  });
}

bool adagrad_step(float* params, float* accumulator, const float* grads, std::int64_t count,
                  float lr, float epsilon) {
  const auto chunk = isa_at_least(Isa::avx2) ? arena_detail::adagrad_chunk_avx2
                                              : arena_detail::adagrad_chunk_generic;
  return check_then_update(count, [=](std::int64_t begin, std::int64_t end, bool store) {
    return chunk(params + begin, accumulator + begin, grads + begin, end - begin, lr, epsilon,
                 store);
  });
}

bool adadelta_step(float* params, float* accum_grad, float* accum_delta, const float* grads,
                   std::int64_t count, float lr, float rho, float epsilon) {
  const auto chunk = isa_at_least(Isa::avx2) ? arena_detail::adadelta_chunk_avx2
                                              : arena_detail::adadelta_chunk_generic;
  return check_then_update(count, [=](std::int64_t begin, std::int64_t end, bool store) {
    return chunk(params + begin, accum_grad + begin, accum_delta + begin, grads + begin,
                 end - begin, lr, rho, epsilon, store);
  });
}

bool rmsprop_step(float* params, float* velocity, float* mom, float* average, const float* grads,
                  std::int64_t count, float lr, float rho, float momentum, float epsilon) {
  const auto chunk = isa_at_least(Isa::avx2) ? arena_detail::rmsprop_chunk_avx2
                                              : arena_detail::rmsprop_chunk_generic;
  return check_then_update(count, [=](std::int64_t begin, std::int64_t end, bool store) {
    return chunk(params + begin, velocity + begin, mom == nullptr ? nullptr : mom + begin,
                 average == nullptr ? nullptr : average + begin, grads + begin, end - begin, lr,
                 rho, momentum, epsilon, store);
  });
}

bool adam_step(float* params, float* m, float* v, float* v_hat, const float* grads,
               std::int64_t count, float lr, float beta1, float beta2, float epsilon,
               float weight_decay, std::int64_t step) {
  const float lr_t = static_cast<float>(lr * std::sqrt(one_minus_power(beta2, step)) /
                                        one_minus_power(beta1, step));
  const float decay = static_cast<float>(static_cast<double>(lr) * weight_decay);
  const auto chunk = isa_at_least(Isa::avx2) ? arena_detail::adam_chunk_avx2
                                              : arena_detail::adam_chunk_generic;
  return check_then_update(count, [=](std::int64_t begin, std::int64_t end, bool store) {
    return chunk(params + begin, m + begin, v + begin, v_hat == nullptr ? nullptr : v_hat + begin,
                 grads + begin, end - begin, lr_t, beta1, beta2, epsilon, decay, store);
  });
}

bool adamax_step(float* params, float* m, float* u, const float* grads, std::int64_t count,
                 float lr, float beta1, float beta2, float epsilon, std::int64_t step) {
  const float lr_t = static_cast<float>(lr / one_minus_power(beta1, step));
  const auto chunk = isa_at_least(Isa::avx2) ? arena_detail::adamax_chunk_avx2
                                              : arena_detail::adamax_chunk_generic;
  return check_then_update(count, [=](std::int64_t begin, std::int64_t end, bool store) {
    return chunk(params + begin, m + begin, u + begin, grads + begin, end - begin, lr_t, beta1,
                 beta2, epsilon, store);
  });
}

bool nadam_step(float* params, float* m, float* v, const float* grads, std::int64_t count,
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
  return check_then_update(count, [=](std::int64_t begin, std::int64_t end, bool store) {
    return chunk(params + begin, m + begin, v + begin, grads + begin, end - begin, lr, beta1,
                 beta2, epsilon, c_m, c_g, v_scale, store);
  });
}

}  // namespace myelin
