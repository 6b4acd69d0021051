// Bindings for gradient clipping, weight regularizers and weight constraints.
#include <napi.h>

#include <string>
#include <vector>

#include "../kernels/clipping.h"
#include "../kernels/constraints.h"
#include "../kernels/regularizers.h"
#include "args.h"
#include "bindings.h"
#include "kernel_call.h"

namespace myelin::binding {

namespace {

// A finite number >= 0 (0 turns a clipping bound off).
float non_negative(const Args& info, std::size_t index, const char* name) {
  const double value = finite_number(info, index, name);
  if (value < 0.0) {
    throw Napi::RangeError::New(info.Env(), std::string("Expected a number >= 0 for ") + name +
                                                " but received " + std::to_string(value));
  }
  return static_cast<float>(value);
}

// clipGradients(grads, segments, clipNorm, globalClipNorm, clipValue); a bound of 0 is off.
KernelCall clip_gradients_binding(const Args& info) {
  expect_arg_count(info, 5, "clipGradients");
  Napi::Env env = info.Env();
  const FloatSpan grads = float_array(info, 0, "grads");
  const IndexSpan segments = index_array(info, 1, "segments");
  const float clip_norm = non_negative(info, 2, "clipNorm");
  const float global_clip_norm = non_negative(info, 3, "globalClipNorm");
  const float clip_value = non_negative(info, 4, "clipValue");
  if (clip_norm > 0.0f && global_clip_norm > 0.0f) {
    throw Napi::RangeError::New(env, "Expected at most one of clipNorm and globalClipNorm");
  }
  if (segments.length < 1 || segments.data[0] != 0 ||
      segments.data[segments.length - 1] != grads.length) {
    throw Napi::RangeError::New(env, "Expected segments to start at 0 and end at the length of grads (" +
                                         std::to_string(grads.length) + ")");
  }
  for (std::int64_t i = 1; i < segments.length; ++i) {
    if (segments.data[i] < segments.data[i - 1]) {
      throw Napi::RangeError::New(env, "Expected non-decreasing segments but segments[" +
                                           std::to_string(i) + "] is below segments[" +
                                           std::to_string(i - 1) + "]");
    }
  }
  // A recorded clip runs later: it takes the segments as checked, not as JS may leave them.
  std::vector<std::uint32_t> bounds(segments.data, segments.data + segments.length);
  return work([=, bounds = std::move(bounds)] {
    clip_gradients(grads.data, bounds.data(), static_cast<std::int64_t>(bounds.size()) - 1,
                   clip_norm, global_clip_norm, clip_value);
  });
}

// regularize(grads | null, values, l1, l2, scale) -> penalty; grads accumulates the gradient
KernelCall regularize_binding(const Args& info) {
  expect_arg_count(info, 5, "regularize");
  const FloatSpan grads = optional_float_array(info, 0, "grads");
  const FloatSpan values = float_array(info, 1, "values");
  if (grads.present) expect_length(info.Env(), grads, values.length, 1, "grads (as long as values)");
  expect_disjoint(info.Env(), {grads, "grads"}, {{values, "values"}});
  const float l1 = non_negative(info, 2, "l1");
  const float l2 = non_negative(info, 3, "l2");
  const float scale = static_cast<float>(finite_number(info, 4, "scale"));
  return valued([=] {
    return regularize_accum(grads.present ? grads.data : nullptr, values.data, values.length, l1,
                            l2, scale);
  });
}

// minMaxNorm(w, rows, cols, axis, minValue, maxValue, rate)
KernelCall min_max_norm_binding(const Args& info) {
  expect_arg_count(info, 7, "minMaxNorm");
  Napi::Env env = info.Env();
  const FloatSpan w = float_array(info, 0, "w");
  const int rows = dimension(info, 1, "rows");
  const int cols = dimension(info, 2, "cols");
  expect_length(env, w, rows, cols, "w (rows x cols)");
  const int axis = dimension(info, 3, "axis");
  if (axis > 1) {
    throw Napi::RangeError::New(env, "Expected 0 or 1 for axis but received " + std::to_string(axis));
  }
  const float min_value = non_negative(info, 4, "minValue");
  const float max_value = non_negative(info, 5, "maxValue");
  const float rate = non_negative(info, 6, "rate");
  if (min_value > max_value || rate > 1.0f) {
    throw Napi::RangeError::New(env, "Expected minValue <= maxValue and rate in [0, 1]");
  }
  return work([=] {
    min_max_norm(w.data, rows, cols, axis, min_value, max_value, rate);
  });
}

// nonNeg(w)
KernelCall non_neg_binding(const Args& info) {
  expect_arg_count(info, 1, "nonNeg");
  const FloatSpan w = float_array(info, 0, "w");
  return work([=] { non_neg(w.data, w.length); });
}

}  // namespace

void register_regularization(Napi::Env env, Napi::Object exports) {
  bind_kernel(env, exports, "clipGradients", clip_gradients_binding);
  bind_kernel(env, exports, "regularize", regularize_binding);
  bind_kernel(env, exports, "minMaxNorm", min_max_norm_binding);
  bind_kernel(env, exports, "nonNeg", non_neg_binding);
}

}  // namespace myelin::binding
