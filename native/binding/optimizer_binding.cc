// Bindings for the optimizer updates (every slot arena must have the parameters' length) and the
// reductions over arenas that guard them. A slot that an option does not use is passed as null.
// Each step returns 1 when applied and NaN when refused (a value would be non-finite; nothing
// was written), through dispatch_scalar: while a program is recorded, the index of its scalar,
// which guardFinite then stops the program at, as at a loss that is not finite. The arrays of a
// step must not share memory: every one is read and most are written.
#include <napi.h>

#include <cmath>
#include <limits>
#include <string>

#include "../kernels/optimizers.h"
#include "../kernels/reductions.h"
#include "args.h"
#include "bindings.h"
#include "program.h"

namespace myelin::binding {

namespace {

// A Float32Array as long as params.
FloatSpan slot(const Napi::CallbackInfo& info, std::size_t index, const char* name,
               const FloatSpan& params) {
  const FloatSpan span = float_array(info, index, name);
  expect_length(info.Env(), span, params.length, 1, (std::string(name) + " (as long as params)").c_str());
  return span;
}

// A Float32Array as long as params when the option needs it (`required`), else absent (its
// data null) whatever was passed.
FloatSpan optional_slot(const Napi::CallbackInfo& info, std::size_t index, const char* name,
                        const FloatSpan& params, bool required, const char* option) {
  const FloatSpan span = optional_float_array(info, index, name);
  if (!required) return FloatSpan{};
  if (!span.present) {
    throw Napi::TypeError::New(info.Env(), std::string("Expected a Float32Array for ") + name +
                                               " when " + option + " but received null");
  }
  expect_length(info.Env(), span, params.length, 1, (std::string(name) + " (as long as params)").c_str());
  return span;
}

// A decay rate in [0, 1) (beta1, beta2, rho).
float decay_rate(const Napi::CallbackInfo& info, std::size_t index, const char* name) {
  const double value = finite_number(info, index, name);
  if (!(value >= 0.0 && value < 1.0)) {
    throw Napi::RangeError::New(info.Env(), std::string("Expected a number in [0, 1) for ") + name +
                                                " but received " + std::to_string(value));
  }
  return static_cast<float>(value);
}

// t, the update's number counted from 1.
std::int64_t step_number(const Napi::CallbackInfo& info, std::size_t index) {
  const double step = finite_number(info, index, "step");
  if (step < 1.0 || std::floor(step) != step) {
    throw Napi::RangeError::New(info.Env(), "Expected a positive integer for step but received " +
                                                std::to_string(step));
  }
  return static_cast<std::int64_t>(step);
}

float number(const Napi::CallbackInfo& info, std::size_t index, const char* name) {
  return static_cast<float>(finite_number(info, index, name));
}

// A step's outcome as the scalar JS receives (lib/backend.ts, StepOutcome): 1 applied, NaN
// refused.
double outcome(bool applied) { return applied ? 1.0 : std::numeric_limits<double>::quiet_NaN(); }

// sgdStep(params, velocity | null, grads, lr, momentum, nesterov)
Napi::Value sgd_step_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 6, "sgdStep");
  const FloatSpan params = float_array(info, 0, "params");
  const FloatSpan grads = slot(info, 2, "grads", params);
  const float lr = number(info, 3, "learningRate");
  const float momentum = number(info, 4, "momentum");
  const bool nesterov = boolean(info, 5, "nesterov");
  const FloatSpan velocity =
      optional_slot(info, 1, "velocity", params, momentum != 0.0f, "momentum is not 0");
  expect_all_disjoint(info.Env(), {{params, "params"}, {velocity, "velocity"}, {grads, "grads"}});
  return dispatch_scalar(info, [=] {
    return outcome(
        sgd_step(params.data, velocity.data, grads.data, params.length, lr, momentum, nesterov));
  });
}

// adagradStep(params, accumulator, grads, lr, epsilon)
Napi::Value adagrad_step_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 5, "adagradStep");
  const FloatSpan params = float_array(info, 0, "params");
  const FloatSpan accumulator = slot(info, 1, "accumulator", params);
  const FloatSpan grads = slot(info, 2, "grads", params);
  const float lr = number(info, 3, "learningRate");
  const float epsilon = number(info, 4, "epsilon");
  expect_all_disjoint(info.Env(), {{params, "params"}, {accumulator, "accumulator"}, {grads, "grads"}});
  return dispatch_scalar(info, [=] {
    return outcome(
        adagrad_step(params.data, accumulator.data, grads.data, params.length, lr, epsilon));
  });
}

// adadeltaStep(params, accumGrad, accumDelta, grads, lr, rho, epsilon)
Napi::Value adadelta_step_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 7, "adadeltaStep");
  const FloatSpan params = float_array(info, 0, "params");
  const FloatSpan accum_grad = slot(info, 1, "accumGrad", params);
  const FloatSpan accum_delta = slot(info, 2, "accumDelta", params);
  const FloatSpan grads = slot(info, 3, "grads", params);
  const float lr = number(info, 4, "learningRate");
  const float rho = decay_rate(info, 5, "rho");
  const float epsilon = number(info, 6, "epsilon");
  expect_all_disjoint(info.Env(), {{params, "params"}, {accum_grad, "accumGrad"}, {accum_delta, "accumDelta"}, {grads, "grads"}});
  return dispatch_scalar(info, [=] {
    return outcome(adadelta_step(params.data, accum_grad.data, accum_delta.data, grads.data,
                                 params.length, lr, rho, epsilon));
  });
}

// rmspropStep(params, velocity, momentumSlot | null, average | null, grads, lr, rho, momentum,
//             epsilon); a present average means centered
Napi::Value rmsprop_step_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 9, "rmspropStep");
  const FloatSpan params = float_array(info, 0, "params");
  const FloatSpan velocity = slot(info, 1, "velocity", params);
  const FloatSpan grads = slot(info, 4, "grads", params);
  const float lr = number(info, 5, "learningRate");
  const float rho = decay_rate(info, 6, "rho");
  const float momentum = number(info, 7, "momentum");
  const float epsilon = number(info, 8, "epsilon");
  const FloatSpan mom = optional_slot(info, 2, "momentumSlot", params, momentum != 0.0f,
                                      "momentum is not 0");
  const bool centered = optional_float_array(info, 3, "average").present;
  const FloatSpan average = optional_slot(info, 3, "average", params, centered, "centered");
  expect_all_disjoint(info.Env(), {{params, "params"}, {velocity, "velocity"}, {mom, "momentumSlot"}, {average, "average"}, {grads, "grads"}});
  return dispatch_scalar(info, [=] {
    return outcome(rmsprop_step(params.data, velocity.data, mom.data, average.data, grads.data,
                                params.length, lr, rho, momentum, epsilon));
  });
}

// adamStep(params, m, v, vHat | null, grads, lr, beta1, beta2, epsilon, weightDecay, step);
// a present vHat means amsgrad
Napi::Value adam_step_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 11, "adamStep");
  const FloatSpan params = float_array(info, 0, "params");
  const FloatSpan m = slot(info, 1, "m", params);
  const FloatSpan v = slot(info, 2, "v", params);
  const bool amsgrad = optional_float_array(info, 3, "vHat").present;
  const FloatSpan v_hat = optional_slot(info, 3, "vHat", params, amsgrad, "amsgrad");
  const FloatSpan grads = slot(info, 4, "grads", params);
  const float lr = number(info, 5, "learningRate");
  const float beta1 = decay_rate(info, 6, "beta1");
  const float beta2 = decay_rate(info, 7, "beta2");
  const float epsilon = number(info, 8, "epsilon");
  const float weight_decay = number(info, 9, "weightDecay");
  const std::int64_t step = step_number(info, 10);
  expect_all_disjoint(info.Env(), {{params, "params"}, {m, "m"}, {v, "v"}, {v_hat, "vHat"}, {grads, "grads"}});
  return dispatch_scalar(info, [=] {
    return outcome(adam_step(params.data, m.data, v.data, v_hat.data, grads.data, params.length, lr,
                             beta1, beta2, epsilon, weight_decay, step));
  });
}

// What adamaxStep and nadamStep both take first: (params, m, second, grads, lr, beta1, beta2,
// epsilon, step), `second` being Adamax's u or Nadam's v.
struct MomentArgs {
  FloatSpan params, m, second, grads;
  float lr, beta1, beta2, epsilon;
  std::int64_t step;
};

MomentArgs moment_args(const Napi::CallbackInfo& info, const char* second) {
  const FloatSpan params = float_array(info, 0, "params");
  const MomentArgs a{params,
                     slot(info, 1, "m", params),
                     slot(info, 2, second, params),
                     slot(info, 3, "grads", params),
                     number(info, 4, "learningRate"),
                     decay_rate(info, 5, "beta1"),
                     decay_rate(info, 6, "beta2"),
                     number(info, 7, "epsilon"),
                     step_number(info, 8)};
  expect_all_disjoint(info.Env(), {{a.params, "params"}, {a.m, "m"}, {a.second, second}, {a.grads, "grads"}});
  return a;
}

// adamaxStep(params, m, u, grads, lr, beta1, beta2, epsilon, step)
Napi::Value adamax_step_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 9, "adamaxStep");
  const MomentArgs a = moment_args(info, "u");
  return dispatch_scalar(info, [=] {
    return outcome(adamax_step(a.params.data, a.m.data, a.second.data, a.grads.data,
                               a.params.length, a.lr, a.beta1, a.beta2, a.epsilon, a.step));
  });
}

// nadamStep(params, m, v, grads, lr, beta1, beta2, epsilon, step, uProduct)
Napi::Value nadam_step_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 10, "nadamStep");
  const MomentArgs a = moment_args(info, "v");
  const double u_product = finite_number(info, 9, "uProduct");
  if (!(u_product >= 0.0 && u_product < 1.0)) {
    throw Napi::RangeError::New(info.Env(),
                                "Expected a number in [0, 1) for uProduct but received " +
                                    std::to_string(u_product));
  }
  return dispatch_scalar(info, [=] {
    return outcome(nadam_step(a.params.data, a.m.data, a.second.data, a.grads.data,
                              a.params.length, a.lr, a.beta1, a.beta2, a.epsilon, a.step,
                              u_product));
  });
}

// sumOfSquares(values) -> number; not finite when any value is not
Napi::Value sum_of_squares_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 1, "sumOfSquares");
  const FloatSpan values = float_array(info, 0, "values");
  return dispatch_scalar(info, [=] { return sum_of_squares(values.data, values.length); });
}

}  // namespace

void register_optimizers(Napi::Env env, Napi::Object exports) {
  exports.Set("sgdStep", Napi::Function::New(env, sgd_step_binding, "sgdStep"));
  exports.Set("adagradStep", Napi::Function::New(env, adagrad_step_binding, "adagradStep"));
  exports.Set("adadeltaStep", Napi::Function::New(env, adadelta_step_binding, "adadeltaStep"));
  exports.Set("rmspropStep", Napi::Function::New(env, rmsprop_step_binding, "rmspropStep"));
  exports.Set("adamStep", Napi::Function::New(env, adam_step_binding, "adamStep"));
  exports.Set("adamaxStep", Napi::Function::New(env, adamax_step_binding, "adamaxStep"));
  exports.Set("nadamStep", Napi::Function::New(env, nadam_step_binding, "nadamStep"));
  exports.Set("sumOfSquares", Napi::Function::New(env, sum_of_squares_binding, "sumOfSquares"));
}

}  // namespace myelin::binding
