// Activations, forward and backward side by side.
// rows = batch, cols = units; every buffer is (rows,cols), row-major. Derivatives use the forward
// output y, except gelu, geluTanh and swish, which y does not determine: they use z.
// Formulas as Keras and TensorFlow.js define them:
//   relu:        y = max(z, 0)                           dz = dy * [y > 0]
//   sigmoid:     y = 1 / (1 + exp(-z))                   dz = dy * y * (1 - y)
//   tanh:        y = tanh(z)                             dz = dy * (1 - y^2)
//   softmax:     y_j = exp(z_j - max z) / sum            dz_j = y_j * (dy_j - sum_i dy_i y_i)
//                (Jacobian-vector product as in Goodfellow et al., Deep Learning, 6.2.2.3)
//   sign:        y = sign(z), 0 at 0                     dz = dy, the straight-through estimator
//                (Bengio et al. 2013, arXiv:1308.3432): the perceptron rule is gradient descent
//                on this surrogate.
//   hardTanh:    y = clamp(z, -1, 1)                     dz = dy * [-1 < y < 1]
//   hardSigmoid: y = clamp(0.2 z + 0.5, 0, 1) (tfjs)     dz = dy * 0.2 * [0 < y < 1]
//   relu6:       y = min(max(z, 0), 6)                   dz = dy * [0 < y < 6]
//   leakyRelu:   y = z > 0 ? z : alpha z                 dz = dy * (y > 0 ? 1 : alpha)
//   elu:         y = z > 0 ? z : alpha (exp(z) - 1)      dz = dy * (y > 0 ? 1 : y + alpha)
//                (Clevert et al. 2015, arXiv:1511.07289)
//   selu:        y = scale * elu(z, a), a = 1.6732632423543772, scale = 1.0507009873554805
//                                                        dz = dy * (y > 0 ? scale : y + scale a)
//                (Klambauer et al. 2017, arXiv:1706.02515; Keras's constants)
//   gelu:        y = z Phi(z) = 0.5 z (1 + erf(z / sqrt 2))
//                                                        dz = dy * (Phi(z) + z phi(z))
//   geluTanh:    y = 0.5 z (1 + tanh(u)), u = sqrt(2/pi) (z + 0.044715 z^3)
//                dz = dy * (0.5 (1 + t) + 0.5 z (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 z^2))
//                (Hendrycks and Gimpel 2016, arXiv:1606.08415, both forms)
//   softplus:    y = log(1 + exp(z)) = max(z, 0) + log1p(exp(-|z|)), which never overflows
//                                                        dz = dy * sigmoid(z) = dy * -expm1(-y)
//   softsign:    y = z / (1 + |z|)                       dz = dy * (1 - |y|)^2
//   swish:       y = z sigmoid(z) (silu; Ramachandran et al. 2017, arXiv:1710.05941)
//                                                        dz = dy * s (1 + z (1 - s)), s = sigmoid(z)
// The derivative at a kink is the one of the side z <= 0 (relu'(0) = 0, leakyRelu'(0) = alpha),
// as in TensorFlow. relu and relu6 map NaN to 0; every other activation carries NaN through.
// alpha >= 0 (the binding checks it): y > 0 exactly when z > 0 then, which lets leakyRelu and elu
// read their derivative from y. geluTanh evaluates u and its derivative at z clamped to +-10,
// past which t is +-1 in float anyway, so that z^3 never overflows into inf * 0 = NaN.
//
// Each call reads active_isa() once and sends all its work to that path's loops
// (activations_internal.h): the generic ones below (baseline code), the AVX2+FMA ones in
// activations_avx2.cc, or the AVX-512 forwards in activations_avx512.cc with the AVX2
// derivatives on x86-64, the NEON ones in activations_neon.cc on AArch64. Large arrays are cut into fixed chunks (whole rows for softmax)
// that the thread pool runs independently, so a result never depends on the thread count. Small
// calls, such as the one-row segments of the Dense GEMM epilogue, run inline without touching the
// pool.
#include "activations.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "../runtime/arch.h"
#include "../runtime/cpu_features.h"
#include "../runtime/chunked.h"
#include "../runtime/thread_pool.h"
#include "activation_constants.h"
#include "activations_internal.h"

namespace myelin {

namespace activation_detail {

namespace {

// Written without branches on the sign of z so that large |z| neither overflows exp nor loses
// the tail: exp(-|z|) is always in (0, 1].
inline float stable_sigmoid(float z) {
  const float e = std::exp(-std::fabs(z));
  return z >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

inline float clamp_keep_nan(float v, float lo, float hi) { return v < lo ? lo : v > hi ? hi : v; }

// The loops take the formula as a lambda, so each activation gets its own loop with no branch on
// the activation inside it.
template <typename F>
void map_unary(float* y, const float* z, std::int64_t count, F f) {
  for (std::int64_t i = 0; i < count; ++i) y[i] = f(z[i]);
}

template <typename F>
void map_binary(float* dz, const float* dy, const float* v, std::int64_t count, F f) {
  for (std::int64_t i = 0; i < count; ++i) dz[i] = f(dy[i], v[i]);
}

}  // namespace

void forward_generic(float* y, const float* z, std::int64_t count, Activation act, float alpha) {
  switch (act) {
    case Activation::relu:
      return map_unary(y, z, count, [](float v) { return v > 0.0f ? v : 0.0f; });
    case Activation::sigmoid:
      return map_unary(y, z, count, [](float v) { return stable_sigmoid(v); });
    case Activation::tanh:
      return map_unary(y, z, count, [](float v) { return std::tanh(v); });
    case Activation::sign:
      return map_unary(y, z, count, [](float v) { return v > 0.0f ? 1.0f : v < 0.0f ? -1.0f : v; });
    case Activation::hardTanh:
      return map_unary(y, z, count, [](float v) { return clamp_keep_nan(v, -1.0f, 1.0f); });
    case Activation::hardSigmoid:
      return map_unary(y, z, count,
                       [](float v) { return clamp_keep_nan(0.2f * v + 0.5f, 0.0f, 1.0f); });
    case Activation::relu6:
      return map_unary(y, z, count, [](float v) { return v > 0.0f ? std::min(v, 6.0f) : 0.0f; });
    case Activation::leakyRelu:
      return map_unary(y, z, count, [alpha](float v) { return v > 0.0f ? v : alpha * v; });
    case Activation::elu:
      return map_unary(y, z, count,
                       [alpha](float v) { return v > 0.0f ? v : alpha * std::expm1(v); });
    case Activation::selu:
      return map_unary(y, z, count, [](float v) {
        return kSeluScale * (v > 0.0f ? v : kSeluAlpha * std::expm1(v));
      });
    case Activation::gelu:
      return map_unary(y, z, count,
                       [](float v) { return 0.5f * v * (1.0f + std::erf(v * kSqrtHalf)); });
    case Activation::geluTanh:
      return map_unary(y, z, count, [](float v) {
        const float c = clamp_keep_nan(v, -10.0f, 10.0f);
        return 0.5f * v * (1.0f + std::tanh(kSqrt2OverPi * c * (1.0f + kGeluCubic * c * c)));
      });
    case Activation::softplus:
      return map_unary(y, z, count, [](float v) {
        return (v > 0.0f ? v : 0.0f) + std::log1p(std::exp(-std::fabs(v)));
      });
    case Activation::softsign:
      return map_unary(y, z, count, [](float v) { return v / (1.0f + std::fabs(v)); });
    case Activation::swish:
      return map_unary(y, z, count, [](float v) { return v * stable_sigmoid(v); });
    case Activation::linear:
    case Activation::softmax:
      return;
  }
}

void backward_generic(float* dz, const float* dy, const float* v, std::int64_t count,
                      Activation act, float alpha) {
  switch (act) {
    case Activation::relu:
      return map_binary(dz, dy, v, count, [](float g, float y) { return y > 0.0f ? g : 0.0f; });
    case Activation::sigmoid:
      return map_binary(dz, dy, v, count, [](float g, float y) { return g * y * (1.0f - y); });
    case Activation::tanh:
      return map_binary(dz, dy, v, count, [](float g, float y) { return g * (1.0f - y * y); });
    case Activation::hardTanh:
      return map_binary(dz, dy, v, count,
                        [](float g, float y) { return y > -1.0f && y < 1.0f ? g : 0.0f; });
    case Activation::hardSigmoid:
      return map_binary(dz, dy, v, count,
                        [](float g, float y) { return y > 0.0f && y < 1.0f ? 0.2f * g : 0.0f; });
    case Activation::relu6:
      return map_binary(dz, dy, v, count,
                        [](float g, float y) { return y > 0.0f && y < 6.0f ? g : 0.0f; });
    case Activation::leakyRelu:
      return map_binary(dz, dy, v, count,
                        [alpha](float g, float y) { return y > 0.0f ? g : alpha * g; });
    case Activation::elu:
      return map_binary(dz, dy, v, count,
                        [alpha](float g, float y) { return y > 0.0f ? g : g * (y + alpha); });
    case Activation::selu:
      return map_binary(dz, dy, v, count, [](float g, float y) {
        return y > 0.0f ? kSeluScale * g : g * (y + kSeluScale * kSeluAlpha);
      });
    case Activation::gelu:
      return map_binary(dz, dy, v, count, [](float g, float z) {
        const float cdf = 0.5f * (1.0f + std::erf(z * kSqrtHalf));
        return g * (cdf + z * kInvSqrt2Pi * std::exp(-0.5f * z * z));
      });
    case Activation::geluTanh:
      return map_binary(dz, dy, v, count, [](float g, float z) {
        // 1 - t^2 as 1 / cosh^2(u): from a rounded t it would cancel.
        const float c = clamp_keep_nan(z, -10.0f, 10.0f);
        const float u = kSqrt2OverPi * c * (1.0f + kGeluCubic * c * c);
        const float sech = 1.0f / std::cosh(u);
        const float du = kSqrt2OverPi * (1.0f + 3.0f * kGeluCubic * c * c);
        return g * (0.5f * (1.0f + std::tanh(u)) + 0.5f * c * sech * sech * du);
      });
    case Activation::softplus:
      return map_binary(dz, dy, v, count, [](float g, float y) { return -g * std::expm1(-y); });
    case Activation::softsign:
      return map_binary(dz, dy, v, count, [](float g, float y) {
        const float d = 1.0f - std::fabs(y);
        return g * d * d;
      });
    case Activation::swish:
      return map_binary(dz, dy, v, count, [](float g, float z) {
        const float s = stable_sigmoid(z);
        return g * s * (1.0f + z * (1.0f - s));
      });
    case Activation::linear:
    case Activation::sign:
    case Activation::softmax:
      return;
  }
}

void softmax_forward_generic(float* y, const float* z, std::int64_t rows, int cols) {
  for (std::int64_t r = 0; r < rows; ++r) {
    const float* zr = z + r * cols;
    float* yr = y + r * cols;
    float zmax = zr[0];
    for (int j = 1; j < cols; ++j) zmax = std::max(zmax, zr[j]);
    double sum = 0.0;
    for (int j = 0; j < cols; ++j) {
      yr[j] = std::exp(zr[j] - zmax);
      sum += yr[j];
    }
    const float inv = static_cast<float>(1.0 / sum);
    for (int j = 0; j < cols; ++j) yr[j] *= inv;
  }
}

void softmax_backward_generic(float* dz, const float* dy, const float* y, std::int64_t rows,
                              int cols) {
  for (std::int64_t r = 0; r < rows; ++r) {
    const std::int64_t off = r * cols;
    double dot = 0.0;
    for (int j = 0; j < cols; ++j) dot += static_cast<double>(dy[off + j]) * y[off + j];
    const float d = static_cast<float>(dot);
    for (int j = 0; j < cols; ++j) dz[off + j] = y[off + j] * (dy[off + j] - d);
  }
}

}  // namespace activation_detail

namespace {

namespace ad = activation_detail;

// One path's loops, picked once per call from active_isa(): a call never mixes paths.
struct Paths {
  void (*forward)(float*, const float*, std::int64_t, Activation, float);
  void (*backward)(float*, const float*, const float*, std::int64_t, Activation, float);
  void (*softmax_forward)(float*, const float*, std::int64_t, int);
  void (*softmax_backward)(float*, const float*, const float*, std::int64_t, int);
};

Paths active_paths() {
  switch (active_isa()) {
#if MYELIN_ARCH_X64
    case Isa::avx512:  // derivatives: see activations_avx512.cc for why they stay on AVX2
      return {ad::forward_avx512, ad::backward_avx2, ad::softmax_forward_avx512,
              ad::softmax_backward_avx2};
    case Isa::avx2:
      return {ad::forward_avx2, ad::backward_avx2, ad::softmax_forward_avx2,
              ad::softmax_backward_avx2};
#endif
#if MYELIN_ARCH_ARM64
    case Isa::neon:
      return {ad::forward_neon, ad::backward_neon, ad::softmax_forward_neon,
              ad::softmax_backward_neon};
#endif
    default:
      break;
  }
  return {ad::forward_generic, ad::backward_generic, ad::softmax_forward_generic,
          ad::softmax_backward_generic};
}

// Whole rows per task, about kChunkFloats floats each.
template <typename Body>
void for_row_chunks(std::int64_t rows, int cols, const Body& body) {
  const std::int64_t per_task = std::max<std::int64_t>(1, kChunkFloats / cols);
  const std::int64_t tasks = (rows + per_task - 1) / per_task;
  if (tasks <= 1) {
    body(0, rows);
    return;
  }
  parallel_for(static_cast<int>(tasks), [&](int task) {
    const std::int64_t begin = task * per_task;
    body(begin, std::min(rows, begin + per_task));
  });
}

}  // namespace

bool activation_needs_input(Activation act) {
  return act == Activation::gelu || act == Activation::geluTanh || act == Activation::swish;
}

void activation_forward(float* y, const float* z, int rows, int cols, Activation act,
                        float alpha) {
  const std::int64_t count = static_cast<std::int64_t>(rows) * cols;
  if (count <= 0) return;
  if (act == Activation::linear) {
    if (y != z) std::copy(z, z + count, y);
    return;
  }
  if (act == Activation::softmax) {
    const auto rows_fn = active_paths().softmax_forward;
    for_row_chunks(rows, cols, [=](std::int64_t begin, std::int64_t end) {
      rows_fn(y + begin * cols, z + begin * cols, end - begin, cols);
    });
    return;
  }
  const auto chunk = active_paths().forward;
  for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
    chunk(y + begin, z + begin, end - begin, act, alpha);
  });
}

void activation_backward(float* dz, const float* dy, const float* z, const float* y, int rows,
                         int cols, Activation act, float alpha) {
  const std::int64_t count = static_cast<std::int64_t>(rows) * cols;
  if (count <= 0) return;
  if (act == Activation::linear || act == Activation::sign) {
    if (dz != dy) std::copy(dy, dy + count, dz);
    return;
  }
  if (act == Activation::softmax) {
    const auto rows_fn = active_paths().softmax_backward;
    for_row_chunks(rows, cols, [=](std::int64_t begin, std::int64_t end) {
      rows_fn(dz + begin * cols, dy + begin * cols, y + begin * cols, end - begin, cols);
    });
    return;
  }
  const float* v = activation_needs_input(act) ? z : y;
  const auto chunk = active_paths().backward;
  for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
    chunk(dz + begin, dy + begin, v + begin, end - begin, act, alpha);
  });
}

}  // namespace myelin
