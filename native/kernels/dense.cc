// Fused Dense forward and backward over the GEMM.
// N = batch, K = inputs, M = units.
#include "dense.h"

#include <algorithm>
#include <cstddef>

#include "gemm/gemm.h"

namespace myelin {

namespace {

struct Activate {
  float* z;        // (N,M) pre-activation out, or null
  Activation act;  // elementwise only; softmax needs whole rows and runs after the GEMM
  float alpha;
};

// Runs on each finished block of y while it is in cache, after the GEMM has added the bias. The
// block starts at (row0, col0) of y, and z has y's layout.
void activate_epilogue(const void* ctx, float* c, int ldc, int row0, int col0, int rows,
                       int cols) {
  const auto* a = static_cast<const Activate*>(ctx);
  for (int r = 0; r < rows; ++r) {
    float* row = c + static_cast<std::ptrdiff_t>(r) * ldc;
    if (a->z != nullptr) {
      float* zrow = a->z + static_cast<std::ptrdiff_t>(row0 + r) * ldc + col0;
      std::copy(row, row + cols, zrow);
    }
    activation_forward(row, row, 1, cols, a->act, a->alpha);
  }
}

}  // namespace

void dense_forward(float* y, float* z, const float* x, const float* w, const float* b, int n, int k,
                   int m, Activation act, float alpha) {
  const bool rowwise = act == Activation::softmax;
  const Activation elementwise = rowwise ? Activation::linear : act;
  // The GEMM adds the bias, and applies ReLU when z (taken before it) is not wanted, on each
  // register tile in L1; the callback keeps z and applies any other activation per block.
  const bool relu_in_gemm = elementwise == Activation::relu && z == nullptr;
  const bool callback = z != nullptr || (elementwise != Activation::linear && !relu_in_gemm);
  const Activate ctx{z, elementwise, alpha};
  const GemmEpilogue epilogue{callback ? activate_epilogue : nullptr, &ctx, b, relu_in_gemm};
  sgemm(y, x, w, n, m, k, false, false, 1.0f, 0.0f, &epilogue);
  if (rowwise) activation_forward(y, y, n, m, act, alpha);
}

void dense_backward(float* dx, float* dw, float* db, float* dy, const float* x, const float* w,
                    const float* z, const float* y, int n, int k, int m, Activation act,
                    float alpha) {
  activation_backward(dy, dy, z, y, n, m, act, alpha);
  if (dw != nullptr) sgemm(dw, x, dy, k, m, n, true, false, 1.0f, 0.0f);
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
