// Internal contract between the arena kernels' dispatchers (optimizers.cc, clipping.cc,
// reductions.cc), which cut an arena into fixed chunks and pick a path from active_isa(), and the
// per-ISA loops over one chunk: the generic ones live beside their dispatcher (baseline x86-64),
// the AVX2+FMA ones in optimizers_avx2.cc and arena_avx2.cc. count = floats in the chunk;
// formulas as in optimizers.h, clipping.h and reductions.h. A null slot pointer means the
// option that needs it is off.
//
// The optimizer loops run in two passes (optimizers.cc). With store false (the check) a loop
// writes nothing and returns whether every value it would write, to p and to each slot, is
// finite; with store true (the update) it writes them all and returns true. Each loop is written
// once and instantiated for both passes, so the check computes bit for bit what the update writes.
//
// Hazard: the AVX2 files include this header and are compiled with -mavx2 -mfma. Any inline
// function or template visible here could be emitted there as a weak symbol with AVX
// instructions and be picked by the linker for baseline code. So this header holds only
// declarations; <cstdint> is included for the std::int64_t typedef alone (it defines no
// functions).
#pragma once

#include <cstdint>

namespace myelin {
namespace arena_detail {

// p -= lr * g
bool sgd_chunk_generic(float* p, const float* g, std::int64_t count, float lr, bool store);
bool sgd_chunk_avx2(float* p, const float* g, std::int64_t count, float lr, bool store);

// v = momentum * v - lr * g;  p += v  (nesterov: p += momentum * v - lr * g)
bool sgd_momentum_chunk_generic(float* p, float* v, const float* g, std::int64_t count, float lr,
                                float momentum, bool nesterov, bool store);
bool sgd_momentum_chunk_avx2(float* p, float* v, const float* g, std::int64_t count, float lr,
                             float momentum, bool nesterov, bool store);

// a += g^2;  p -= lr g / sqrt(a + epsilon)
bool adagrad_chunk_generic(float* p, float* a, const float* g, std::int64_t count, float lr,
                           float epsilon, bool store);
bool adagrad_chunk_avx2(float* p, float* a, const float* g, std::int64_t count, float lr,
                        float epsilon, bool store);

// eg = rho eg + (1 - rho) g^2;  d = -sqrt(ed + eps) g / sqrt(eg + eps);
// ed = rho ed + (1 - rho) d^2;  p += lr d
bool adadelta_chunk_generic(float* p, float* eg, float* ed, const float* g, std::int64_t count,
                            float lr, float rho, float epsilon, bool store);
bool adadelta_chunk_avx2(float* p, float* eg, float* ed, const float* g, std::int64_t count,
                         float lr, float rho, float epsilon, bool store);

// v = rho v + (1 - rho) g^2;  [a = rho a + (1 - rho) g];  inc = lr g / sqrt(v [- a^2] + eps);
// [mom = momentum mom + inc; p -= mom] or p -= inc.  a and mom may be null.
bool rmsprop_chunk_generic(float* p, float* v, float* mom, float* a, const float* g,
                           std::int64_t count, float lr, float rho, float momentum, float epsilon,
                           bool store);
bool rmsprop_chunk_avx2(float* p, float* v, float* mom, float* a, const float* g,
                        std::int64_t count, float lr, float rho, float momentum, float epsilon,
                        bool store);

// [p -= decay p];  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  [vh = max(vh, v)];
// p -= lr_t m / (sqrt(vh or v) + epsilon). lr_t already carries the bias correction; decay is
// lr * weight_decay (0: none); vh may be null.
bool adam_chunk_generic(float* p, float* m, float* v, float* vh, const float* g,
                        std::int64_t count, float lr_t, float beta1, float beta2, float epsilon,
                        float decay, bool store);
bool adam_chunk_avx2(float* p, float* m, float* v, float* vh, const float* g, std::int64_t count,
                     float lr_t, float beta1, float beta2, float epsilon, float decay, bool store);

// m = b1 m + (1 - b1) g;  u = max(b2 u, |g|);  p -= lr_t m / (u + epsilon), lr_t = lr / (1 - b1^t)
bool adamax_chunk_generic(float* p, float* m, float* u, const float* g, std::int64_t count,
                          float lr_t, float beta1, float beta2, float epsilon, bool store);
bool adamax_chunk_avx2(float* p, float* m, float* u, const float* g, std::int64_t count,
                       float lr_t, float beta1, float beta2, float epsilon, bool store);

// m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  m_hat = c_m m + c_g g;
// p -= lr m_hat / (sqrt(v * v_scale) + epsilon). c_m, c_g and v_scale carry the schedule and the
// bias corrections (optimizers.cc).
bool nadam_chunk_generic(float* p, float* m, float* v, const float* g, std::int64_t count,
                         float lr, float beta1, float beta2, float epsilon, float c_m, float c_g,
                         float v_scale, bool store);
bool nadam_chunk_avx2(float* p, float* m, float* v, const float* g, std::int64_t count, float lr,
                      float beta1, float beta2, float epsilon, float c_m, float c_g,
                      float v_scale, bool store);

// x = clamp(x * scale, -limit, limit), NaN kept (limit may be infinity: no clamp).
void scale_clamp_chunk_generic(float* x, std::int64_t count, float scale, float limit);
void scale_clamp_chunk_avx2(float* x, std::int64_t count, float scale, float limit);

// sum of x_i^2 accumulated in double, in an order fixed by count alone.
double sum_of_squares_chunk_generic(const float* x, std::int64_t count);
double sum_of_squares_chunk_avx2(const float* x, std::int64_t count);

}  // namespace arena_detail
}  // namespace myelin
