// Activations, forward and backward side by side.
// rows = batch, cols = units; every buffer is (rows,cols), row-major.
//   relu:    y = max(z, 0)                      dz = dy * [y > 0]
//   sigmoid: y = 1 / (1 + exp(-z))              dz = dy * y * (1 - y)
//   tanh:    y = tanh(z)                        dz = dy * (1 - y^2)
//   softmax: y_j = exp(z_j - max z) / sum       dz_j = y_j * (dy_j - sum_i dy_i y_i)
// (softmax Jacobian-vector product as in Goodfellow et al., Deep Learning, 6.2.2.3).
//
// Each call reads active_isa() once and sends all its work to that path's loops
// (activations_internal.h): the generic ones below, compiled for baseline x86-64, or the AVX2+FMA
// ones in activations_avx2.cc. Large arrays are cut into fixed chunks (whole rows for softmax)
// that the thread pool runs independently, so a result never depends on the thread count. Small
// calls, such as the one-row segments of the Dense GEMM epilogue, run inline without touching the
// pool.
#include "activations.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "../runtime/cpu_features.h"
#include "../runtime/chunked.h"
#include "../runtime/thread_pool.h"
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

}  // namespace

void relu_forward_generic(float* y, const float* z, std::int64_t count) {
  for (std::int64_t i = 0; i < count; ++i) y[i] = z[i] > 0.0f ? z[i] : 0.0f;
}

void relu_backward_generic(float* dz, const float* dy, const float* y, std::int64_t count) {
  for (std::int64_t i = 0; i < count; ++i) dz[i] = y[i] > 0.0f ? dy[i] : 0.0f;
}

void sigmoid_forward_generic(float* y, const float* z, std::int64_t count) {
  for (std::int64_t i = 0; i < count; ++i) y[i] = stable_sigmoid(z[i]);
}

void sigmoid_backward_generic(float* dz, const float* dy, const float* y, std::int64_t count) {
  for (std::int64_t i = 0; i < count; ++i) dz[i] = dy[i] * y[i] * (1.0f - y[i]);
}

void tanh_forward_generic(float* y, const float* z, std::int64_t count) {
  for (std::int64_t i = 0; i < count; ++i) y[i] = std::tanh(z[i]);
}

void tanh_backward_generic(float* dz, const float* dy, const float* y, std::int64_t count) {
  for (std::int64_t i = 0; i < count; ++i) dz[i] = dy[i] * (1.0f - y[i] * y[i]);
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

using ForwardChunk = void (*)(float*, const float*, std::int64_t);
using BackwardChunk = void (*)(float*, const float*, const float*, std::int64_t);

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

void activation_forward(float* y, const float* z, int rows, int cols, Activation act) {
  const std::int64_t count = static_cast<std::int64_t>(rows) * cols;
  if (count <= 0) return;
  const bool avx2 = isa_at_least(Isa::avx2);  // read once: a call never mixes paths
  ForwardChunk chunk = nullptr;
  switch (act) {
    case Activation::linear:
      if (y != z) std::copy(z, z + count, y);
      return;
    case Activation::relu:
      chunk = avx2 ? ad::relu_forward_avx2 : ad::relu_forward_generic;
      break;
    case Activation::sigmoid:
      chunk = avx2 ? ad::sigmoid_forward_avx2 : ad::sigmoid_forward_generic;
      break;
    case Activation::tanh:
      chunk = avx2 ? ad::tanh_forward_avx2 : ad::tanh_forward_generic;
      break;
    case Activation::softmax: {
      const auto rows_fn = avx2 ? ad::softmax_forward_avx2 : ad::softmax_forward_generic;
      for_row_chunks(rows, cols, [=](std::int64_t begin, std::int64_t end) {
        rows_fn(y + begin * cols, z + begin * cols, end - begin, cols);
      });
      return;
    }
  }
  if (chunk == nullptr) return;
  for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
    chunk(y + begin, z + begin, end - begin);
  });
}

void activation_backward(float* dz, const float* dy, const float* y, int rows, int cols,
                         Activation act) {
  const std::int64_t count = static_cast<std::int64_t>(rows) * cols;
  if (count <= 0) return;
  const bool avx2 = isa_at_least(Isa::avx2);  // read once: a call never mixes paths
  BackwardChunk chunk = nullptr;
  switch (act) {
    case Activation::linear:
      if (dz != dy) std::copy(dy, dy + count, dz);
      return;
    case Activation::relu:
      chunk = avx2 ? ad::relu_backward_avx2 : ad::relu_backward_generic;
      break;
    case Activation::sigmoid:
      chunk = avx2 ? ad::sigmoid_backward_avx2 : ad::sigmoid_backward_generic;
      break;
    case Activation::tanh:
      chunk = avx2 ? ad::tanh_backward_avx2 : ad::tanh_backward_generic;
      break;
    case Activation::softmax: {
      const auto rows_fn = avx2 ? ad::softmax_backward_avx2 : ad::softmax_backward_generic;
      for_row_chunks(rows, cols, [=](std::int64_t begin, std::int64_t end) {
        rows_fn(dz + begin * cols, dy + begin * cols, y + begin * cols, end - begin, cols);
      });
      return;
    }
  }
  if (chunk == nullptr) return;
  for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
    chunk(dz + begin, dy + begin, y + begin, end - begin);
  });
}

}  // namespace myelin
