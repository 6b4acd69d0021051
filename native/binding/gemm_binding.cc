// Binding for sgemm: unwrap, check every length against the real buffers, call.
#include <napi.h>

#include "../kernels/gemm/gemm.h"
#include "args.h"
#include "bindings.h"
#include "kernel_call.h"

namespace myelin::binding {

namespace {

// sgemm(c, a, b, m, n, k, transA, transB, alpha, beta)
KernelCall sgemm_binding(const Args& info) {
  expect_arg_count(info, 10, "sgemm");
  const FloatSpan c = float_array(info, 0, "c");
  const FloatSpan a = float_array(info, 1, "a");
  const FloatSpan b = float_array(info, 2, "b");
  const int m = dimension(info, 3, "m");
  const int n = dimension(info, 4, "n");
  const int k = dimension(info, 5, "k");
  const bool trans_a = boolean(info, 6, "transA");
  const bool trans_b = boolean(info, 7, "transB");
  const double alpha = finite_number(info, 8, "alpha");
  const double beta = finite_number(info, 9, "beta");
  Napi::Env env = info.Env();
  expect_length(env, c, m, n, "c (m x n)");
  expect_length(env, a, m, k, trans_a ? "a (k x m)" : "a (m x k)");
  expect_length(env, b, k, n, trans_b ? "b (n x k)" : "b (k x n)");
  expect_disjoint(env, {c, "c"}, {{a, "a"}, {b, "b"}});
  return work([=] {
    sgemm(c.data, a.data, b.data, m, n, k, trans_a, trans_b, static_cast<float>(alpha),
          static_cast<float>(beta));
  });
}

}  // namespace

void register_gemm(Napi::Env env, Napi::Object exports) {
  bind_kernel(env, exports, "sgemm", sgemm_binding);
}

}  // namespace myelin::binding
