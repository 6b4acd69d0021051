// Bindings for the layer kernels: Dense forward/backward, the activations, PReLU (and RReLU).
#include <napi.h>

#include <string>

#include "../kernels/dense.h"
#include "../kernels/parametric_activations.h"
#include "args.h"
#include "bindings.h"
#include "kernel_call.h"

namespace myelin::binding {

namespace {

Activation activation_arg(const Args& info, std::size_t index) {
  const int code = dimension(info, index, "activation");
  if (code >= kActivationCount) {
    throw Napi::RangeError::New(info.Env(), "Expected an activation code below " +
                                                std::to_string(kActivationCount) +
                                                " but received " + std::to_string(code));
  }
  return static_cast<Activation>(code);
}

// alpha >= 0 for every activation: the leakyRelu and elu derivatives are read from y, which is
// only possible when y > 0 exactly where z > 0.
float alpha_arg(const Args& info, std::size_t index) {
  const double alpha = finite_number(info, index, "alpha");
  if (alpha < 0.0) {
    throw Napi::RangeError::New(info.Env(), "Expected a number >= 0 for alpha but received " +
                                                info[index].ToString().Utf8Value());
  }
  return static_cast<float>(alpha);
}

// The pre-activation z, (rows x cols); required when the activation's derivative needs it.
FloatSpan input_arg(const Args& info, std::size_t index, Activation act, int rows,
                    int cols, const char* name, const char* function) {
  const FloatSpan z = optional_float_array(info, index, "z");
  if (z.present) {
    expect_length(info.Env(), z, rows, cols, name);
  } else if (activation_needs_input(act)) {
    throw Napi::TypeError::New(info.Env(), std::string(function) +
                                               " needs the pre-activation z (a Float32Array, " +
                                               name + ") for activation code " +
                                               std::to_string(static_cast<int>(act)) +
                                               ", whose derivative reads z, but received " +
                                               info[index].ToString().Utf8Value());
  }
  return z;
}

// denseForward(y, z | null, x, w, b | null, n, k, m, activation, alpha)
KernelCall dense_forward_binding(const Args& info) {
  expect_arg_count(info, 10, "denseForward");
  const FloatSpan y = float_array(info, 0, "y");
  const FloatSpan x = float_array(info, 2, "x");
  const FloatSpan w = float_array(info, 3, "w");
  const FloatSpan b = optional_float_array(info, 4, "b");
  const int n = dimension(info, 5, "n");
  const int k = dimension(info, 6, "k");
  const int m = dimension(info, 7, "m");
  const Activation act = activation_arg(info, 8);
  const float alpha = alpha_arg(info, 9);
  // z is kept for a backward only: inference passes null whatever the activation.
  const FloatSpan z = optional_float_array(info, 1, "z");
  Napi::Env env = info.Env();
  if (z.present) expect_length(env, z, n, m, "z (n x m)");
  expect_length(env, y, n, m, "y (n x m)");
  expect_length(env, x, n, k, "x (n x k)");
  expect_length(env, w, k, m, "w (k x m)");
  if (b.present) expect_length(env, b, 1, m, "b (m)");
  expect_disjoint(env, {y, "y"}, {{x, "x"}, {w, "w"}, {b, "b"}, {z, "z"}});
  expect_disjoint(env, {z, "z"}, {{x, "x"}, {w, "w"}, {b, "b"}});
  return work([=] {
    dense_forward(y.data, z.data, x.data, w.data, b.data, n, k, m, act, alpha);
  });
}

// denseBackward(dx | null, dw | null, db | null, dy, x, w, z | null, y, n, k, m, activation, alpha):
// dw and db null for a frozen layer, dx null for the first.
KernelCall dense_backward_binding(const Args& info) {
  expect_arg_count(info, 13, "denseBackward");
  const FloatSpan dx = optional_float_array(info, 0, "dx");
  const FloatSpan dw = optional_float_array(info, 1, "dw");
  const FloatSpan db = optional_float_array(info, 2, "db");
  const FloatSpan dy = float_array(info, 3, "dy");
  const FloatSpan x = float_array(info, 4, "x");
  const FloatSpan w = float_array(info, 5, "w");
  const FloatSpan y = float_array(info, 7, "y");
  const int n = dimension(info, 8, "n");
  const int k = dimension(info, 9, "k");
  const int m = dimension(info, 10, "m");
  const Activation act = activation_arg(info, 11);
  const float alpha = alpha_arg(info, 12);
  const FloatSpan z = input_arg(info, 6, act, n, m, "z (n x m)", "denseBackward");
  Napi::Env env = info.Env();
  if (dx.present) expect_length(env, dx, n, k, "dx (n x k)");
  if (dw.present) expect_length(env, dw, k, m, "dw (k x m)");
  if (db.present) expect_length(env, db, 1, m, "db (m)");
  expect_length(env, dy, n, m, "dy (n x m)");
  expect_length(env, x, n, k, "x (n x k)");
  expect_length(env, w, k, m, "w (k x m)");
  expect_length(env, y, n, m, "y (n x m)");
  // dy is read, then overwritten with dL/dz: an output like the three gradients.
  expect_disjoint(env, {dx, "dx"}, {{dw, "dw"}, {db, "db"}, {dy, "dy"}, {x, "x"}, {w, "w"}, {z, "z"}, {y, "y"}});
  expect_disjoint(env, {dw, "dw"}, {{db, "db"}, {dy, "dy"}, {x, "x"}, {w, "w"}, {z, "z"}, {y, "y"}});
  expect_disjoint(env, {db, "db"}, {{dy, "dy"}, {x, "x"}, {w, "w"}, {z, "z"}, {y, "y"}});
  expect_disjoint(env, {dy, "dy"}, {{x, "x"}, {w, "w"}, {z, "z"}, {y, "y"}});
  return work([=] {
    dense_backward(dx.data, dw.data, db.data, dy.data, x.data, w.data, z.data, y.data, n, k, m, act,
                   alpha);
  });
}

// activationForward(y, z, rows, cols, activation, alpha)
KernelCall activation_forward_binding(const Args& info) {
  expect_arg_count(info, 6, "activationForward");
  const FloatSpan y = float_array(info, 0, "y");
  const FloatSpan z = float_array(info, 1, "z");
  const int rows = dimension(info, 2, "rows");
  const int cols = dimension(info, 3, "cols");
  const Activation act = activation_arg(info, 4);
  const float alpha = alpha_arg(info, 5);
  Napi::Env env = info.Env();
  expect_length(env, y, rows, cols, "y (rows x cols)");
  expect_length(env, z, rows, cols, "z (rows x cols)");
  expect_disjoint(env, {y, "y"}, {{z, "z"}}, InPlace::allowed);
  return work([=] { activation_forward(y.data, z.data, rows, cols, act, alpha); });
}

// activationBackward(dz, dy, z | null, y, rows, cols, activation, alpha)
KernelCall activation_backward_binding(const Args& info) {
  expect_arg_count(info, 8, "activationBackward");
  const FloatSpan dz = float_array(info, 0, "dz");
  const FloatSpan dy = float_array(info, 1, "dy");
  const FloatSpan y = float_array(info, 3, "y");
  const int rows = dimension(info, 4, "rows");
  const int cols = dimension(info, 5, "cols");
  const Activation act = activation_arg(info, 6);
  const float alpha = alpha_arg(info, 7);
  const FloatSpan z = input_arg(info, 2, act, rows, cols, "z (rows x cols)", "activationBackward");
  Napi::Env env = info.Env();
  expect_length(env, dz, rows, cols, "dz (rows x cols)");
  expect_length(env, dy, rows, cols, "dy (rows x cols)");
  expect_length(env, y, rows, cols, "y (rows x cols)");
  expect_disjoint(env, {dz, "dz"}, {{dy, "dy"}, {z, "z"}, {y, "y"}}, InPlace::allowed);
  return work([=] {
    activation_backward(dz.data, dy.data, z.data, y.data, rows, cols, act, alpha);
  });
}

// preluForward(y, z, alpha, n, m)
KernelCall prelu_forward_binding(const Args& info) {
  expect_arg_count(info, 5, "preluForward");
  const FloatSpan y = float_array(info, 0, "y");
  const FloatSpan z = float_array(info, 1, "z");
  const FloatSpan alpha = float_array(info, 2, "alpha");
  const int n = dimension(info, 3, "n");
  const int m = dimension(info, 4, "m");
  Napi::Env env = info.Env();
  expect_length(env, y, n, m, "y (n x m)");
  expect_length(env, z, n, m, "z (n x m)");
  expect_length(env, alpha, 1, m, "alpha (m)");
  expect_disjoint(env, {y, "y"}, {{z, "z"}}, InPlace::allowed);
  expect_disjoint(env, {y, "y"}, {{alpha, "alpha"}});
  return work([=] { prelu_forward(y.data, z.data, alpha.data, n, m); });
}

// preluBackward(dz | null, dalpha | null, dy, z, alpha, n, m)
KernelCall prelu_backward_binding(const Args& info) {
  expect_arg_count(info, 7, "preluBackward");
  const FloatSpan dz = optional_float_array(info, 0, "dz");
  const FloatSpan dalpha = optional_float_array(info, 1, "dalpha");
  const FloatSpan dy = float_array(info, 2, "dy");
  const FloatSpan z = float_array(info, 3, "z");
  const FloatSpan alpha = float_array(info, 4, "alpha");
  const int n = dimension(info, 5, "n");
  const int m = dimension(info, 6, "m");
  Napi::Env env = info.Env();
  if (dz.present) expect_length(env, dz, n, m, "dz (n x m)");
  if (dalpha.present) expect_length(env, dalpha, 1, m, "dalpha (m)");
  expect_length(env, dy, n, m, "dy (n x m)");
  expect_length(env, z, n, m, "z (n x m)");
  expect_length(env, alpha, 1, m, "alpha (m)");
  // dalpha is summed from dy before dz is written: dz may be dy itself.
  expect_disjoint(env, {dz, "dz"}, {{dy, "dy"}, {z, "z"}}, InPlace::allowed);
  expect_disjoint(env, {dz, "dz"}, {{dalpha, "dalpha"}, {alpha, "alpha"}});
  expect_disjoint(env, {dalpha, "dalpha"}, {{dy, "dy"}, {z, "z"}, {alpha, "alpha"}});
  return work([=] {
    prelu_backward(dz.data, dalpha.data, dy.data, z.data, alpha.data, n, m);
  });
}

}  // namespace

void register_nn(Napi::Env env, Napi::Object exports) {
  bind_kernel(env, exports, "denseForward", dense_forward_binding);
  bind_kernel(env, exports, "denseBackward", dense_backward_binding);
  bind_kernel(env, exports, "activationForward", activation_forward_binding);
  bind_kernel(env, exports, "activationBackward", activation_backward_binding);
  bind_kernel(env, exports, "preluForward", prelu_forward_binding);
  bind_kernel(env, exports, "preluBackward", prelu_backward_binding);
}

}  // namespace myelin::binding
