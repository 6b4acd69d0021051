// Portable micro-kernel, 4x8 register tile, compiled for baseline x86-64: the inner loops run
// over the 8 columns of a B row with constant trip counts so the compiler vectorizes them with
// SSE2 (2 xmm per row, 8 accumulators). It is the fallback on CPUs without AVX2+FMA and the
// path MYELIN_ISA=generic forces.
#include "gemm_internal.h"

namespace myelin {
namespace gemm_detail {

static constexpr int kMr = kBlocksGeneric.mr;
static constexpr int kNr = kBlocksGeneric.nr;

void ukr_generic_4x8(float* c, const float* a_panel, const float* b_panel, int b_rs, int kc,
                     int ldc, int rows, int cols, float alpha, float beta, const float* bias,
                     bool relu) {
  float acc[kMr][kNr] = {};
  for (int p = 0; p < kc; ++p) {
    const float* a = a_panel + p * kMr;
    const float* b = b_panel + static_cast<long>(p) * b_rs;
    for (int r = 0; r < kMr; ++r)
      for (int j = 0; j < kNr; ++j) acc[r][j] += a[r] * b[j];
  }
  // Only the rows x cols that exist in C are touched; beta == 0 must not read C.
  if (beta == 0.0f) {
    for (int r = 0; r < rows; ++r)
      for (int j = 0; j < cols; ++j) c[r * ldc + j] = alpha * acc[r][j];
  } else {
    for (int r = 0; r < rows; ++r)
      for (int j = 0; j < cols; ++j) c[r * ldc + j] = alpha * acc[r][j] + beta * c[r * ldc + j];
  }
  if (bias != nullptr || relu) finish_generic(c, ldc, bias, relu, rows, cols);
}

}  // namespace gemm_detail
}  // namespace myelin
