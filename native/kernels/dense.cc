// Fused Dense forward and backward over the GEMM.
// N = batch, K = inputs, M = units.
#include "dense.h"

#include <algorithm>
#include <cstddef>

#include "gemm/gemm.h"

namespace myelin {

namespace {

struct BiasActivation {
  const float* bias;  // (M) or null
  float* z;           // (N,M) pre-activation out, or null
  Activation act;     // elementwise only; softmax needs whole rows and runs after the GEMM
  float alpha;
};

// Runs on each finished block of y while it is in cache. The block starts at (row0, col0) of y,
// and z has y's layout.
void bias_activation_epilogue(const void* ctx, float* c, int ldc, int row0, int col0, int rows,
                              int cols) {
  const auto* ba = static_cast<const BiasActivation*>(ctx);
  for (int r = 0; r < rows; ++r) {
    float* row = c + static_cast<std::ptrdiff_t>(r) * ldc;
    if (ba->bias != nullptr) {
      const float* b = ba->bias + col0;
      for (int j = 0; j < cols; ++j) row[j] += b[j];
    }
    if (ba->z != nullptr) {
      float* zrow = ba->z + static_cast<std::ptrdiff_t>(row0 + r) * ldc + col0;
      std::copy(row, row + cols, zrow);
    }
    activation_forward(row, row, 1, cols, ba->act, ba->alpha);
  }
}

}  // namespace

void dense_forward(float* y, float* z, const float* x, const float* w, const float* b, int n, int k,
                   int m, Activation act, float alpha) {
  const bool rowwise = act == Activation::softmax;
  const BiasActivation ctx{b, z, rowwise ? Activation::linear : act, alpha};
  const GemmEpilogue epilogue{bias_activation_epilogue, &ctx};
  sgemm(y, x, w, n, m, k, false, false, 1.0f, 0.0f, &epilogue);
  if (rowwise) activation_forward(y, y, n, m, act, alpha);
}

void dense_backward(float* dx, float* dw, float* db, float* dy, const float* x, const float* w,
                    const float* z, const float* y, int n, int k, int m, Activation act,
                    float alpha) {
  activation_backward(dy, dy, z, y, n, m, act, alpha);
  sgemm(dw, x, dy, k, m, n, true, false, 1.0f, 0.0f);
  if (db != nullptr) {
    for (int j = 0; j < m; ++j) db[j] = 0.0f;
    for (int r = 0; r < n; ++r) {
      const float* row = dy + static_cast<std::ptrdiff_t>(r) * m;
      for (int j = 0; j < m; ++j) db[j] += row[j];
    }
  }
  if (dx != nullptr) sgemm(dx, dy, w, n, k, m, false, true, 1.0f, 0.0f);
}

}  // namespace myelin
