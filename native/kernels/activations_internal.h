// Internal contract between the activation dispatcher (activations.cc), which cuts the work into
// fixed chunks and picks a path from active_isa(), and the per-ISA loops: the generic ones live
// beside the dispatcher (baseline code), the AVX2+FMA ones in activations_avx2.cc, the AVX-512
// ones (forwards only) in activations_avx512.cc (both x86-64 only), the NEON ones in
// activations_neon.cc (AArch64 only).
// count = floats in the chunk; rows of cols floats for softmax. Formulas in activations.cc.
//
// Hazard: activations_avx2.cc and activations_avx512.cc include this header and are compiled with
// -mavx2 -mfma (and -mavx512*). Any inline function or template visible here could be emitted
// there as a weak symbol with AVX instructions and be picked by the linker for baseline code. So this header holds only
// declarations; <cstdint> is included for the std::int64_t typedef alone (it defines no
// functions), and activations.h holds only the enum and declarations.
#pragma once

#include <cstdint>

#include "activations.h"

namespace myelin {
namespace activation_detail {

// y = f(z) elementwise, for every act but linear and softmax (the dispatcher copies for linear;
// softmax works on rows); y == z is allowed.
void forward_generic(float* y, const float* z, std::int64_t count, Activation act, float alpha);
void forward_avx2(float* y, const float* z, std::int64_t count, Activation act, float alpha);
void forward_avx512(float* y, const float* z, std::int64_t count, Activation act, float alpha);
void forward_neon(float* y, const float* z, std::int64_t count, Activation act, float alpha);

// dz from dy and v elementwise, where v is z when activation_needs_input(act) and y otherwise;
// for every act but linear, sign (both copy dy) and softmax. dz == dy is allowed.
void backward_generic(float* dz, const float* dy, const float* v, std::int64_t count,
                      Activation act, float alpha);
void backward_avx2(float* dz, const float* dy, const float* v, std::int64_t count,
                   Activation act, float alpha);
void backward_neon(float* dz, const float* dy, const float* v, std::int64_t count,
                   Activation act, float alpha);

// Softmax over each of `rows` rows of cols (>= 1) floats; y == z and dz == dy are allowed.
void softmax_forward_generic(float* y, const float* z, std::int64_t rows, int cols);
void softmax_forward_avx2(float* y, const float* z, std::int64_t rows, int cols);
void softmax_forward_avx512(float* y, const float* z, std::int64_t rows, int cols);
void softmax_forward_neon(float* y, const float* z, std::int64_t rows, int cols);
void softmax_backward_generic(float* dz, const float* dy, const float* y, std::int64_t rows,
                              int cols);
void softmax_backward_avx2(float* dz, const float* dy, const float* y, std::int64_t rows,
                           int cols);
void softmax_backward_neon(float* dz, const float* dy, const float* y, std::int64_t rows,
                           int cols);

}  // namespace activation_detail
}  // namespace myelin
