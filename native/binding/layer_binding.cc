// Bindings for the stateful layers (batch normalization, dropout, noise, normalization) and the
// native random generator.
#include <napi.h>

#include <cmath>
#include <string>

#include "../kernels/batch_norm.h"
#include "../kernels/dropout_noise.h"
#include "../kernels/random.h"
#include "args.h"
#include "bindings.h"
#include "elementwise_binding.h"
#include "kernel_call.h"

namespace myelin::binding {

namespace {

// The generator state shared with lib/random.ts: a Uint32Array of exactly four words.
std::uint32_t* generator_state(const Args& info, std::size_t index) {
  const IndexSpan state = index_array(info, index, "state");
  if (state.length != 4) {
    throw Napi::RangeError::New(
        info.Env(), "Expected state to hold the generator's 4 words but its length is " +
                        std::to_string(state.length));
  }
  return state.data;
}

// A finite number that stays finite as a float (the kernels take float parameters).
float finite_float(const Args& info, std::size_t index, const char* name) {
  const double d = finite_number(info, index, name);
  if (!std::isfinite(static_cast<float>(d))) {
    throw Napi::RangeError::New(info.Env(),
                                std::string("Expected a number within float range for ") + name +
                                    " but received " + std::to_string(d));
  }
  return static_cast<float>(d);
}

// randomFillUniform(state, dst, low, high): dst uniform in [low, high), low <= high.
KernelCall random_fill_uniform_binding(const Args& info) {
  expect_arg_count(info, 4, "randomFillUniform");
  std::uint32_t* state = generator_state(info, 0);
  const FloatSpan dst = float_array(info, 1, "dst");
  const float low = finite_float(info, 2, "low");
  const float high = finite_float(info, 3, "high");
  if (!(low <= high)) {
    throw Napi::RangeError::New(info.Env(), "Expected low <= high but received low " +
                                                std::to_string(low) + " and high " +
                                                std::to_string(high));
  }
  return work([=] { fill_uniform(dst.data, state, low, high, dst.length); });
}

// randomFillNormal(state, dst, mean, stddev): dst ~ N(mean, stddev^2), stddev >= 0.
KernelCall random_fill_normal_binding(const Args& info) {
  expect_arg_count(info, 4, "randomFillNormal");
  std::uint32_t* state = generator_state(info, 0);
  const FloatSpan dst = float_array(info, 1, "dst");
  const float mean = finite_float(info, 2, "mean");
  const float stddev = finite_float(info, 3, "stddev");
  if (!(stddev >= 0.0f)) {
    throw Napi::RangeError::New(info.Env(),
                                "Expected stddev >= 0 but received " + std::to_string(stddev));
  }
  return work([=] { fill_normal(dst.data, state, mean, stddev, dst.length); });
}

// randomFillDropoutMask(state, dst, rate): dst[i] = 1 / (1 - rate) with probability 1 - rate, else
// 0.
KernelCall random_fill_dropout_mask_binding(const Args& info) {
  expect_arg_count(info, 3, "randomFillDropoutMask");
  std::uint32_t* state = generator_state(info, 0);
  const FloatSpan dst = float_array(info, 1, "dst");
  const double rate = finite_number(info, 2, "rate");
  if (!(rate >= 0.0 && rate < 1.0)) {
    throw Napi::RangeError::New(info.Env(),
                                "Expected rate in [0, 1) but received " + std::to_string(rate));
  }
  return work([=] { fill_dropout_mask(dst.data, state, rate, dst.length); });
}

// randomShuffle(state, values): values (a Uint32Array) shuffled in place, uniformly.
KernelCall random_shuffle_binding(const Args& info) {
  expect_arg_count(info, 2, "randomShuffle");
  std::uint32_t* state = generator_state(info, 0);
  const IndexSpan values = index_array(info, 1, "values");
  if (values.data < state + 4 && state < values.data + values.length) {
    throw Napi::RangeError::New(info.Env(), "Expected values and state to be separate memory but they overlap");
  }
  return work([=] { shuffle(values.data, state, values.length); });
}

// Throws RangeError unless the span, when given, holds exactly `count` floats.
void expect_optional_length(const Napi::Env& env, const FloatSpan& span, int count,
                            const char* name) {
  if (span.present) expect_length(env, span, 1, count, name);
}

// epsilon > 0 (added to a variance or flooring a deviation, in double).
double positive_epsilon(const Args& info, std::size_t index) {
  const double epsilon = finite_number(info, index, "epsilon");
  if (!(epsilon > 0.0)) {
    throw Napi::RangeError::New(info.Env(),
                                "Expected epsilon > 0 but received " + std::to_string(epsilon));
  }
  return epsilon;
}

// batchNormForwardTrain(y, xhat, invStd, movingMean, movingVar, x, gamma?, beta?, momentum,
// epsilon, n, units): batch statistics, moving statistics updated in place.
KernelCall batch_norm_forward_train_binding(const Args& info) {
  expect_arg_count(info, 12, "batchNormForwardTrain");
  const FloatSpan y = float_array(info, 0, "y");
  const FloatSpan xhat = float_array(info, 1, "xhat");
  const FloatSpan inv_std = float_array(info, 2, "invStd");
  const FloatSpan moving_mean = float_array(info, 3, "movingMean");
  const FloatSpan moving_var = float_array(info, 4, "movingVar");
  const FloatSpan x = float_array(info, 5, "x");
  const FloatSpan gamma = optional_float_array(info, 6, "gamma");
  const FloatSpan beta = optional_float_array(info, 7, "beta");
  const double momentum = finite_number(info, 8, "momentum");
  const double epsilon = positive_epsilon(info, 9);
  const int n = dimension(info, 10, "n");
  const int units = dimension(info, 11, "units");
  Napi::Env env = info.Env();
  if (!(momentum >= 0.0 && momentum <= 1.0)) {
    throw Napi::RangeError::New(
        env, "Expected momentum in [0, 1] but received " + std::to_string(momentum));
  }
  if (n == 0) throw Napi::RangeError::New(env, "Expected n >= 1: batch statistics need a sample");
  expect_length(env, x, n, units, "x (n x units)");
  expect_length(env, y, n, units, "y (n x units)");
  expect_length(env, xhat, n, units, "xhat (n x units)");
  expect_length(env, inv_std, 1, units, "invStd (units)");
  expect_length(env, moving_mean, 1, units, "movingMean (units)");
  expect_length(env, moving_var, 1, units, "movingVar (units)");
  expect_optional_length(env, gamma, units, "gamma (units)");
  expect_optional_length(env, beta, units, "beta (units)");
  const std::initializer_list<Named> read = {{x, "x"}, {gamma, "gamma"}, {beta, "beta"}};
  for (const Named& out : {Named{y, "y"}, Named{xhat, "xhat"}, Named{inv_std, "invStd"},
                           Named{moving_mean, "movingMean"}, Named{moving_var, "movingVar"}}) {
    expect_disjoint(env, out, read);
  }
  expect_disjoint(env, {y, "y"}, {{xhat, "xhat"}, {inv_std, "invStd"}, {moving_mean, "movingMean"}, {moving_var, "movingVar"}});
  expect_disjoint(env, {xhat, "xhat"}, {{inv_std, "invStd"}, {moving_mean, "movingMean"}, {moving_var, "movingVar"}});
  expect_disjoint(env, {inv_std, "invStd"}, {{moving_mean, "movingMean"}, {moving_var, "movingVar"}});
  expect_disjoint(env, {moving_mean, "movingMean"}, {{moving_var, "movingVar"}});
  return work([=] {
    batch_norm_forward_train(y.data, xhat.data, inv_std.data, moving_mean.data, moving_var.data,
                             x.data, gamma.data, beta.data, momentum, epsilon, n, units);
  });
}

// batchNormForwardInfer(y, x, gamma?, beta?, movingMean, movingVar, epsilon, n, units).
KernelCall batch_norm_forward_infer_binding(const Args& info) {
  expect_arg_count(info, 9, "batchNormForwardInfer");
  const FloatSpan y = float_array(info, 0, "y");
  const FloatSpan x = float_array(info, 1, "x");
  const FloatSpan gamma = optional_float_array(info, 2, "gamma");
  const FloatSpan beta = optional_float_array(info, 3, "beta");
  const FloatSpan moving_mean = float_array(info, 4, "movingMean");
  const FloatSpan moving_var = float_array(info, 5, "movingVar");
  const double epsilon = positive_epsilon(info, 6);
  const int n = dimension(info, 7, "n");
  const int units = dimension(info, 8, "units");
  Napi::Env env = info.Env();
  expect_length(env, x, n, units, "x (n x units)");
  expect_length(env, y, n, units, "y (n x units)");
  expect_length(env, moving_mean, 1, units, "movingMean (units)");
  expect_length(env, moving_var, 1, units, "movingVar (units)");
  expect_optional_length(env, gamma, units, "gamma (units)");
  expect_optional_length(env, beta, units, "beta (units)");
  expect_disjoint(env, {y, "y"}, {{x, "x"}}, InPlace::allowed);
  expect_disjoint(env, {y, "y"}, {{gamma, "gamma"}, {beta, "beta"}, {moving_mean, "movingMean"}, {moving_var, "movingVar"}});
  return work([=] {
    batch_norm_forward_infer(y.data, x.data, gamma.data, beta.data, moving_mean.data,
                             moving_var.data, epsilon, n, units);
  });
}

// batchNormBackward(dx?, dgamma?, dbeta?, dy, xhat, invStd, gamma?, n, units): overwrites.
KernelCall batch_norm_backward_binding(const Args& info) {
  expect_arg_count(info, 9, "batchNormBackward");
  const FloatSpan dx = optional_float_array(info, 0, "dx");
  const FloatSpan dgamma = optional_float_array(info, 1, "dgamma");
  const FloatSpan dbeta = optional_float_array(info, 2, "dbeta");
  const FloatSpan dy = float_array(info, 3, "dy");
  const FloatSpan xhat = float_array(info, 4, "xhat");
  const FloatSpan inv_std = float_array(info, 5, "invStd");
  const FloatSpan gamma = optional_float_array(info, 6, "gamma");
  const int n = dimension(info, 7, "n");
  const int units = dimension(info, 8, "units");
  Napi::Env env = info.Env();
  expect_length(env, dy, n, units, "dy (n x units)");
  expect_length(env, xhat, n, units, "xhat (n x units)");
  if (dx.present) expect_length(env, dx, n, units, "dx (n x units)");
  expect_length(env, inv_std, 1, units, "invStd (units)");
  expect_optional_length(env, dgamma, units, "dgamma (units)");
  expect_optional_length(env, dbeta, units, "dbeta (units)");
  expect_optional_length(env, gamma, units, "gamma (units)");
  const std::initializer_list<Named> read = {{dy, "dy"}, {xhat, "xhat"}, {inv_std, "invStd"}, {gamma, "gamma"}};
  expect_disjoint(env, {dx, "dx"}, read);
  expect_disjoint(env, {dgamma, "dgamma"}, read);
  expect_disjoint(env, {dbeta, "dbeta"}, read);
  expect_disjoint(env, {dx, "dx"}, {{dgamma, "dgamma"}, {dbeta, "dbeta"}});
  expect_disjoint(env, {dgamma, "dgamma"}, {{dbeta, "dbeta"}});
  return work([=] {
    batch_norm_backward(dx.data, dgamma.data, dbeta.data, dy.data, xhat.data, inv_std.data,
                        gamma.data, n, units);
  });
}

// batchNormBackwardInfer(dx, dy, gamma?, movingVar, epsilon, n, units): a frozen layer's backward.
KernelCall batch_norm_backward_infer_binding(const Args& info) {
  expect_arg_count(info, 7, "batchNormBackwardInfer");
  const FloatSpan dx = float_array(info, 0, "dx");
  const FloatSpan dy = float_array(info, 1, "dy");
  const FloatSpan gamma = optional_float_array(info, 2, "gamma");
  const FloatSpan moving_var = float_array(info, 3, "movingVar");
  const double epsilon = positive_epsilon(info, 4);
  const int n = dimension(info, 5, "n");
  const int units = dimension(info, 6, "units");
  Napi::Env env = info.Env();
  expect_length(env, dx, n, units, "dx (n x units)");
  expect_length(env, dy, n, units, "dy (n x units)");
  expect_optional_length(env, gamma, units, "gamma (units)");
  expect_length(env, moving_var, 1, units, "movingVar (units)");
  expect_disjoint(env, {dx, "dx"}, {{dy, "dy"}}, InPlace::allowed);
  expect_disjoint(env, {dx, "dx"}, {{gamma, "gamma"}, {moving_var, "movingVar"}});
  return work([=] {
    batch_norm_backward_infer(dx.data, dy.data, gamma.data, moving_var.data, epsilon, n, units);
  });
}

// standardizeForward(y, x, mean, variance, epsilon, n, units).
KernelCall standardize_forward_binding(const Args& info) {
  expect_arg_count(info, 7, "standardizeForward");
  const FloatSpan y = float_array(info, 0, "y");
  const FloatSpan x = float_array(info, 1, "x");
  const FloatSpan mean = float_array(info, 2, "mean");
  const FloatSpan variance = float_array(info, 3, "variance");
  const double epsilon = positive_epsilon(info, 4);
  const int n = dimension(info, 5, "n");
  const int units = dimension(info, 6, "units");
  Napi::Env env = info.Env();
  expect_length(env, x, n, units, "x (n x units)");
  expect_length(env, y, n, units, "y (n x units)");
  expect_length(env, mean, 1, units, "mean (units)");
  expect_length(env, variance, 1, units, "variance (units)");
  expect_disjoint(env, {y, "y"}, {{x, "x"}}, InPlace::allowed);
  expect_disjoint(env, {y, "y"}, {{mean, "mean"}, {variance, "variance"}});
  return work([=] {
    standardize_forward(y.data, x.data, mean.data, variance.data, epsilon, n, units);
  });
}

// standardizeBackward(dx, dy, variance, epsilon, n, units).
KernelCall standardize_backward_binding(const Args& info) {
  expect_arg_count(info, 6, "standardizeBackward");
  const FloatSpan dx = float_array(info, 0, "dx");
  const FloatSpan dy = float_array(info, 1, "dy");
  const FloatSpan variance = float_array(info, 2, "variance");
  const double epsilon = positive_epsilon(info, 3);
  const int n = dimension(info, 4, "n");
  const int units = dimension(info, 5, "units");
  Napi::Env env = info.Env();
  expect_length(env, dy, n, units, "dy (n x units)");
  expect_length(env, dx, n, units, "dx (n x units)");
  expect_length(env, variance, 1, units, "variance (units)");
  expect_disjoint(env, {dx, "dx"}, {{dy, "dy"}}, InPlace::allowed);
  expect_disjoint(env, {dx, "dx"}, {{variance, "variance"}});
  return work([=] {
    standardize_backward(dx.data, dy.data, variance.data, epsilon, n, units);
  });
}

}  // namespace

void register_layers(Napi::Env env, Napi::Object exports) {
  bind_kernel(env, exports, "randomFillUniform", random_fill_uniform_binding);
  bind_kernel(env, exports, "randomFillNormal", random_fill_normal_binding);
  bind_kernel(env, exports, "randomFillDropoutMask", random_fill_dropout_mask_binding);
  bind_kernel(env, exports, "randomShuffle", random_shuffle_binding);
  bind_kernel(env, exports, "batchNormForwardTrain", batch_norm_forward_train_binding);
  bind_kernel(env, exports, "batchNormForwardInfer", batch_norm_forward_infer_binding);
  bind_kernel(env, exports, "batchNormBackward", batch_norm_backward_binding);
  bind_kernel(env, exports, "batchNormBackwardInfer", batch_norm_backward_infer_binding);
  bind_kernel(env, exports, "standardizeForward", standardize_forward_binding);
  bind_kernel(env, exports, "standardizeBackward", standardize_backward_binding);
  bind_kernel(env, exports, "multiplyElementwise", elementwise_binding<multiply_elementwise>);
  bind_kernel(env, exports, "addElementwise", elementwise_binding<add_elementwise>);
}

}  // namespace myelin::binding
