// Activations, forward and backward side by side.
// rows = batch, cols = units; every buffer is (rows,cols), row-major.
//   relu:    y = max(z, 0)                      dz = dy * [y > 0]
//   sigmoid: y = 1 / (1 + exp(-z))              dz = dy * y * (1 - y)
//   tanh:    y = tanh(z)                        dz = dy * (1 - y^2)
//   softmax: y_j = exp(z_j - max z) / sum       dz_j = y_j * (dy_j - sum_i dy_i y_i)
// (softmax Jacobian-vector product as in Goodfellow et al., Deep Learning, 6.2.2.3).
#include "activations.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace myelin {

namespace {

// Written without branches on the sign of z so that large |z| neither overflows exp nor loses
// the tail: exp(-|z|) is always in (0, 1].
inline float stable_sigmoid(float z) {
  const float e = std::exp(-std::fabs(z));
  return z >= 0.0f ? 1.0f / (1.0f + e) : e / (1.0f + e);
}

void softmax_rows(float* y, const float* z, int rows, int cols) {
  for (int r = 0; r < rows; ++r) {
    const float* zr = z + static_cast<std::ptrdiff_t>(r) * cols;
    float* yr = y + static_cast<std::ptrdiff_t>(r) * cols;
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

}  // namespace

void activation_forward(float* y, const float* z, int rows, int cols, Activation act) {
  const std::ptrdiff_t count = static_cast<std::ptrdiff_t>(rows) * cols;
  switch (act) {
    case Activation::linear:
      if (y != z) std::copy(z, z + count, y);
      return;
    case Activation::relu:
      for (std::ptrdiff_t i = 0; i < count; ++i) y[i] = z[i] > 0.0f ? z[i] : 0.0f;
      return;
    case Activation::sigmoid:
      for (std::ptrdiff_t i = 0; i < count; ++i) y[i] = stable_sigmoid(z[i]);
      return;
    case Activation::tanh:
      for (std::ptrdiff_t i = 0; i < count; ++i) y[i] = std::tanh(z[i]);
      return;
    case Activation::softmax:
      if (cols > 0) softmax_rows(y, z, rows, cols);
      return;
  }
}

void activation_backward(float* dz, const float* dy, const float* y, int rows, int cols,
                         Activation act) {
  const std::ptrdiff_t count = static_cast<std::ptrdiff_t>(rows) * cols;
  switch (act) {
    case Activation::linear:
      if (dz != dy) std::copy(dy, dy + count, dz);
      return;
    case Activation::relu:
      for (std::ptrdiff_t i = 0; i < count; ++i) dz[i] = y[i] > 0.0f ? dy[i] : 0.0f;
      return;
    case Activation::sigmoid:
      for (std::ptrdiff_t i = 0; i < count; ++i) dz[i] = dy[i] * y[i] * (1.0f - y[i]);
      return;
    case Activation::tanh:
      for (std::ptrdiff_t i = 0; i < count; ++i) dz[i] = dy[i] * (1.0f - y[i] * y[i]);
      return;
    case Activation::softmax:
      for (int r = 0; r < rows; ++r) {
        const std::ptrdiff_t off = static_cast<std::ptrdiff_t>(r) * cols;
        double dot = 0.0;
        for (int j = 0; j < cols; ++j) dot += static_cast<double>(dy[off + j]) * y[off + j];
        const float d = static_cast<float>(dot);
        for (int j = 0; j < cols; ++j) dz[off + j] = y[off + j] * (dy[off + j] - d);
      }
      return;
  }
}

}  // namespace myelin
