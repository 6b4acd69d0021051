// Bindings for the layer kernels: Dense forward/backward and the activations.
#include <napi.h>

#include <string>

#include "../kernels/dense.h"
#include "args.h"
#include "bindings.h"

namespace myelin::binding {

namespace {

Activation activation_arg(const Napi::CallbackInfo& info, std::size_t index) {
  const int code = dimension(info, index, "activation");
  if (code >= kActivationCount) {
    throw Napi::RangeError::New(info.Env(), "Expected an activation code below " +
                                                std::to_string(kActivationCount) +
                                                " but received " + std::to_string(code));
  }
  return static_cast<Activation>(code);
}

// denseForward(y, x, w, b | null, n, k, m, activation)
Napi::Value dense_forward_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 8, "denseForward");
  const FloatSpan y = float_array(info, 0, "y");
  const FloatSpan x = float_array(info, 1, "x");
  const FloatSpan w = float_array(info, 2, "w");
  const FloatSpan b = optional_float_array(info, 3, "b");
  const int n = dimension(info, 4, "n");
  const int k = dimension(info, 5, "k");
  const int m = dimension(info, 6, "m");
  const Activation act = activation_arg(info, 7);
  Napi::Env env = info.Env();
  expect_length(env, y, n, m, "y (n x m)");
  expect_length(env, x, n, k, "x (n x k)");
  expect_length(env, w, k, m, "w (k x m)");
  if (b.present) expect_length(env, b, 1, m, "b (m)");
  dense_forward(y.data, x.data, w.data, b.data, n, k, m, act);
  return env.Undefined();
}

// denseBackward(dx | null, dw, db | null, dy, x, w, y, n, k, m, activation)
Napi::Value dense_backward_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 11, "denseBackward");
  const FloatSpan dx = optional_float_array(info, 0, "dx");
  const FloatSpan dw = float_array(info, 1, "dw");
  const FloatSpan db = optional_float_array(info, 2, "db");
  const FloatSpan dy = float_array(info, 3, "dy");
  const FloatSpan x = float_array(info, 4, "x");
  const FloatSpan w = float_array(info, 5, "w");
  const FloatSpan y = float_array(info, 6, "y");
  const int n = dimension(info, 7, "n");
  const int k = dimension(info, 8, "k");
  const int m = dimension(info, 9, "m");
  const Activation act = activation_arg(info, 10);
  Napi::Env env = info.Env();
  if (dx.present) expect_length(env, dx, n, k, "dx (n x k)");
  expect_length(env, dw, k, m, "dw (k x m)");
  if (db.present) expect_length(env, db, 1, m, "db (m)");
  expect_length(env, dy, n, m, "dy (n x m)");
  expect_length(env, x, n, k, "x (n x k)");
  expect_length(env, w, k, m, "w (k x m)");
  expect_length(env, y, n, m, "y (n x m)");
  dense_backward(dx.data, dw.data, db.data, dy.data, x.data, w.data, y.data, n, k, m, act);
  return env.Undefined();
}

// activationForward(y, z, rows, cols, activation)
Napi::Value activation_forward_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 5, "activationForward");
  const FloatSpan y = float_array(info, 0, "y");
  const FloatSpan z = float_array(info, 1, "z");
  const int rows = dimension(info, 2, "rows");
  const int cols = dimension(info, 3, "cols");
  const Activation act = activation_arg(info, 4);
  Napi::Env env = info.Env();
  expect_length(env, y, rows, cols, "y (rows x cols)");
  expect_length(env, z, rows, cols, "z (rows x cols)");
  activation_forward(y.data, z.data, rows, cols, act);
  return env.Undefined();
}

// activationBackward(dz, dy, y, rows, cols, activation)
Napi::Value activation_backward_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 6, "activationBackward");
  const FloatSpan dz = float_array(info, 0, "dz");
  const FloatSpan dy = float_array(info, 1, "dy");
  const FloatSpan y = float_array(info, 2, "y");
  const int rows = dimension(info, 3, "rows");
  const int cols = dimension(info, 4, "cols");
  const Activation act = activation_arg(info, 5);
  Napi::Env env = info.Env();
  expect_length(env, dz, rows, cols, "dz (rows x cols)");
  expect_length(env, dy, rows, cols, "dy (rows x cols)");
  expect_length(env, y, rows, cols, "y (rows x cols)");
  activation_backward(dz.data, dy.data, y.data, rows, cols, act);
  return env.Undefined();
}

}  // namespace

void register_nn(Napi::Env env, Napi::Object exports) {
  exports.Set("denseForward", Napi::Function::New(env, dense_forward_binding, "denseForward"));
  exports.Set("denseBackward", Napi::Function::New(env, dense_backward_binding, "denseBackward"));
  exports.Set("activationForward",
              Napi::Function::New(env, activation_forward_binding, "activationForward"));
  exports.Set("activationBackward",
              Napi::Function::New(env, activation_backward_binding, "activationBackward"));

}

}  // namespace myelin::binding
