// Bindings for the optimizer updates (every slot arena must have the parameters' length) and the
// reductions over arenas that guard them. A slot that an option does not use is passed as null,
// both its arrays.
// Each slot is two arrays (optimizers.h): the step reads `...In` and writes `...Out`, so a refused
// step leaves the ins as they were; the caller makes the outs current only when it was applied.
// The step overwrites grads with the old parameters (the gradient is dead once read), applied
// or refused.
// Each step returns 1 when applied and NaN when refused (a value would be non-finite; params and
// the slots' ins keep their bits): in a plan, a guardFinite on it stops the step there, as at a
// loss that is not finite. The arrays of a step must not share memory, a slot's in and out
// included: every one is read or written while the others are.
// In a plan, the numbers that change from one step to the next (the learning rate, the step t,
// Nadam's u product) may be plan inputs, and a last argument `swap` (a plan input, 0 or 1) says
// to use each slot's two arrays the other way round: the ins of one step are the outs of the
// step before. A plan input out of its range refuses the step, as a value that is not finite.
#include <napi.h>

#include <cmath>
#include <limits>
#include <string>

#include "../kernels/optimizers.h"
#include "../kernels/reductions.h"
#include "args.h"
#include "bindings.h"
#include "kernel_call.h"

namespace myelin::binding {

namespace {

// A Float32Array as long as params.
FloatSpan slot(const Args& info, std::size_t index, const char* name,
               const FloatSpan& params) {
  const FloatSpan span = float_array(info, index, name);
  expect_length(info.Env(), span, params.length, 1, (std::string(name) + " (as long as params)").c_str());
  return span;
}

// A Float32Array as long as params when the option needs it (`required`), else absent (its
// data null) whatever was passed.
FloatSpan optional_slot(const Args& info, std::size_t index, const char* name,
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

  // The arrays as a step uses them: as given, or swapped.
  SlotArrays as(bool swapped) const { return swapped ? SlotArrays{in, out} : *this; }
};

// The two arrays of a slot, at out_index and in_index, as long as params.
SlotArrays slot_arrays(const Args& info, std::size_t out_index,
                       std::size_t in_index, const char* out_name, const char* in_name,
                       const FloatSpan& params) {
  return {slot(info, out_index, out_name, params), slot(info, in_index, in_name, params)};
}

// The two arrays of a slot that only an option uses: both required when it is on, both absent
// when it is off.
SlotArrays optional_slot_arrays(const Args& info, std::size_t out_index,
                                std::size_t in_index, const char* out_name, const char* in_name,
                                const FloatSpan& params, bool required, const char* option) {
  return {optional_slot(info, out_index, out_name, params, required, option),
          optional_slot(info, in_index, in_name, params, required, option)};
}

// A decay rate in [0, 1) (beta1, beta2, rho).
float decay_rate(const Args& info, std::size_t index, const char* name) {
  const double value = finite_number(info, index, name);
  if (!(value >= 0.0 && value < 1.0)) {
    throw Napi::RangeError::New(info.Env(), std::string("Expected a number in [0, 1) for ") + name +
                                                " but received " + std::to_string(value));
  }
  return static_cast<float>(value);
}

// t, the update's number counted from 1: a positive integer, else 0 (which refuses the step).
std::int64_t step_value(double step) {
  return step >= 1.0 && step < 9.0e15 && std::floor(step) == step ? static_cast<std::int64_t>(step) : 0;
}

// The step number argument: a positive integer, or a plan input.
NumberArg step_number(const Args& info, std::size_t index) {
  const NumberArg step = number_arg(info, index, "step");
  if (step.input == nullptr && step_value(step.value) == 0) {
    throw Napi::RangeError::New(info.Env(), "Expected a positive integer for step but received " +
                                                std::to_string(step.value));
  }
  return step;
}

// A learning rate: a number >= 0 that float32 holds, or a plan input; at run time one out of
// range is NaN, which refuses the step.
NumberArg learning_rate(const Args& info, std::size_t index) {
  const NumberArg lr = number_arg(info, index, "learningRate");
  if (lr.input == nullptr && !(lr.value >= 0.0 && std::isfinite(static_cast<float>(lr.value)))) {
    throw Napi::RangeError::New(info.Env(), "Expected a number >= 0 that float32 holds for learningRate but received " +
                                                std::to_string(lr.value));
  }
  return lr;
}

float learning_rate_value(const NumberArg& lr) {
  const double value = lr.get();
  return value >= 0.0 ? static_cast<float>(value) : std::numeric_limits<float>::quiet_NaN();
}

float number(const Args& info, std::size_t index, const char* name) {
  return static_cast<float>(finite_number(info, index, name));
}

// The optional last argument `swap` at `index` (a plan input, or 0 or 1); absent, 0.
NumberArg swap_arg(const Args& info, std::size_t index) {
  if (info.Length() <= index) return NumberArg{0.0, nullptr};
  return number_arg(info, index, "swap");
}

// Throws unless the call has `count` arguments, or `count` + 1 with `swap`.
void expect_step_args(const Args& info, std::size_t count, const char* function) {
  expect_arg_count(info, info.Length() == count + 1 ? count + 1 : count, function);
}

// A step's outcome as the scalar JS receives (lib/backend.ts, StepOutcome): 1 applied, NaN
// refused.
double outcome(bool applied) { return applied ? 1.0 : std::numeric_limits<double>::quiet_NaN(); }

// sgdStep(params, grads, velocityOut | null, velocityIn | null, lr, momentum, nesterov)
KernelCall sgd_step_binding(const Args& info) {
  expect_step_args(info, 7, "sgdStep");
  const FloatSpan params = float_array(info, 0, "params");
  const FloatSpan grads = slot(info, 1, "grads", params);
  const NumberArg lr = learning_rate(info, 4);
  const NumberArg swap = swap_arg(info, 7);
  const float momentum = number(info, 5, "momentum");
  const bool nesterov = boolean(info, 6, "nesterov");
  const SlotArrays velocity = optional_slot_arrays(info, 2, 3, "velocityOut", "velocityIn", params,
                                                   momentum != 0.0f, "momentum is not 0");
  expect_all_disjoint(info.Env(), {{params, "params"}, {grads, "grads"}, {velocity.out, "velocityOut"}, {velocity.in, "velocityIn"}});
  return valued([=] {
    const SlotArrays v = velocity.as(swap.get() != 0.0);
    return outcome(sgd_step(params.data, grads.data, v.out.data, v.in.data, params.length,
                            learning_rate_value(lr), momentum, nesterov));
  });
}

// adagradStep(params, grads, accumulatorOut, accumulatorIn, lr, epsilon)
KernelCall adagrad_step_binding(const Args& info) {
  expect_step_args(info, 6, "adagradStep");
  const FloatSpan params = float_array(info, 0, "params");
  const FloatSpan grads = slot(info, 1, "grads", params);
  const SlotArrays accumulator =
      slot_arrays(info, 2, 3, "accumulatorOut", "accumulatorIn", params);
  const NumberArg lr = learning_rate(info, 4);
  const float epsilon = number(info, 5, "epsilon");
  const NumberArg swap = swap_arg(info, 6);
  expect_all_disjoint(info.Env(), {{params, "params"}, {grads, "grads"}, {accumulator.out, "accumulatorOut"}, {accumulator.in, "accumulatorIn"}});
  return valued([=] {
    const SlotArrays a = accumulator.as(swap.get() != 0.0);
    return outcome(adagrad_step(params.data, grads.data, a.out.data, a.in.data, params.length,
                                learning_rate_value(lr), epsilon));
  });
}

// adadeltaStep(params, grads, accumGradOut, accumDeltaOut, accumGradIn, accumDeltaIn, lr, rho,
//              epsilon)
KernelCall adadelta_step_binding(const Args& info) {
  expect_step_args(info, 9, "adadeltaStep");
  const FloatSpan params = float_array(info, 0, "params");
  const FloatSpan grads = slot(info, 1, "grads", params);
  const SlotArrays accum_grad = slot_arrays(info, 2, 4, "accumGradOut", "accumGradIn", params);
  const SlotArrays accum_delta = slot_arrays(info, 3, 5, "accumDeltaOut", "accumDeltaIn", params);
  const NumberArg lr = learning_rate(info, 6);
  const float rho = decay_rate(info, 7, "rho");
  const float epsilon = number(info, 8, "epsilon");
  const NumberArg swap = swap_arg(info, 9);
  expect_all_disjoint(info.Env(), {{params, "params"}, {grads, "grads"}, {accum_grad.out, "accumGradOut"}, {accum_delta.out, "accumDeltaOut"}, {accum_grad.in, "accumGradIn"}, {accum_delta.in, "accumDeltaIn"}});
  return valued([=] {
    const bool swapped = swap.get() != 0.0;
    const SlotArrays g = accum_grad.as(swapped), d = accum_delta.as(swapped);
    return outcome(adadelta_step(params.data, grads.data, g.out.data, d.out.data, g.in.data,
                                 d.in.data, params.length, learning_rate_value(lr), rho, epsilon));
  });
}

// rmspropStep(params, grads, velocityOut, momentumOut | null, averageOut | null, velocityIn,
//             momentumIn | null, averageIn | null, lr, rho, momentum, epsilon); a present
// averageIn means centered
KernelCall rmsprop_step_binding(const Args& info) {
  expect_step_args(info, 12, "rmspropStep");
  const FloatSpan params = float_array(info, 0, "params");
  const FloatSpan grads = slot(info, 1, "grads", params);
  const SlotArrays velocity = slot_arrays(info, 2, 5, "velocityOut", "velocityIn", params);
  const NumberArg lr = learning_rate(info, 8);
  const float rho = decay_rate(info, 9, "rho");
  const float momentum = number(info, 10, "momentum");
  const float epsilon = number(info, 11, "epsilon");
  const NumberArg swap = swap_arg(info, 12);
  const SlotArrays mom = optional_slot_arrays(info, 3, 6, "momentumOut", "momentumIn", params,
                                              momentum != 0.0f, "momentum is not 0");
  const bool centered = optional_float_array(info, 7, "averageIn").present;
  const SlotArrays average = optional_slot_arrays(info, 4, 7, "averageOut", "averageIn", params,
                                                  centered, "centered");
  expect_all_disjoint(info.Env(), {{params, "params"}, {grads, "grads"}, {velocity.out, "velocityOut"}, {mom.out, "momentumOut"}, {average.out, "averageOut"}, {velocity.in, "velocityIn"}, {mom.in, "momentumIn"}, {average.in, "averageIn"}});
  return valued([=] {
    const bool swapped = swap.get() != 0.0;
    const SlotArrays v = velocity.as(swapped), mo = mom.as(swapped), av = average.as(swapped);
    return outcome(rmsprop_step(params.data, grads.data, v.out.data, mo.out.data, av.out.data,
                                v.in.data, mo.in.data, av.in.data, params.length,
                                learning_rate_value(lr), rho, momentum, epsilon));
  });
}

// adamStep(params, grads, mOut, vOut, vHatOut | null, mIn, vIn, vHatIn | null, lr, beta1, beta2,
//          epsilon, weightDecay, step); a present vHatIn means amsgrad
KernelCall adam_step_binding(const Args& info) {
  expect_step_args(info, 14, "adamStep");
  const FloatSpan params = float_array(info, 0, "params");
  const FloatSpan grads = slot(info, 1, "grads", params);
  const SlotArrays m = slot_arrays(info, 2, 5, "mOut", "mIn", params);
  const SlotArrays v = slot_arrays(info, 3, 6, "vOut", "vIn", params);
  const bool amsgrad = optional_float_array(info, 7, "vHatIn").present;
  const SlotArrays v_hat =
      optional_slot_arrays(info, 4, 7, "vHatOut", "vHatIn", params, amsgrad, "amsgrad");
  const NumberArg lr = learning_rate(info, 8);
  const float beta1 = decay_rate(info, 9, "beta1");
  const float beta2 = decay_rate(info, 10, "beta2");
  const float epsilon = number(info, 11, "epsilon");
  const float weight_decay = number(info, 12, "weightDecay");
  const NumberArg step = step_number(info, 13);
  const NumberArg swap = swap_arg(info, 14);
  expect_all_disjoint(info.Env(), {{params, "params"}, {grads, "grads"}, {m.out, "mOut"}, {v.out, "vOut"}, {v_hat.out, "vHatOut"}, {m.in, "mIn"}, {v.in, "vIn"}, {v_hat.in, "vHatIn"}});
  return valued([=] {
    const std::int64_t t = step_value(step.get());
    if (t == 0) return outcome(false);
    const bool swapped = swap.get() != 0.0;
    const SlotArrays m1 = m.as(swapped), v1 = v.as(swapped), vh = v_hat.as(swapped);
    return outcome(adam_step(params.data, grads.data, m1.out.data, v1.out.data, vh.out.data,
                             m1.in.data, v1.in.data, vh.in.data, params.length,
                             learning_rate_value(lr), beta1, beta2, epsilon, weight_decay, t));
  });
}

// What adamaxStep and nadamStep both take first: (params, grads, mOut, secondOut, mIn, secondIn,
// lr, beta1, beta2, epsilon, step), `second` being Adamax's u or Nadam's v.
struct MomentArgs {
  FloatSpan params, grads;
  SlotArrays m, second;
  NumberArg lr;
  float beta1, beta2, epsilon;
  NumberArg step, swap;
};

MomentArgs moment_args(const Args& info, const char* second_out,
                       const char* second_in) {
  const FloatSpan params = float_array(info, 0, "params");
  const MomentArgs a{params,
                     slot(info, 1, "grads", params),
                     slot_arrays(info, 2, 4, "mOut", "mIn", params),
                     slot_arrays(info, 3, 5, second_out, second_in, params),
                     learning_rate(info, 6),
                     decay_rate(info, 7, "beta1"),
                     decay_rate(info, 8, "beta2"),
                     number(info, 9, "epsilon"),
                     step_number(info, 10),
                     NumberArg{0.0, nullptr}};
  expect_all_disjoint(info.Env(), {{a.params, "params"}, {a.grads, "grads"}, {a.m.out, "mOut"}, {a.second.out, second_out}, {a.m.in, "mIn"}, {a.second.in, second_in}});
  return a;
}

// adamaxStep(params, grads, mOut, uOut, mIn, uIn, lr, beta1, beta2, epsilon, step)
KernelCall adamax_step_binding(const Args& info) {
  expect_step_args(info, 11, "adamaxStep");
  MomentArgs a = moment_args(info, "uOut", "uIn");
  a.swap = swap_arg(info, 11);
  return valued([=] {
    const std::int64_t t = step_value(a.step.get());
    if (t == 0) return outcome(false);
    const bool swapped = a.swap.get() != 0.0;
    const SlotArrays m = a.m.as(swapped), u = a.second.as(swapped);
    return outcome(adamax_step(a.params.data, a.grads.data, m.out.data, u.out.data, m.in.data,
                               u.in.data, a.params.length, learning_rate_value(a.lr), a.beta1,
                               a.beta2, a.epsilon, t));
  });
}

// nadamStep(params, grads, mOut, vOut, mIn, vIn, lr, beta1, beta2, epsilon, step, uProduct)
KernelCall nadam_step_binding(const Args& info) {
  expect_step_args(info, 12, "nadamStep");
  MomentArgs a = moment_args(info, "vOut", "vIn");
  const NumberArg u_product = number_arg(info, 11, "uProduct");
  if (u_product.input == nullptr && !(u_product.value >= 0.0 && u_product.value < 1.0)) {
    throw Napi::RangeError::New(info.Env(),
                                "Expected a number in [0, 1) for uProduct but received " +
                                    std::to_string(u_product.value));
  }
  a.swap = swap_arg(info, 12);
  return valued([=] {
    const std::int64_t t = step_value(a.step.get());
    const double u = u_product.get();
    if (t == 0 || !(u >= 0.0 && u < 1.0)) return outcome(false);
    const bool swapped = a.swap.get() != 0.0;
    const SlotArrays m = a.m.as(swapped), v = a.second.as(swapped);
    return outcome(nadam_step(a.params.data, a.grads.data, m.out.data, v.out.data, m.in.data,
                              v.in.data, a.params.length, learning_rate_value(a.lr), a.beta1,
                              a.beta2, a.epsilon, t, u));
  });
}

// sumOfSquares(values) -> number; not finite when any value is not
KernelCall sum_of_squares_binding(const Args& info) {
  expect_arg_count(info, 1, "sumOfSquares");
  const FloatSpan values = float_array(info, 0, "values");
  return valued([=] { return sum_of_squares(values.data, values.length); });
}

}  // namespace

void register_optimizers(Napi::Env env, Napi::Object exports) {
  bind_kernel(env, exports, "sgdStep", sgd_step_binding);
  bind_kernel(env, exports, "adagradStep", adagrad_step_binding);
  bind_kernel(env, exports, "adadeltaStep", adadelta_step_binding);
  bind_kernel(env, exports, "rmspropStep", rmsprop_step_binding);
  bind_kernel(env, exports, "adamStep", adam_step_binding);
  bind_kernel(env, exports, "adamaxStep", adamax_step_binding);
  bind_kernel(env, exports, "nadamStep", nadam_step_binding);
  bind_kernel(env, exports, "sumOfSquares", sum_of_squares_binding);
}

}  // namespace myelin::binding
