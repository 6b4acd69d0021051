// Binding for batch assembly: gathering rows of a data set by index.
#include <napi.h>

#include <string>

#include "../kernels/gather.h"
#include "args.h"
#include "bindings.h"

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
  const std::int64_t rows = src.length / cols;
  for (std::int64_t r = 0; r < order.length; ++r) {
    if (order.data[r] >= rows) {
      throw Napi::RangeError::New(env, "Expected row indices below " + std::to_string(rows) +
                                           " in order but order[" + std::to_string(r) + "] is " +
                                           std::to_string(order.data[r]));
    }
  }
  gather_rows(dst.data, src.data, order.data, static_cast<int>(order.length), cols);
  return env.Undefined();
}

}  // namespace

void register_data(Napi::Env env, Napi::Object exports) {
  exports.Set("gatherRows", Napi::Function::New(env, gather_rows_binding, "gatherRows"));
}

}  // namespace myelin::binding
