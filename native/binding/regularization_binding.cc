// Bindings for gradient clipping, weight regularizers and weight constraints.
#include <napi.h>

#include <string>

#include "../kernels/clipping.h"
#include "../kernels/constraints.h"
#include "../kernels/regularizers.h"
#include "args.h"
#include "bindings.h"

namespace myelin::binding {

namespace {

// A finite number >= 0 (0 turns a clipping bound off).
float non_negative(const Napi::CallbackInfo& info, std::size_t index, const char* name) {
  const double value = finite_number(info, index, name);
  if (value < 0.0) {
    throw Napi::RangeError::New(info.Env(), std::string("Expected a number >= 0 for ") + name +
                                                " but received " + std::to_string(value));
  }
  return static_cast<float>(value);
}

// clipGradients(grads, segments, gradSquares, clipNorm, globalClipNorm, clipValue); a bound of 0
// is off. gradSquares may be NaN or infinite (it is the norm that clipping must carry through).
Napi::Value clip_gradients_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 6, "clipGradients");
  Napi::Env env = info.Env();
  const FloatSpan grads = float_array(info, 0, "grads");
  const IndexSpan segments = index_array(info, 1, "segments");
  if (!info[2].IsNumber()) {
    throw Napi::TypeError::New(env, "Expected a number for gradSquares");
  }
  const double grad_squares = info[2].As<Napi::Number>().DoubleValue();
  const float clip_norm = non_negative(info, 3, "clipNorm");
  const float global_clip_norm = non_negative(info, 4, "globalClipNorm");
  const float clip_value = non_negative(info, 5, "clipValue");
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
  clip_gradients(grads.data, segments.data, segments.length - 1, grad_squares, clip_norm,
                 global_clip_norm, clip_value);
  return env.Undefined();
}

// regularize(grads | null, values, l1, l2, scale) -> penalty; grads accumulates the gradient
Napi::Value regularize_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 5, "regularize");
  const FloatSpan grads = optional_float_array(info, 0, "grads");
  const FloatSpan values = float_array(info, 1, "values");
  if (grads.present) expect_length(info.Env(), grads, values.length, 1, "grads (as long as values)");
  const float l1 = non_negative(info, 2, "l1");
  const float l2 = non_negative(info, 3, "l2");
  const float scale = static_cast<float>(finite_number(info, 4, "scale"));
  return Napi::Number::New(info.Env(), regularize_accum(grads.present ? grads.data : nullptr,
                                                        values.data, values.length, l1, l2, scale));
}

// minMaxNorm(w, rows, cols, axis, minValue, maxValue, rate)
Napi::Value min_max_norm_binding(const Napi::CallbackInfo& info) {
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
  min_max_norm(w.data, rows, cols, axis, min_value, max_value, rate);
  return env.Undefined();
}

// nonNeg(w)
Napi::Value non_neg_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 1, "nonNeg");
  const FloatSpan w = float_array(info, 0, "w");
  non_neg(w.data, w.length);
  return info.Env().Undefined();
}

}  // namespace

void register_regularization(Napi::Env env, Napi::Object exports) {
  exports.Set("clipGradients", Napi::Function::New(env, clip_gradients_binding, "clipGradients"));
  exports.Set("regularize", Napi::Function::New(env, regularize_binding, "regularize"));
  exports.Set("minMaxNorm", Napi::Function::New(env, min_max_norm_binding, "minMaxNorm"));
  exports.Set("nonNeg", Napi::Function::New(env, non_neg_binding, "nonNeg"));
}

}  // namespace myelin::binding
