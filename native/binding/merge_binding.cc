// Bindings for the merge kernels of graph models (native/kernels/merge.h): elementwise
// subtract, maximum, minimum and scale, column-block copies, and maximum's and minimum's backward.
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <string>

#include "../kernels/merge.h"
#include "args.h"
#include "bindings.h"
#include "elementwise_binding.h"
#include "kernel_call.h"

namespace myelin::binding {

namespace {

// scaleElementwise(out, x, alpha): out = alpha * x, equal lengths; out may be x itself.
KernelCall scale_elementwise_binding(const Args& info) {
  expect_arg_count(info, 3, "scaleElementwise");
  const FloatSpan out = float_array(info, 0, "out");
  const FloatSpan x = float_array(info, 1, "x");
  const double alpha = finite_number(info, 2, "alpha");
  Napi::Env env = info.Env();
  // The kernel multiplies in float: a finite double beyond float's range would be infinite there.
  if (!std::isfinite(static_cast<float>(alpha))) {
    throw Napi::RangeError::New(env, "Expected a number within float range for alpha but received " +
                                         std::to_string(alpha));
  }
  expect_length(env, out, x.length, 1, "out (as long as x)");
  expect_disjoint(env, {out, "out"}, {{x, "x"}}, InPlace::allowed);
  return work([=] { scale_elementwise(out.data, x.data, static_cast<float>(alpha), out.length); });
}

// Throws RangeError unless offset + width <= cols: the block lies within each row.
void expect_block_in_rows(const Napi::Env& env, int offset, int width, int cols,
                          const char* offset_name, const char* cols_name) {
  if (static_cast<std::int64_t>(offset) + width > cols) {
    throw Napi::RangeError::New(env, std::string("Expected ") + offset_name + " + width <= " +
                                         cols_name + " but " + offset_name + " is " +
                                         std::to_string(offset) + ", width " +
                                         std::to_string(width) + " and " + cols_name + " " +
                                         std::to_string(cols));
  }
}

// copyColumns(dst, dstCols, dstOffset, src, srcCols, srcOffset, width, n): dst (n x dstCols)
// columns [dstOffset, dstOffset + width) = src (n x srcCols) columns [srcOffset, ... + width).
KernelCall copy_columns_binding(const Args& info) {
  expect_arg_count(info, 8, "copyColumns");
  const FloatSpan dst = float_array(info, 0, "dst");
  const int dst_cols = dimension(info, 1, "dstCols");
  const int dst_offset = dimension(info, 2, "dstOffset");
  const FloatSpan src = float_array(info, 3, "src");
  const int src_cols = dimension(info, 4, "srcCols");
  const int src_offset = dimension(info, 5, "srcOffset");
  const int width = dimension(info, 6, "width");
  const int n = dimension(info, 7, "n");
  Napi::Env env = info.Env();
  if (width == 0) throw Napi::RangeError::New(env, "Expected width >= 1 but received 0");
  expect_block_in_rows(env, dst_offset, width, dst_cols, "dstOffset", "dstCols");
  expect_block_in_rows(env, src_offset, width, src_cols, "srcOffset", "srcCols");
  expect_length(env, dst, n, dst_cols, "dst (n x dstCols)");
  expect_length(env, src, n, src_cols, "src (n x srcCols)");
  expect_disjoint(env, {dst, "dst"}, {{src, "src"}});
  return work([=] {
    copy_columns(dst.data, src.data, n, width, dst_cols, dst_offset, src_cols, src_offset);
  });
}

// A flag given as a boolean or as the number 0 or 1.
bool flag(const Args& info, std::size_t index, const char* name) {
  const Napi::Value value = info[index];
  if (value.IsBoolean()) return value.As<Napi::Boolean>().Value();
  if (!value.IsNumber()) {
    throw Napi::TypeError::New(info.Env(), std::string("Expected a boolean, 0 or 1 for ") + name);
  }
  const double d = value.As<Napi::Number>().DoubleValue();
  if (d != 0.0 && d != 1.0) {
    throw Napi::RangeError::New(info.Env(), std::string("Expected a boolean, 0 or 1 for ") + name +
                                                " but received " + value.ToString().Utf8Value());
  }
  return d == 1.0;
}

// winnerGradient(dx, claimed, dy, x, y, first): dx = dy where x == y and claimed is 0 (first: as
// if it were), else 0; claimed = 1 where x won (first: 0 elsewhere). Five arrays of one length.
KernelCall winner_gradient_binding(const Args& info) {
  expect_arg_count(info, 6, "winnerGradient");
  const FloatSpan dx = float_array(info, 0, "dx");
  const FloatSpan claimed = float_array(info, 1, "claimed");
  const FloatSpan dy = float_array(info, 2, "dy");
  const FloatSpan x = float_array(info, 3, "x");
  const FloatSpan y = float_array(info, 4, "y");
  const bool first = flag(info, 5, "first");
  Napi::Env env = info.Env();
  expect_length(env, claimed, dx.length, 1, "claimed (as long as dx)");
  expect_length(env, dy, dx.length, 1, "dy (as long as dx)");
  expect_length(env, x, dx.length, 1, "x (as long as dx)");
  expect_length(env, y, dx.length, 1, "y (as long as dx)");
  expect_disjoint(env, {dx, "dx"}, {{claimed, "claimed"}, {dy, "dy"}, {x, "x"}, {y, "y"}});
  expect_disjoint(env, {claimed, "claimed"}, {{dy, "dy"}, {x, "x"}, {y, "y"}});
  return work([=] {
    winner_gradient(dx.data, claimed.data, dy.data, x.data, y.data, first, dx.length);
  });
}

}  // namespace

void register_merge(Napi::Env env, Napi::Object exports) {
  bind_kernel(env, exports, "subtractElementwise", elementwise_binding<subtract_elementwise>);
  bind_kernel(env, exports, "maximumElementwise", elementwise_binding<maximum_elementwise>);
  bind_kernel(env, exports, "minimumElementwise", elementwise_binding<minimum_elementwise>);
  bind_kernel(env, exports, "scaleElementwise", scale_elementwise_binding);
  bind_kernel(env, exports, "copyColumns", copy_columns_binding);
  bind_kernel(env, exports, "winnerGradient", winner_gradient_binding);
}

}  // namespace myelin::binding
