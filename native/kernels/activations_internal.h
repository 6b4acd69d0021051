// Internal contract between the activation dispatcher (activations.cc), which cuts the work into
// fixed chunks and picks a path from active_isa(), and the per-ISA loops: the generic ones live
// beside the dispatcher (baseline x86-64), the AVX2+FMA ones in activations_avx2.cc.
// count = floats in the chunk; rows of cols floats for softmax. Formulas as in activations.cc.
//
// Hazard: activations_avx2.cc includes this header and is compiled with -mavx2 -mfma. Any inline
// function or template visible here could be emitted there as a weak symbol with AVX
// instructions and be picked by the linker for baseline code. So this header holds only
// declarations; <cstdint> is included for the std::int64_t typedef alone (it defines no
// functions).
#pragma once

#include <cstdint>

namespace myelin {
namespace activation_detail {

// y = f(z) elementwise; y == z is allowed.
void relu_forward_generic(float* y, const float* z, std::int64_t count);
void relu_forward_avx2(float* y, const float* z, std::int64_t count);
void sigmoid_forward_generic(float* y, const float* z, std::int64_t count);
void sigmoid_forward_avx2(float* y, const float* z, std::int64_t count);
void tanh_forward_generic(float* y, const float* z, std::int64_t count);
void tanh_forward_avx2(float* y, const float* z, std::int64_t count);

// dz from dy and the forward output y, elementwise; dz == dy is allowed.
void relu_backward_generic(float* dz, const float* dy, const float* y, std::int64_t count);
void relu_backward_avx2(float* dz, const float* dy, const float* y, std::int64_t count);
void sigmoid_backward_generic(float* dz, const float* dy, const float* y, std::int64_t count);
void sigmoid_backward_avx2(float* dz, const float* dy, const float* y, std::int64_t count);
void tanh_backward_generic(float* dz, const float* dy, const float* y, std::int64_t count);
void tanh_backward_avx2(float* dz, const float* dy, const float* y, std::int64_t count);

// Softmax over each of `rows` rows of cols (>= 1) floats; y == z and dz == dy are allowed.
void softmax_forward_generic(float* y, const float* z, std::int64_t rows, int cols);
void softmax_forward_avx2(float* y, const float* z, std::int64_t rows, int cols);
void softmax_backward_generic(float* dz, const float* dy, const float* y, std::int64_t rows,
                              int cols);
void softmax_backward_avx2(float* dz, const float* dy, const float* y, std::int64_t rows,
                           int cols);

}  // namespace activation_detail
}  // namespace myelin
