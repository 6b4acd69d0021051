// Internal contract between the arena kernels' dispatchers (optimizers.cc, reductions.cc), which
// cut an arena into fixed chunks and pick a path from active_isa(), and the per-ISA loops over
// one chunk: the generic ones live beside their dispatcher (baseline x86-64), the AVX2+FMA ones
// in arena_avx2.cc. count = floats in the chunk; formulas as in optimizers.h and reductions.h.
//
// Hazard: arena_avx2.cc includes this header and is compiled with -mavx2 -mfma. Any inline
// function or template visible here could be emitted there as a weak symbol with AVX
// instructions and be picked by the linker for baseline code. So this header holds only
// declarations; <cstdint> is included for the std::int64_t typedef alone (it defines no
// functions).
#pragma once

#include <cstdint>

namespace myelin {
namespace arena_detail {

// p -= lr * g
void sgd_chunk_generic(float* p, const float* g, std::int64_t count, float lr);
void sgd_chunk_avx2(float* p, const float* g, std::int64_t count, float lr);

// v = momentum * v - lr * g;  p += v
void sgd_momentum_chunk_generic(float* p, float* v, const float* g, std::int64_t count, float lr,
                                float momentum);
void sgd_momentum_chunk_avx2(float* p, float* v, const float* g, std::int64_t count, float lr,
                             float momentum);

// m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2;  p -= lr_t m / (sqrt(v) + epsilon)
// lr_t already carries the bias correction.
void adam_chunk_generic(float* p, float* m, float* v, const float* g, std::int64_t count,
                        float lr_t, float beta1, float beta2, float epsilon);
void adam_chunk_avx2(float* p, float* m, float* v, const float* g, std::int64_t count,
                     float lr_t, float beta1, float beta2, float epsilon);

// sum of x_i^2 accumulated in double, in an order fixed by count alone.
double sum_of_squares_chunk_generic(const float* x, std::int64_t count);
double sum_of_squares_chunk_avx2(const float* x, std::int64_t count);

}  // namespace arena_detail
}  // namespace myelin
