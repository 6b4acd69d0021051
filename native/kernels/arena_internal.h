// Internal contract between the arena kernels' dispatchers (optimizers.cc, clipping.cc,
// reductions.cc), which cut an arena into fixed chunks and pick a path from active_isa(), and the
// per-ISA loops over one chunk: the generic ones live beside their dispatcher (baseline code),
// the AVX2+FMA ones in optimizers_avx2.cc and arena_avx2.cc (x86-64), the NEON ones in
// optimizers_neon.cc and arena_neon.cc (AArch64). The table of each path is ArenaLoops, at the
// end (arena_loops.cc). count = floats in the chunk;
// formulas as in optimizers.h, clipping.h and reductions.h. A null slot pointer means the
// option that needs it is off.
//
// Each optimizer loop runs once over its chunk (optimizers.cc) and, for every element, reads
// g[i], p[i] and each slot's _in[i], then writes p[i] (the new value), g[i] (the OLD p[i]: the
// gradient is dead once read) and each slot's _out[i]. It returns whether every value it wrote to
// p and to the slots' outs is finite; the dispatcher puts p back from g when one was not. Every
// array must be disjoint from the others (the slots' ins from their outs too).
//
// Hazard: the AVX2 files include this header and are compiled with -mavx2 -mfma. Any inline
// function or template visible here could be emitted there as a weak symbol with AVX
// instructions and be picked by the linker for baseline code. So this header holds only
// declarations and a struct of pointers; <cstdint> is included for the std::int64_t typedef
// alone (it defines no functions), cpu_features.h for the Isa enum (declarations only).
#pragma once

#include <cstdint>

#include "../runtime/cpu_features.h"

namespace myelin {
namespace arena_detail {

// p -= lr * g
bool sgd_chunk_generic(float* p, float* g, std::int64_t count, float lr);
bool sgd_chunk_avx2(float* p, float* g, std::int64_t count, float lr);
bool sgd_chunk_neon(float* p, float* g, std::int64_t count, float lr);

// v = momentum * v - lr * g;  p += v  (nesterov: p += momentum * v - lr * g)
bool sgd_momentum_chunk_generic(float* p, float* g, float* v_out, const float* v_in,
                                std::int64_t count, float lr, float momentum, bool nesterov);
bool sgd_momentum_chunk_avx2(float* p, float* g, float* v_out, const float* v_in,
                             std::int64_t count, float lr, float momentum, bool nesterov);
bool sgd_momentum_chunk_neon(float* p, float* g, float* v_out, const float* v_in,
                             std::int64_t count, float lr, float momentum, bool nesterov);

// a += g^2;  p -= lr g / sqrt(a + epsilon)
bool adagrad_chunk_generic(float* p, float* g, float* a_out, const float* a_in,
                           std::int64_t count, float lr, float epsilon);
bool adagrad_chunk_avx2(float* p, float* g, float* a_out, const float* a_in, std::int64_t count,
                        float lr, float epsilon);
bool adagrad_chunk_neon(float* p, float* g, float* a_out, const float* a_in, std::int64_t count,
                        float lr, float epsilon);

// eg = rho eg + (1 - rho) g^2;  d = -sqrt(ed + eps) g / sqrt(eg + eps);
// ed = rho ed + (1 - rho) d^2;  p += lr d
bool adadelta_chunk_generic(float* p, float* g, float* eg_out, float* ed_out, const float* eg_in,
                            const float* ed_in, std::int64_t count, float lr, float rho,
                            float epsilon);
bool adadelta_chunk_avx2(float* p, float* g, float* eg_out, float* ed_out, const float* eg_in,
                         const float* ed_in, std::int64_t count, float lr, float rho,
                         float epsilon);
bool adadelta_chunk_neon(float* p, float* g, float* eg_out, float* ed_out, const float* eg_in,
                         const float* ed_in, std::int64_t count, float lr, float rho,
                         float epsilon);

// v = rho v + (1 - rho) g^2;  [a = rho a + (1 - rho) g];  inc = lr g / sqrt(v [- a^2] + eps);
// [mom = momentum mom + inc; p -= mom] or p -= inc.  mom and a (in and out) may be null.
bool rmsprop_chunk_generic(float* p, float* g, float* v_out, float* mom_out, float* a_out,
                           const float* v_in, const float* mom_in, const float* a_in,
                           std::int64_t count, float lr, float rho, float momentum,
                           float epsilon);
bool rmsprop_chunk_avx2(float* p, float* g, float* v_out, float* mom_out, float* a_out,
                        const float* v_in, const float* mom_in, const float* a_in,
                        std::int64_t count, float lr, float rho, float momentum, float epsilon);
bool rmsprop_chunk_neon(float* p, float* g, float* v_out, float* mom_out, float* a_out,
                        const float* v_in, const float* mom_in, const float* a_in,
                        std::int64_t count, float lr, float rho, float momentum, float epsilon);

// [p -= decay p];  m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  [vh = max(vh, v)];
// p -= lr_t m / (sqrt(vh or v) + epsilon). lr_t already carries the bias correction; decay is
// lr * weight_decay (0: none); vh (in and out) may be null.
bool adam_chunk_generic(float* p, float* g, float* m_out, float* v_out, float* vh_out,
                        const float* m_in, const float* v_in, const float* vh_in,
                        std::int64_t count, float lr_t, float beta1, float beta2, float epsilon,
                        float decay);
bool adam_chunk_avx2(float* p, float* g, float* m_out, float* v_out, float* vh_out,
                     const float* m_in, const float* v_in, const float* vh_in, std::int64_t count,
                     float lr_t, float beta1, float beta2, float epsilon, float decay);
bool adam_chunk_neon(float* p, float* g, float* m_out, float* v_out, float* vh_out,
                     const float* m_in, const float* v_in, const float* vh_in, std::int64_t count,
                     float lr_t, float beta1, float beta2, float epsilon, float decay);

// m = b1 m + (1 - b1) g;  u = max(b2 u, |g|);  p -= lr_t m / (u + epsilon), lr_t = lr / (1 - b1^t)
bool adamax_chunk_generic(float* p, float* g, float* m_out, float* u_out, const float* m_in,
                          const float* u_in, std::int64_t count, float lr_t, float beta1,
                          float beta2, float epsilon);
bool adamax_chunk_avx2(float* p, float* g, float* m_out, float* u_out, const float* m_in,
                       const float* u_in, std::int64_t count, float lr_t, float beta1, float beta2,
                       float epsilon);
bool adamax_chunk_neon(float* p, float* g, float* m_out, float* u_out, const float* m_in,
                       const float* u_in, std::int64_t count, float lr_t, float beta1, float beta2,
                       float epsilon);

// m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  m_hat = c_m m + c_g g;
// p -= lr m_hat / (sqrt(v * v_scale) + epsilon). c_m, c_g and v_scale carry the schedule and the
// bias corrections (optimizers.cc).
bool nadam_chunk_generic(float* p, float* g, float* m_out, float* v_out, const float* m_in,
                         const float* v_in, std::int64_t count, float lr, float beta1,
                         float beta2, float epsilon, float c_m, float c_g, float v_scale);
bool nadam_chunk_avx2(float* p, float* g, float* m_out, float* v_out, const float* m_in,
                      const float* v_in, std::int64_t count, float lr, float beta1, float beta2,
                      float epsilon, float c_m, float c_g, float v_scale);
bool nadam_chunk_neon(float* p, float* g, float* m_out, float* v_out, const float* m_in,
                      const float* v_in, std::int64_t count, float lr, float beta1, float beta2,
                      float epsilon, float c_m, float c_g, float v_scale);

// x = clamp(x * scale, -limit, limit), NaN kept (limit may be infinity: no clamp).
void scale_clamp_chunk_generic(float* x, std::int64_t count, float scale, float limit);
void scale_clamp_chunk_avx2(float* x, std::int64_t count, float scale, float limit);
void scale_clamp_chunk_neon(float* x, std::int64_t count, float scale, float limit);

// sum of x_i^2 accumulated in double, in an order fixed by count alone.
double sum_of_squares_chunk_generic(const float* x, std::int64_t count);
double sum_of_squares_chunk_avx2(const float* x, std::int64_t count);
double sum_of_squares_chunk_neon(const float* x, std::int64_t count);

// One path's loops, picked once per call: a call never mixes paths.
struct ArenaLoops {
  bool (*sgd)(float* p, float* g, std::int64_t count, float lr);
  bool (*sgd_momentum)(float* p, float* g, float* v_out, const float* v_in, std::int64_t count,
                       float lr, float momentum, bool nesterov);
  bool (*adagrad)(float* p, float* g, float* a_out, const float* a_in, std::int64_t count,
                  float lr, float epsilon);
  bool (*adadelta)(float* p, float* g, float* eg_out, float* ed_out, const float* eg_in,
                   const float* ed_in, std::int64_t count, float lr, float rho, float epsilon);
  bool (*rmsprop)(float* p, float* g, float* v_out, float* mom_out, float* a_out,
                  const float* v_in, const float* mom_in, const float* a_in, std::int64_t count,
                  float lr, float rho, float momentum, float epsilon);
  bool (*adam)(float* p, float* g, float* m_out, float* v_out, float* vh_out, const float* m_in,
               const float* v_in, const float* vh_in, std::int64_t count, float lr_t, float beta1,
               float beta2, float epsilon, float decay);
  bool (*adamax)(float* p, float* g, float* m_out, float* u_out, const float* m_in,
                 const float* u_in, std::int64_t count, float lr_t, float beta1, float beta2,
                 float epsilon);
  bool (*nadam)(float* p, float* g, float* m_out, float* v_out, const float* m_in,
                const float* v_in, std::int64_t count, float lr, float beta1, float beta2,
                float epsilon, float c_m, float c_g, float v_scale);
  void (*scale_clamp)(float* x, std::int64_t count, float scale, float limit);
  double (*sum_of_squares)(const float* x, std::int64_t count);
};

// The loops of `isa` (the avx512 path runs the AVX2 ones): arena_loops.cc.
const ArenaLoops& arena_loops(Isa isa);

}  // namespace arena_detail
}  // namespace myelin
