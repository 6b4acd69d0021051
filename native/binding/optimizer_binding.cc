// Bindings for the optimizer updates (every slot arena must have the parameters' length) and the
// reductions over arenas that guard them. A slot that an option does not use is passed as null,
// both its arrays.
// Each slot is two arrays (optimizers.h): the step reads `...In` and writes `...Out`, so a refused
// step leaves the ins as they were; the caller makes the outs current only when it was applied.
// The step overwrites grads with the old parameters (the gradient is dead once read), applied
// or refused.
// Each step returns 1 when applied and NaN when refused (a value would be non-finite; params and
// the slots' ins keep their bits), through dispatch_scalar: while a program is recorded, the
// index of its scalar, which guardFinite then stops the program at, as at a loss that is not
// finite. The arrays of a step must not share memory, a slot's in and out included: every one is
// read or written while the others are.
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

// A slot's two arrays: `out`, which the step writes, and `in`, which it reads.
struct SlotArrays {
  FloatSpan out, in;
};

// The two arrays of a slot, at out_index and in_index, as long as params.
SlotArrays slot_arrays(const Napi::CallbackInfo& info, std::size_t out_index,
                       std::size_t in_index, const char* out_name, const char* in_name,
                       const FloatSpan& params) {
  return {slot(info, out_index, out_name, params), slot(info, in_index, in_name, params)};
}

// The two arrays of a slot that only an option uses: both required when it is on, both absent
// when it is off.
SlotArrays optional_slot_arrays(const Napi::CallbackInfo& info, std::size_t out_index,
                                std::size_t in_index, const char* out_name, const char* in_name,
                                const FloatSpan& params, bool required, const char* option) {
  return {optional_slot(info, out_index, out_name, params, required, option),
          optional_slot(info, in_index, in_name, params, required, option)};
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

// sgdStep(params, grads, velocityOut | null, velocityIn | null, lr, momentum, nesterov)
Napi::Value sgd_step_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 7, "sgdStep");
  const FloatSpan params = float_array(info, 0, "params");
  const FloatSpan grads = slot(info, 1, "grads", params);
  const float lr = number(info, 4, "learningRate");
  const float momentum = number(info, 5, "momentum");
  const bool nesterov = boolean(info, 6, "nesterov");
  const SlotArrays velocity = optional_slot_arrays(info, 2, 3, "velocityOut", "velocityIn", params,
                                                   momentum != 0.0f, "momentum is not 0");
  expect_all_disjoint(info.Env(), {{params, "params"}, {grads, "grads"}, {velocity.out, "velocityOut"}, {velocity.in, "velocityIn"}});
  return dispatch_scalar(info, [=] {
    return outcome(sgd_step(params.data, grads.data, velocity.out.data, velocity.in.data,
                            params.length, lr, momentum, nesterov));
  });
}

// adagradStep(params, grads, accumulatorOut, accumulatorIn, lr, epsilon)
Napi::Value adagrad_step_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 6, "adagradStep");
  const FloatSpan params = float_array(info, 0, "params");
  const FloatSpan grads = slot(info, 1, "grads", params);
  const SlotArrays accumulator =
      slot_arrays(info, 2, 3, "accumulatorOut", "accumulatorIn", params);
  const float lr = number(info, 4, "learningRate");
  const float epsilon = number(info, 5, "epsilon");
  expect_all_disjoint(info.Env(), {{params, "params"}, {grads, "grads"}, {accumulator.out, "accumulatorOut"}, {accumulator.in, "accumulatorIn"}});
  return dispatch_scalar(info, [=] {
    return outcome(adagrad_step(params.data, grads.data, accumulator.out.data,
                                accumulator.in.data, params.length, lr, epsilon));
  });
}

// adadeltaStep(params, grads, accumGradOut, accumDeltaOut, accumGradIn, accumDeltaIn, lr, rho,
//              epsilon)
Napi::Value adadelta_step_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 9, "adadeltaStep");
  const FloatSpan params = float_array(info, 0, "params");
  const FloatSpan grads = slot(info, 1, "grads", params);
  const SlotArrays accum_grad = slot_arrays(info, 2, 4, "accumGradOut", "accumGradIn", params);
  const SlotArrays accum_delta = slot_arrays(info, 3, 5, "accumDeltaOut", "accumDeltaIn", params);
  const float lr = number(info, 6, "learningRate");
  const float rho = decay_rate(info, 7, "rho");
  const float epsilon = number(info, 8, "epsilon");
  expect_all_disjoint(info.Env(), {{params, "params"}, {grads, "grads"}, {accum_grad.out, "accumGradOut"}, {accum_delta.out, "accumDeltaOut"}, {accum_grad.in, "accumGradIn"}, {accum_delta.in, "accumDeltaIn"}});
  return dispatch_scalar(info, [=] {
    return outcome(adadelta_step(params.data, grads.data, accum_grad.out.data,
                                 accum_delta.out.data, accum_grad.in.data, accum_delta.in.data,
                                 params.length, lr, rho, epsilon));
  });
}

// rmspropStep(params, grads, velocityOut, momentumOut | null, averageOut | null, velocityIn,
//             momentumIn | null, averageIn | null, lr, rho, momentum, epsilon); a present
// averageIn means centered
Napi::Value rmsprop_step_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 12, "rmspropStep");
  const FloatSpan params = float_array(info, 0, "params");
  const FloatSpan grads = slot(info, 1, "grads", params);
  const SlotArrays velocity = slot_arrays(info, 2, 5, "velocityOut", "velocityIn", params);
  const float lr = number(info, 8, "learningRate");
  const float rho = decay_rate(info, 9, "rho");
  const float momentum = number(info, 10, "momentum");
  const float epsilon = number(info, 11, "epsilon");
  const SlotArrays mom = optional_slot_arrays(info, 3, 6, "momentumOut", "momentumIn", params,
                                              momentum != 0.0f, "momentum is not 0");
  const bool centered = optional_float_array(info, 7, "averageIn").present;
  const SlotArrays average = optional_slot_arrays(info, 4, 7, "averageOut", "averageIn", params,
                                                  centered, "centered");
  expect_all_disjoint(info.Env(), {{params, "params"}, {grads, "grads"}, {velocity.out, "velocityOut"}, {mom.out, "momentumOut"}, {average.out, "averageOut"}, {velocity.in, "velocityIn"}, {mom.in, "momentumIn"}, {average.in, "averageIn"}});
  return dispatch_scalar(info, [=] {
    return outcome(rmsprop_step(params.data, grads.data, velocity.out.data, mom.out.data,
                                average.out.data, velocity.in.data, mom.in.data, average.in.data,
                                params.length, lr, rho, momentum, epsilon));
  });
}

// adamStep(params, grads, mOut, vOut, vHatOut | null, mIn, vIn, vHatIn | null, lr, beta1, beta2,
//          epsilon, weightDecay, step); a present vHatIn means amsgrad
Napi::Value adam_step_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 14, "adamStep");
  const FloatSpan params = float_array(info, 0, "params");
  const FloatSpan grads = slot(info, 1, "grads", params);
  const SlotArrays m = slot_arrays(info, 2, 5, "mOut", "mIn", params);
  const SlotArrays v = slot_arrays(info, 3, 6, "vOut", "vIn", params);
  const bool amsgrad = optional_float_array(info, 7, "vHatIn").present;
  const SlotArrays v_hat =
      optional_slot_arrays(info, 4, 7, "vHatOut", "vHatIn", params, amsgrad, "amsgrad");
  const float lr = number(info, 8, "learningRate");
  const float beta1 = decay_rate(info, 9, "beta1");
  const float beta2 = decay_rate(info, 10, "beta2");
  const float epsilon = number(info, 11, "epsilon");
  const float weight_decay = number(info, 12, "weightDecay");
  const std::int64_t step = step_number(info, 13);
  expect_all_disjoint(info.Env(), {{params, "params"}, {grads, "grads"}, {m.out, "mOut"}, {v.out, "vOut"}, {v_hat.out, "vHatOut"}, {m.in, "mIn"}, {v.in, "vIn"}, {v_hat.in, "vHatIn"}});
  return dispatch_scalar(info, [=] {
    return outcome(adam_step(params.data, grads.data, m.out.data, v.out.data, v_hat.out.data,
                             m.in.data, v.in.data, v_hat.in.data, params.length, lr, beta1, beta2,
                             epsilon, weight_decay, step));
  });
}

// What adamaxStep and nadamStep both take first: (params, grads, mOut, secondOut, mIn, secondIn,
// lr, beta1, beta2, epsilon, step), `second` being Adamax's u or Nadam's v.
struct MomentArgs {
  FloatSpan params, grads;
  SlotArrays m, second;
  float lr, beta1, beta2, epsilon;
  std::int64_t step;
};

MomentArgs moment_args(const Napi::CallbackInfo& info, const char* second_out,
                       const char* second_in) {
  const FloatSpan params = float_array(info, 0, "params");
  const MomentArgs a{params,
                     slot(info, 1, "grads", params),
                     slot_arrays(info, 2, 4, "mOut", "mIn", params),
                     slot_arrays(info, 3, 5, second_out, second_in, params),
                     number(info, 6, "learningRate"),
                     decay_rate(info, 7, "beta1"),
                     decay_rate(info, 8, "beta2"),
                     number(info, 9, "epsilon"),
                     step_number(info, 10)};
  expect_all_disjoint(info.Env(), {{a.params, "params"}, {a.grads, "grads"}, {a.m.out, "mOut"}, {a.second.out, second_out}, {a.m.in, "mIn"}, {a.second.in, second_in}});
  return a;
}

// adamaxStep(params, grads, mOut, uOut, mIn, uIn, lr, beta1, beta2, epsilon, step)
Napi::Value adamax_step_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 11, "adamaxStep");
  const MomentArgs a = moment_args(info, "uOut", "uIn");
  return dispatch_scalar(info, [=] {
    return outcome(adamax_step(a.params.data, a.grads.data, a.m.out.data, a.second.out.data,
                               a.m.in.data, a.second.in.data, a.params.length, a.lr, a.beta1,
                               a.beta2, a.epsilon, a.step));
  });
}

// nadamStep(params, grads, mOut, vOut, mIn, vIn, lr, beta1, beta2, epsilon, step, uProduct)
Napi::Value nadam_step_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 12, "nadamStep");
  const MomentArgs a = moment_args(info, "vOut", "vIn");
  const double u_product = finite_number(info, 11, "uProduct");
  if (!(u_product >= 0.0 && u_product < 1.0)) {
    throw Napi::RangeError::New(info.Env(),
                                "Expected a number in [0, 1) for uProduct but received " +
                                    std::to_string(u_product));
  }
  return dispatch_scalar(info, [=] {
    return outcome(nadam_step(a.params.data, a.grads.data, a.m.out.data, a.second.out.data,
                              a.m.in.data, a.second.in.data, a.params.length, a.lr, a.beta1,
                              a.beta2, a.epsilon, a.step, u_product));
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
