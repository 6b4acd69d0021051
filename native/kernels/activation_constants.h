// The constants of the activation formulas, shared by the generic loops (activations.cc) and
// the AVX2 and AVX-512 units, so the three paths cannot drift apart: scalar constants and the
// coefficients of the polynomial approximations, highest degree first (Horner order).
//
// Data only: this header is included by -mavx2 / -mavx512f translation units, and a function
// defined here could be emitted there with vector instructions and picked by the linker for
// baseline code (see activations_internal.h). constexpr variables at namespace scope have
// internal linkage, so each unit keeps its own copy and nothing is shared at link time.
#pragma once

namespace myelin {
namespace activation_detail {

// SELU (Klambauer et al. 2017), Keras's constants.
constexpr float kSeluAlpha = 1.6732632423543772f;
constexpr float kSeluScale = 1.0507009873554805f;

// GELU (Hendrycks & Gimpel 2016), exact and tanh forms.
constexpr float kSqrtHalf = 0.70710678118654752f;     // 1 / sqrt(2)
constexpr float kInvSqrt2Pi = 0.39894228040143268f;   // 1 / sqrt(2 pi)
constexpr float kSqrt2OverPi = 0.79788456080286536f;  // sqrt(2 / pi)
constexpr float kGeluCubic = 0.044715f;

// ln 2 split in two for range reduction (Cody-Waite): n * kLn2Hi is exact for |n| <= 128.
constexpr float kLn2Hi = 0.693359375f;
constexpr float kLn2Lo = -2.12194440e-4f;
constexpr float kLog2e = 1.44269504088896341f;

// Cephes expf (expf.c): q(r) with e^r = 1 + r q(r) for |r| <= ln2 / 2.
constexpr float kExpPoly[] = {1.9875691500e-4f, 1.3981999507e-3f, 8.3334519073e-3f,
                              4.1665795894e-2f, 1.6666665459e-1f, 5.0000001201e-1f, 1.0f};

// Cephes logf (logf.c): P(x) with log(1 + x) = x - x^2 / 2 + x^3 P(x).
constexpr float kLog1pPoly[] = {7.0376836292e-2f,  -1.1514610310e-1f, 1.1676998740e-1f,
                                -1.2420140846e-1f, 1.4249322787e-1f,  -1.6668057665e-1f,
                                2.0000714765e-1f,  -2.4999993993e-1f, 3.3333331174e-1f};

// Eigen's generic_fast_erf_float: erf(x) = x P(x^2) / Q(x^2) on [-4, 4].
constexpr float kErfP[] = {-2.72614225801306e-10f, 2.77068142495902e-08f, -2.10102402082508e-06f,
                           -5.69250639462346e-05f, -7.34990630326855e-04f, -2.95459980854025e-03f,
                           -1.60960333262415e-02f};
constexpr float kErfQ[] = {-1.45660718464996e-05f, -2.13374055278905e-04f, -1.68282697438203e-03f,
                           -7.37332916720468e-03f, -1.42647390514189e-02f};

// Eigen's generic_fast_tanh_float: tanh(x) = x P(x^2) / Q(x^2), exactly +-1 past the clamp.
constexpr float kTanhClamp = 7.99881172180175781f;
constexpr float kTanhP[] = {-2.76076847742355e-16f, 2.00018790482477e-13f, -8.60467152213735e-11f,
                            5.12229709037114e-08f,  1.48572235717979e-05f, 6.37261928875436e-04f,
                            4.89352455891786e-03f};
constexpr float kTanhQ[] = {1.19825839466702e-06f, 1.18534705686654e-04f, 2.26843463243900e-03f,
                            4.89352518554385e-03f};

}  // namespace activation_detail
}  // namespace myelin
