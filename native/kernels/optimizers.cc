// Optimizer updates over the parameter arena. Elementwise, so the arena is cut into chunks that
// the thread pool runs independently; the result does not depend on the thread count. Each chunk
// goes to the loop of the ISA path read once per call (arena_internal.h); the generic loops
// below are baseline code (on x86-64, SSE2 by auto-vectorization). Scalars that depend on
// the step (bias corrections, Nadam's schedule) are computed once per call in double.
// An update is all or nothing (optimizers.h) in one pass: each loop writes the new params in
// place and their old values into grads, and the slots into their out arrays; when a value
// written was not finite, the params are copied back from grads.
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

// Writes a loop's values and finds whether every one was finite: it ORs together the bits of
// value - value, which is +0 for every finite value and NaN for an infinite or NaN one, so they
// stay 0 exactly when all values are finite. An integer OR, because the compiler vectorizes it
// where it would not a bool or a float sum.
class Stores {
 public:
  void put(float* to, float value) {
    *to = value;
    const float zero_if_finite = value - value;
    std::uint32_t bits;
    std::memcpy(&bits, &zero_if_finite, sizeof bits);
    seen_ |= bits;
  }
  // A parameter's new value, and its old one into the gradient, which the update has read: what
  // undoing the update needs (optimizers.h).
  void param(float* p, float* g, float old, float value) {
    put(p, value);
    *g = old;
  }
  bool finite() const { return seen_ == 0; }

 private:
  std::uint32_t seen_ = 0;
};

// The generic loops' pointers are __restrict: the arrays are disjoint (arena_internal.h), and
// saying so lets the compiler vectorize without checking at run time for overlap among up to
// eight arrays.
//
// RMSprop's and Adam's loops take their options as constants: each version is a loop without
// branches, which the compiler vectorizes (it does not unswitch loops this long itself).
template <bool kCentered, bool kMomentum>
bool rmsprop_loop(float* __restrict p, float* __restrict g, float* __restrict v_out,
                  float* __restrict mom_out, float* __restrict a_out,
                  const float* __restrict v_in, const float* __restrict mom_in,
                  const float* __restrict a_in, std::int64_t count, float lr, float rho,
                  float momentum, float epsilon) {
  Stores out;
  const float c = 1.0f - rho;
  for (std::int64_t i = 0; i < count; ++i) {
    const float pi = p[i];
    const float gi = g[i];
    const float vi = rho * v_in[i] + c * (gi * gi);
    out.put(v_out + i, vi);
    float den = vi;
    if constexpr (kCentered) {
      const float ai = rho * a_in[i] + c * gi;
      out.put(a_out + i, ai);
      den -= ai * ai;
    }
    float step = lr * gi / std::sqrt(den + epsilon);
    if constexpr (kMomentum) {
      step = momentum * mom_in[i] + step;
      out.put(mom_out + i, step);
    }
    out.param(p + i, g + i, pi, pi - step);
  }
  return out.finite();
}

template <bool kAmsgrad>
bool adam_loop(float* __restrict p, float* __restrict g, float* __restrict m_out,
               float* __restrict v_out, float* __restrict vh_out, const float* __restrict m_in,
               const float* __restrict v_in, const float* __restrict vh_in, std::int64_t count,
               float lr_t, float beta1, float beta2, float epsilon, float decay) {
  Stores out;
  for (std::int64_t i = 0; i < count; ++i) {
    const float gi = g[i];
    const float old = p[i];
    float pi = old;
    if (decay != 0.0f) pi -= pi * decay;
    const float mi = beta1 * m_in[i] + (1.0f - beta1) * gi;
    const float vi = beta2 * v_in[i] + (1.0f - beta2) * gi * gi;
    float second = vi;
    if constexpr (kAmsgrad) {
      // max that keeps a NaN v (a comparison with NaN is false)
      second = vh_in[i] > vi ? vh_in[i] : vi;
      out.put(vh_out + i, second);
    }
    out.put(m_out + i, mi);
    out.put(v_out + i, vi);
    out.param(p + i, g + i, old, pi - lr_t * mi / (std::sqrt(second) + epsilon));
  }
  return out.finite();
}

}  // namespace

namespace arena_detail {

bool sgd_chunk_generic(float* __restrict p, float* __restrict g, std::int64_t count, float lr) {
  Stores out;
  for (std::int64_t i = 0; i < count; ++i) {
    const float pi = p[i];
    out.param(p + i, g + i, pi, pi - lr * g[i]);
  }
  return out.finite();
}

bool sgd_momentum_chunk_generic(float* __restrict p, float* __restrict g,
                                float* __restrict v_out, const float* __restrict v_in,
                                std::int64_t count, float lr, float momentum, bool nesterov) {
  Stores out;
  for (std::int64_t i = 0; i < count; ++i) {
    const float pi = p[i];
    const float step = lr * g[i];
    const float vi = momentum * v_in[i] - step;
    out.put(v_out + i, vi);
    out.param(p + i, g + i, pi, pi + (nesterov ? momentum * vi - step : vi));
  }
  return out.finite();
}

bool adagrad_chunk_generic(float* __restrict p, float* __restrict g, float* __restrict a_out,
                           const float* __restrict a_in, std::int64_t count, float lr,
                           float epsilon) {
  Stores out;
  for (std::int64_t i = 0; i < count; ++i) {
    const float pi = p[i];
    const float gi = g[i];
    const float ai = a_in[i] + gi * gi;
    out.put(a_out + i, ai);
    out.param(p + i, g + i, pi, pi - lr * gi / std::sqrt(ai + epsilon));
  }
  return out.finite();
}

bool adadelta_chunk_generic(float* __restrict p, float* __restrict g, float* __restrict eg_out,
                            float* __restrict ed_out, const float* __restrict eg_in,
                            const float* __restrict ed_in, std::int64_t count, float lr,
                            float rho, float epsilon) {
  Stores out;
  const float c = 1.0f - rho;
  for (std::int64_t i = 0; i < count; ++i) {
    const float pi = p[i];
    const float gi = g[i];
    const float egi = rho * eg_in[i] + c * (gi * gi);
    const float d = -(std::sqrt(ed_in[i] + epsilon) * gi / std::sqrt(egi + epsilon));
    out.put(eg_out + i, egi);
    out.put(ed_out + i, rho * ed_in[i] + c * (d * d));
    out.param(p + i, g + i, pi, pi + lr * d);
  }
  return out.finite();
}

bool rmsprop_chunk_generic(float* p, float* g, float* v_out, float* mom_out, float* a_out,
                           const float* v_in, const float* mom_in, const float* a_in,
                           std::int64_t count, float lr, float rho, float momentum,
                           float epsilon) {
  const bool momentum_on = mom_in != nullptr;
  const auto loop = a_in != nullptr
                        ? (momentum_on ? rmsprop_loop<true, true> : rmsprop_loop<true, false>)
                        : (momentum_on ? rmsprop_loop<false, true> : rmsprop_loop<false, false>);
  return loop(p, g, v_out, mom_out, a_out, v_in, mom_in, a_in, count, lr, rho, momentum, epsilon);
}

bool adam_chunk_generic(float* p, float* g, float* m_out, float* v_out, float* vh_out,
                        const float* m_in, const float* v_in, const float* vh_in,
                        std::int64_t count, float lr_t, float beta1, float beta2, float epsilon,
                        float decay) {
  const auto loop = vh_in != nullptr ? adam_loop<true> : adam_loop<false>;
  return loop(p, g, m_out, v_out, vh_out, m_in, v_in, vh_in, count, lr_t, beta1, beta2, epsilon,
              decay);
}

bool adamax_chunk_generic(float* __restrict p, float* __restrict g, float* __restrict m_out,
                          float* __restrict u_out, const float* __restrict m_in,
                          const float* __restrict u_in, std::int64_t count, float lr_t,
                          float beta1, float beta2, float epsilon) {
  Stores out;
  for (std::int64_t i = 0; i < count; ++i) {
    const float pi = p[i];
    const float gi = g[i];
    const float mi = beta1 * m_in[i] + (1.0f - beta1) * gi;
    const float decayed = beta2 * u_in[i];
    const float magnitude = std::fabs(gi);
    const float ui = decayed > magnitude ? decayed : magnitude;  // NaN gradient: NaN u
    out.put(m_out + i, mi);
    out.put(u_out + i, ui);
    out.param(p + i, g + i, pi, pi - lr_t * mi / (ui + epsilon));
  }
  return out.finite();
}

bool nadam_chunk_generic(float* __restrict p, float* __restrict g, float* __restrict m_out,
                         float* __restrict v_out, const float* __restrict m_in,
                         const float* __restrict v_in, std::int64_t count, float lr, float beta1,
                         float beta2, float epsilon, float c_m, float c_g, float v_scale) {
  Stores out;
  for (std::int64_t i = 0; i < count; ++i) {
    const float pi = p[i];
    const float gi = g[i];
    const float mi = beta1 * m_in[i] + (1.0f - beta1) * gi;
    const float vi = beta2 * v_in[i] + (1.0f - beta2) * gi * gi;
    const float m_hat = c_m * mi + c_g * gi;
    out.put(m_out + i, mi);
    out.put(v_out + i, vi);
    out.param(p + i, g + i, pi, pi - lr * m_hat / (std::sqrt(vi * v_scale) + epsilon));
  }
  return out.finite();
}

}  // namespace arena_detail

namespace {

// 1 - beta^t in double: the float32 power would lose the small difference for beta near 1.
double one_minus_power(float beta, std::int64_t step) {
  return 1.0 - std::pow(static_cast<double>(beta), static_cast<double>(step));
}

// base + begin, or null for a slot the options leave off.
template <typename T>
T* at(T* base, std::int64_t begin) {
  return base == nullptr ? nullptr : base + begin;
}

// An update over the arena's chunks: chunk(begin, end) runs one chunk's loop (arena_internal.h),
// which writes the new params in place, their old values into grads and the slots into their
// outs, and returns whether every value it wrote to params and slots is finite. If one was not,
// the update is refused: every chunk has run, so grads hold all the old params, copied back here
// (a second pass, on that rare path only); the slots' ins were only read. The common case is one
// pass, whose traffic is the update in place's plus the grads written back and the slots' outs
// written to other lines than their ins; undoing it needs no copy, but every slot is two arrays.
template <typename Chunk>
bool update_or_restore(float* params, const float* grads, std::int64_t count, const Chunk& chunk) {
  std::atomic<bool> finite{true};
  for_chunks(count, [&](std::int64_t begin, std::int64_t end) {
    if (!chunk(begin, end)) finite.store(false, std::memory_order_relaxed);
  });
  // parallel_for has joined every task: their stores are visible here.
  if (finite.load(std::memory_order_relaxed)) return true;
  for_chunks(count, [&](std::int64_t begin, std::int64_t end) {
    std::memcpy(params + begin, grads + begin,
                static_cast<std::size_t>(end - begin) * sizeof(float));
  });
  return false;
}

}  // namespace

bool sgd_step(float* params, float* grads, float* velocity_out, const float* velocity_in,
              std::int64_t count, float lr, float momentum, bool nesterov) {
  const arena_detail::ArenaLoops& loops = arena_detail::arena_loops(active_isa());
  if (momentum == 0.0f) {
    const auto chunk = loops.sgd;
    return update_or_restore(params, grads, count, [=](std::int64_t begin, std::int64_t end) {
      return chunk(params + begin, grads + begin, end - begin, lr);
    });
  }
  const auto chunk = loops.sgd_momentum;
  return update_or_restore(params, grads, count, [=](std::int64_t begin, std::int64_t end) {
    return chunk(params + begin, grads + begin, velocity_out + begin, velocity_in + begin,
                 end - begin, lr, momentum, nesterov);
  });
}

bool adagrad_step(float* params, float* grads, float* accumulator_out,
                  const float* accumulator_in, std::int64_t count, float lr, float epsilon) {
  const auto chunk = arena_detail::arena_loops(active_isa()).adagrad;
  return update_or_restore(params, grads, count, [=](std::int64_t begin, std::int64_t end) {
    return chunk(params + begin, grads + begin, accumulator_out + begin, accumulator_in + begin,
                 end - begin, lr, epsilon);
  });
}

bool adadelta_step(float* params, float* grads, float* accum_grad_out, float* accum_delta_out,
                   const float* accum_grad_in, const float* accum_delta_in, std::int64_t count,
                   float lr, float rho, float epsilon) {
  const auto chunk = arena_detail::arena_loops(active_isa()).adadelta;
  return update_or_restore(params, grads, count, [=](std::int64_t begin, std::int64_t end) {
    return chunk(params + begin, grads + begin, accum_grad_out + begin, accum_delta_out + begin,
                 accum_grad_in + begin, accum_delta_in + begin, end - begin, lr, rho, epsilon);
  });
}

bool rmsprop_step(float* params, float* grads, float* velocity_out, float* mom_out,
                  float* average_out, const float* velocity_in, const float* mom_in,
                  const float* average_in, std::int64_t count, float lr, float rho,
                  float momentum, float epsilon) {
  const auto chunk = arena_detail::arena_loops(active_isa()).rmsprop;
  return update_or_restore(params, grads, count, [=](std::int64_t begin, std::int64_t end) {
    return chunk(params + begin, grads + begin, velocity_out + begin, at(mom_out, begin),
                 at(average_out, begin), velocity_in + begin, at(mom_in, begin),
                 at(average_in, begin), end - begin, lr, rho, momentum, epsilon);
  });
}

bool adam_step(float* params, float* grads, float* m_out, float* v_out, float* v_hat_out,
               const float* m_in, const float* v_in, const float* v_hat_in, std::int64_t count,
               float lr, float beta1, float beta2, float epsilon, float weight_decay,
               std::int64_t step) {
  const float lr_t = static_cast<float>(lr * std::sqrt(one_minus_power(beta2, step)) /
                                        one_minus_power(beta1, step));
  const float decay = static_cast<float>(static_cast<double>(lr) * weight_decay);
  const auto chunk = arena_detail::arena_loops(active_isa()).adam;
  return update_or_restore(params, grads, count, [=](std::int64_t begin, std::int64_t end) {
    return chunk(params + begin, grads + begin, m_out + begin, v_out + begin,
                 at(v_hat_out, begin), m_in + begin, v_in + begin, at(v_hat_in, begin),
                 end - begin, lr_t, beta1, beta2, epsilon, decay);
  });
}

bool adamax_step(float* params, float* grads, float* m_out, float* u_out, const float* m_in,
                 const float* u_in, std::int64_t count, float lr, float beta1, float beta2,
                 float epsilon, std::int64_t step) {
  const float lr_t = static_cast<float>(lr / one_minus_power(beta1, step));
  const auto chunk = arena_detail::arena_loops(active_isa()).adamax;
  return update_or_restore(params, grads, count, [=](std::int64_t begin, std::int64_t end) {
    return chunk(params + begin, grads + begin, m_out + begin, u_out + begin, m_in + begin,
                 u_in + begin, end - begin, lr_t, beta1, beta2, epsilon);
  });
}

bool nadam_step(float* params, float* grads, float* m_out, float* v_out, const float* m_in,
                const float* v_in, std::int64_t count, float lr, float beta1, float beta2,
                float epsilon, std::int64_t step, double u_product) {
  const double b1 = beta1;
  const double u_t = b1 * (1.0 - 0.5 * std::pow(0.96, static_cast<double>(step)));
  const double u_next = b1 * (1.0 - 0.5 * std::pow(0.96, static_cast<double>(step + 1)));
  const float c_m = static_cast<float>(u_next / (1.0 - u_product * u_next));
  const float c_g = static_cast<float>((1.0 - u_t) / (1.0 - u_product));
  const float v_scale = static_cast<float>(1.0 / one_minus_power(beta2, step));
  const auto chunk = arena_detail::arena_loops(active_isa()).nadam;
  return update_or_restore(params, grads, count, [=](std::int64_t begin, std::int64_t end) {
    return chunk(params + begin, grads + begin, m_out + begin, v_out + begin, m_in + begin,
                 v_in + begin, end - begin, lr, beta1, beta2, epsilon, c_m, c_g, v_scale);
  });
}

}  // namespace myelin
