// Bindings for moving data: gathering rows of a data set by index (batch assembly), copying.
#include <napi.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

#include "../kernels/gather.h"
#include "args.h"
#include "bindings.h"
#include "kernel_call.h"

namespace myelin::binding {

namespace {

// gatherRows(dst, src, order, cols): dst row r = src row order[r], for every r in order.
KernelCall gather_rows_binding(const Args& info) {
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
  // In a plan the gather runs later: it takes the indices as checked, not as JS may leave them.
  std::vector<std::uint32_t> rows_checked(order.data, order.data + order.length);
  return work([=, rows_checked = std::move(rows_checked)] {
    gather_rows(dst.data, src.data, rows_checked.data(), static_cast<int>(rows_checked.size()),
                cols);
  });
}

// copyRowsAt(dst, src, cols, offset) -> 1, or NaN: dst = rows [offset, offset + dst's rows) of
// src. For a plan's steps: src holds the batches of many steps, gathered by fit on the main
// thread, and offset (a plan input) is the step's first row; one out of range gives NaN, before
// anything is written.
KernelCall copy_rows_at_binding(const Args& info) {
  expect_arg_count(info, 4, "copyRowsAt");
  const FloatSpan dst = float_array(info, 0, "dst");
  const FloatSpan src = float_array(info, 1, "src");
  const int cols = dimension(info, 2, "cols");
  const NumberArg offset = number_arg(info, 3, "offset");
  Napi::Env env = info.Env();
  if (cols == 0 || src.length % cols != 0 || dst.length % cols != 0) {
    throw Napi::RangeError::New(env, "Expected src and dst to hold whole rows of " + std::to_string(cols) +
                                         " floats but their lengths are " + std::to_string(src.length) +
                                         " and " + std::to_string(dst.length));
  }
  expect_disjoint(env, {dst, "dst"}, {{src, "src"}});
  const std::int64_t rows = dst.length / cols;
  const std::int64_t src_rows = src.length / cols;
  return valued([=] {
    const double start = offset.get();
    if (!(start >= 0.0) || std::floor(start) != start || start + static_cast<double>(rows) > static_cast<double>(src_rows)) {
      return std::numeric_limits<double>::quiet_NaN();
    }
    std::memcpy(dst.data, src.data + static_cast<std::int64_t>(start) * cols,
                static_cast<std::size_t>(dst.length) * sizeof(float));
    return 1.0;
  });
}

// copyInto(dst, src, offset) -> 1, or NaN: dst[offset ... offset + src.length) = src. For a
// plan's steps, offset is a plan input (each step's place in a buffer of many steps), checked
// when the kernel runs: one out of range gives NaN, before anything is written.
KernelCall copy_into_binding(const Args& info) {
  expect_arg_count(info, 3, "copyInto");
  const FloatSpan dst = float_array(info, 0, "dst");
  const FloatSpan src = float_array(info, 1, "src");
  const NumberArg offset = number_arg(info, 2, "offset");
  expect_disjoint(info.Env(), {dst, "dst"}, {{src, "src"}});
  return valued([=] {
    const double start = offset.get();
    if (!(start >= 0.0) || std::floor(start) != start ||
        start + static_cast<double>(src.length) > static_cast<double>(dst.length)) {
      return std::numeric_limits<double>::quiet_NaN();
    }
    std::memcpy(dst.data + static_cast<std::int64_t>(start), src.data,
                static_cast<std::size_t>(src.length) * sizeof(float));
    return 1.0;
  });
}

// copy(dst, src): dst = src, two Float32Arrays of one length (a layer that passes its input on).
KernelCall copy_binding(const Args& info) {
  expect_arg_count(info, 2, "copy");
  const FloatSpan dst = float_array(info, 0, "dst");
  const FloatSpan src = float_array(info, 1, "src");
  expect_length(info.Env(), dst, src.length, 1, "dst (as long as src)");
  expect_disjoint(info.Env(), {dst, "dst"}, {{src, "src"}});
  return work([=] {
    std::memcpy(dst.data, src.data, static_cast<std::size_t>(src.length) * sizeof(float));
  });
}

}  // namespace

void register_data(Napi::Env env, Napi::Object exports) {
  bind_kernel(env, exports, "gatherRows", gather_rows_binding);
  bind_kernel(env, exports, "copyRowsAt", copy_rows_at_binding);
  bind_kernel(env, exports, "copy", copy_binding);
  bind_kernel(env, exports, "copyInto", copy_into_binding);
}

}  // namespace myelin::binding
