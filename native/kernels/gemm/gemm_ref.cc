// Reference GEMM: the plain triple loop, accumulated in double. It is the oracle of the tests and
// the fallback for any shape the fast path declines; speed is not a goal here.
// m = rows of C, n = columns of C, k = the reduced dimension.
#include "gemm.h"

#include <cstddef>

namespace myelin {

void sgemm_ref_strided(float* c, int ldc, const float* a, int lda, const float* b, int ldb, int m,
                       int n, int k, bool trans_a, bool trans_b, float alpha, float beta) {
  if (m <= 0 || n <= 0) return;
  const std::size_t ms = m, ns = n, ks = k > 0 ? k : 0;
  const std::size_t la = lda, lb = ldb, lc = ldc;
  for (std::size_t i = 0; i < ms; ++i) {
    for (std::size_t j = 0; j < ns; ++j) {
      double sum = 0.0;
      for (std::size_t p = 0; p < ks; ++p) {
        const double av = trans_a ? a[p * la + i] : a[i * la + p];
        const double bv = trans_b ? b[j * lb + p] : b[p * lb + j];
        sum += av * bv;
      }
      float* cij = c + i * lc + j;
      // beta == 0 must not read C, so NaN already in C does not leak.
      const double prior = beta == 0.0f ? 0.0 : static_cast<double>(beta) * *cij;
      *cij = static_cast<float>(static_cast<double>(alpha) * sum + prior);
    }
  }
}

void sgemm_ref(float* c, const float* a, const float* b, int m, int n, int k,
               bool trans_a, bool trans_b, float alpha, float beta) {
  sgemm_ref_strided(c, n, a, trans_a ? m : k, b, trans_b ? k : n, m, n, k, trans_a, trans_b,
                    alpha, beta);
}

}  // namespace myelin
