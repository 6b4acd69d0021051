// Bindings for moving data: gathering rows of a data set by index (batch assembly), copying.
#include <napi.h>

#include <cstring>
#include <string>
#include <vector>

#include "../kernels/gather.h"
#include "args.h"
#include "bindings.h"
#include "program.h"

namespace myelin::binding {

namespace {

// gatherRows(dst, src, order, cols): dst row r = src row order[r], for every r in order.
Napi::Value gather_rows_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 4, "gatherRows");
  const FloatSpan dst = float_array(info, 0, "dst");
  const FloatSpan src = float_array(info, 1, "src");
  const IndexSpan order = index_array(info, 2, "order");
  const int cols = dimension(info, 3, "cols");
  Napi::Env env = info.Env();
  if (cols == 0 || src.length % cols != 0) {
    throw Napi::RangeError::New(env, "Expected src to hold whole rows of " + std::to_string(cols) +
                                         " floats but its length is " + std::to_string(src.length));
  }
  expect_length(env, dst, order.length, cols, "dst (order.length x cols)");
  expect_disjoint(env, {dst, "dst"}, {{src, "src"}});
  const std::int64_t rows = src.length / cols;
  for (std::int64_t r = 0; r < order.length; ++r) {
    if (order.data[r] >= rows) {
      throw Napi::RangeError::New(env, "Expected row indices below " + std::to_string(rows) +
                                           " in order but order[" + std::to_string(r) + "] is " +
                                           std::to_string(order.data[r]));
    }
  }
  // A recorded gather runs later: it takes the indices as checked, not as JS may leave them.
  std::vector<std::uint32_t> rows_checked(order.data, order.data + order.length);
  return dispatch(info, [=, rows_checked = std::move(rows_checked)] {
    gather_rows(dst.data, src.data, rows_checked.data(), static_cast<int>(rows_checked.size()),
                cols);
  });
}

// copy(dst, src): dst = src, two Float32Arrays of one length (a layer that passes its input on).
Napi::Value copy_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 2, "copy");
  const FloatSpan dst = float_array(info, 0, "dst");
  const FloatSpan src = float_array(info, 1, "src");
  expect_length(info.Env(), dst, src.length, 1, "dst (as long as src)");
  expect_disjoint(info.Env(), {dst, "dst"}, {{src, "src"}});
  return dispatch(info, [=] {
    std::memcpy(dst.data, src.data, static_cast<std::size_t>(src.length) * sizeof(float));
  });
}

}  // namespace

void register_data(Napi::Env env, Napi::Object exports) {
  exports.Set("gatherRows", Napi::Function::New(env, gather_rows_binding, "gatherRows"));
  exports.Set("copy", Napi::Function::New(env, copy_binding, "copy"));
}

}  // namespace myelin::binding
