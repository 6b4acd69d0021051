// Bindings for the loss kernels (native/kernels/losses.h).
#include <napi.h>

#include <cmath>
#include <string>

#include "../kernels/losses.h"
#include "args.h"
#include "bindings.h"

namespace myelin::binding {

namespace {

// Class indices must be integers in [0, classes): the kernels index rows with them.
void expect_class_indices(const Napi::Env& env, const FloatSpan& labels, int classes) {
  for (std::int64_t i = 0; i < labels.length; ++i) {
    const float label = labels.data[i];
    if (!(label >= 0.0f) || label >= static_cast<float>(classes) || std::floor(label) != label) {
      throw Napi::RangeError::New(env, "Expected class indices (integers from 0 to " +
                                           std::to_string(classes - 1) + ") in labels but labels[" +
                                           std::to_string(i) + "] is " + std::to_string(label));
    }
  }
}

// The loss kernels share one calling convention:
//   fused (from logits):  fn(probs, dlogits | null, logits, labels, n, c) -> loss
//   on outputs:           fn(dpred | null, pred, labels, n, c) -> loss
// labels are (n, c) targets, or (n) class indices for the sparse variants.
enum class Labels { dense, sparse };

using FusedLoss = double (*)(float*, float*, const float*, const float*, int, int);
using OutputLoss = double (*)(float*, const float*, const float*, int, int);

void check_labels(const Napi::Env& env, const FloatSpan& labels, int n, int c, Labels kind) {
  if (kind == Labels::sparse) {
    expect_length(env, labels, n, 1, "labels (n class indices)");
    expect_class_indices(env, labels, c);
  } else {
    expect_length(env, labels, n, c, "labels (n x c)");
  }
}

Napi::Value fused_loss(const Napi::CallbackInfo& info, const char* name, FusedLoss fn,
                       Labels kind) {
  expect_arg_count(info, 6, name);
  const FloatSpan probs = float_array(info, 0, "probs");
  const FloatSpan dlogits = optional_float_array(info, 1, "dlogits");
  const FloatSpan logits = float_array(info, 2, "logits");
  const FloatSpan labels = float_array(info, 3, "labels");
  const int n = dimension(info, 4, "n");
  const int c = dimension(info, 5, "c");
  Napi::Env env = info.Env();
  expect_length(env, probs, n, c, "probs (n x c)");
  if (dlogits.present) expect_length(env, dlogits, n, c, "dlogits (n x c)");
  expect_length(env, logits, n, c, "logits (n x c)");
  check_labels(env, labels, n, c, kind);
  return Napi::Number::New(env, fn(probs.data, dlogits.data, logits.data, labels.data, n, c));
}

Napi::Value output_loss(const Napi::CallbackInfo& info, const char* name, OutputLoss fn,
                        Labels kind) {
  expect_arg_count(info, 5, name);
  const FloatSpan dpred = optional_float_array(info, 0, "dpred");
  const FloatSpan pred = float_array(info, 1, "pred");
  const FloatSpan labels = float_array(info, 2, "labels");
  const int n = dimension(info, 3, "n");
  const int c = dimension(info, 4, "c");
  Napi::Env env = info.Env();
  if (dpred.present) expect_length(env, dpred, n, c, "dpred (n x c)");
  expect_length(env, pred, n, c, "pred (n x c)");
  check_labels(env, labels, n, c, kind);
  return Napi::Number::New(env, fn(dpred.data, pred.data, labels.data, n, c));
}

}  // namespace

void register_losses(Napi::Env env, Napi::Object exports) {
  const auto fused = [&](const char* name, FusedLoss fn, Labels kind) {
    exports.Set(name, Napi::Function::New(
                          env, [name, fn, kind](const Napi::CallbackInfo& info) {
                            return fused_loss(info, name, fn, kind);
                          },
                          name));
  };
  fused("softmaxCrossEntropy", softmax_cross_entropy, Labels::dense);
  fused("softmaxCrossEntropySparse", softmax_cross_entropy_sparse, Labels::sparse);
  fused("sigmoidBinaryCrossEntropy", sigmoid_binary_cross_entropy, Labels::dense);

  const auto on_outputs = [&](const char* name, OutputLoss fn, Labels kind) {
    exports.Set(name, Napi::Function::New(
                          env, [name, fn, kind](const Napi::CallbackInfo& info) {
                            return output_loss(info, name, fn, kind);
                          },
                          name));
  };
  on_outputs("binaryCrossEntropy", binary_cross_entropy, Labels::dense);
  on_outputs("categoricalCrossEntropy", categorical_cross_entropy, Labels::dense);
  on_outputs("sparseCategoricalCrossEntropy", sparse_categorical_cross_entropy, Labels::sparse);
  on_outputs("meanSquaredError", mean_squared_error, Labels::dense);
}

}  // namespace myelin::binding
