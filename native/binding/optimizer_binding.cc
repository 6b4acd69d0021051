// Bindings for the optimizer updates (every arena must have the parameters' length) and the
// reductions over arenas that guard them.
#include <napi.h>

#include <cmath>
#include <string>

#include "../kernels/optimizers.h"
#include "../kernels/reductions.h"
#include "args.h"
#include "bindings.h"

namespace myelin::binding {

namespace {

void expect_same_length(const Napi::Env& env, const FloatSpan& span, const FloatSpan& params,
                        const char* name) {
  expect_length(env, span, params.length, 1, name);
}

// sgdStep(params, velocity | null, grads, lr, momentum)
Napi::Value sgd_step_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 5, "sgdStep");
  const FloatSpan params = float_array(info, 0, "params");
  const FloatSpan velocity = optional_float_array(info, 1, "velocity");
  const FloatSpan grads = float_array(info, 2, "grads");
  const double lr = finite_number(info, 3, "learningRate");
  const double momentum = finite_number(info, 4, "momentum");
  Napi::Env env = info.Env();
  expect_same_length(env, grads, params, "grads (as long as params)");
  if (momentum != 0.0) {
    if (!velocity.present) {
      throw Napi::TypeError::New(env, "Expected a Float32Array for velocity when momentum is " +
                                          std::to_string(momentum) + " but received null");
    }
    expect_same_length(env, velocity, params, "velocity (as long as params)");
  }
  sgd_step(params.data, velocity.data, grads.data, params.length, static_cast<float>(lr),
           static_cast<float>(momentum));
  return env.Undefined();
}

// adamStep(params, m, v, grads, lr, beta1, beta2, epsilon, step)
Napi::Value adam_step_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 9, "adamStep");
  const FloatSpan params = float_array(info, 0, "params");
  const FloatSpan m = float_array(info, 1, "m");
  const FloatSpan v = float_array(info, 2, "v");
  const FloatSpan grads = float_array(info, 3, "grads");
  const double lr = finite_number(info, 4, "learningRate");
  const double beta1 = finite_number(info, 5, "beta1");
  const double beta2 = finite_number(info, 6, "beta2");
  const double epsilon = finite_number(info, 7, "epsilon");
  const double step = finite_number(info, 8, "step");
  Napi::Env env = info.Env();
  expect_same_length(env, m, params, "m (as long as params)");
  expect_same_length(env, v, params, "v (as long as params)");
  expect_same_length(env, grads, params, "grads (as long as params)");
  if (!(beta1 >= 0.0 && beta1 < 1.0) || !(beta2 >= 0.0 && beta2 < 1.0)) {
    throw Napi::RangeError::New(env, "Expected beta1 and beta2 in [0, 1) but received " +
                                         std::to_string(beta1) + " and " + std::to_string(beta2));
  }
  if (step < 1.0 || std::floor(step) != step) {
    throw Napi::RangeError::New(env, "Expected a positive integer for step but received " +
                                         std::to_string(step));
  }
  adam_step(params.data, m.data, v.data, grads.data, params.length, static_cast<float>(lr),
            static_cast<float>(beta1), static_cast<float>(beta2), static_cast<float>(epsilon),
            static_cast<std::int64_t>(step));
  return env.Undefined();
}

// sumOfSquares(values) -> number; not finite when any value is not
Napi::Value sum_of_squares_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 1, "sumOfSquares");
  const FloatSpan values = float_array(info, 0, "values");
  return Napi::Number::New(info.Env(), sum_of_squares(values.data, values.length));
}

}  // namespace

void register_optimizers(Napi::Env env, Napi::Object exports) {
  exports.Set("sgdStep", Napi::Function::New(env, sgd_step_binding, "sgdStep"));
  exports.Set("adamStep", Napi::Function::New(env, adam_step_binding, "adamStep"));
  exports.Set("sumOfSquares", Napi::Function::New(env, sum_of_squares_binding, "sumOfSquares"));
}

}  // namespace myelin::binding
