// Bindings for the loss kernels (native/kernels/losses.h).
#include <napi.h>

#include <cmath>
#include <limits>
#include <sstream>
#include <string>

#include "../kernels/losses.h"
#include "args.h"
#include "bindings.h"
#include "kernel_call.h"

namespace myelin::binding {

namespace {

// labels are (n, c) targets, or (n) class indices for the sparse variants.
enum class Labels { dense, sparse };

// Class indices must be integers in [0, classes): the kernels index rows with them.
// The index of the first label that is not a class index below `classes`, or -1.
std::int64_t first_bad_class_index(const FloatSpan& labels, int classes) {
  for (std::int64_t i = 0; i < labels.length; ++i) {
    const float label = labels.data[i];
    if (!(label >= 0.0f) || label >= static_cast<float>(classes) || std::floor(label) != label) {
      return i;
    }
  }
  return -1;
}

void expect_class_indices(const Napi::Env& env, const FloatSpan& labels, int classes) {
  const std::int64_t i = first_bad_class_index(labels, classes);
  if (i >= 0) {
    throw Napi::RangeError::New(env, "Expected class indices (integers from 0 to " +
                                         std::to_string(classes - 1) + ") in labels but labels[" +
                                         std::to_string(i) + "] is " +
                                         std::to_string(labels.data[i]));
  }
}

// A recorded loss runs after its labels were checked, and JS may have changed them meanwhile: a
// sparse kernel indexes rows by them, so it checks them again and reports NaN rather than read
// out of bounds.
bool labels_still_valid(const FloatSpan& labels, int classes, Labels kind) {
  return kind == Labels::dense || first_bad_class_index(labels, classes) < 0;
}

// The loss kernels share one calling convention:
//   fused (from logits):  fn(probs, dlogits | null, logits, labels, weights | null, n, c, labelSmoothing)
//   on outputs:           fn(dpred | null, pred, labels, weights | null, n, c[, parameter])
// weights are (n).

using FusedLoss = double (*)(float*, float*, const float*, const float*, const float*, int, int,
                             double);
using OutputLoss = double (*)(float*, const float*, const float*, const float*, int, int);
using OutputLossWith = double (*)(float*, const float*, const float*, const float*, int, int,
                                  double);

// The scalar a loss takes (label smoothing, Huber's delta) and the interval it must lie in.
struct Parameter {
  const char* name;
  double min;
  double max;
  bool min_inclusive;
};

constexpr Parameter kLabelSmoothing{"labelSmoothing", 0.0, 1.0, true};
constexpr Parameter kDelta{"delta", 0.0, INFINITY, false};

// A number as JS would print it for these ranges: 0, 1, 1.5 rather than 0.000000.
std::string format(double value) {
  std::ostringstream out;
  out << value;
  return out.str();
}

double parameter(const Args& info, std::size_t index, const Parameter& p) {
  const double value = finite_number(info, index, p.name);
  if ((p.min_inclusive ? value < p.min : value <= p.min) || value > p.max) {
    const std::string interval = std::isinf(p.max)
                                     ? (p.min_inclusive ? ">= " : "> ") + format(p.min)
                                     : "in [" + format(p.min) + ", " + format(p.max) + "]";
    throw Napi::RangeError::New(info.Env(), "Expected a number " + interval + " for " + p.name +
                                                " but received " + format(value));
  }
  return value;
}

void check_labels(const Napi::Env& env, const FloatSpan& labels, int n, int c, Labels kind) {
  if (kind == Labels::sparse) {
    expect_length(env, labels, n, 1, "labels (n class indices)");
    expect_class_indices(env, labels, c);
  } else {
    expect_length(env, labels, n, c, "labels (n x c)");
  }
}

void check_weights(const Napi::Env& env, const FloatSpan& weights, int n) {
  if (weights.present) expect_length(env, weights, n, 1, "weights (n)");
}

KernelCall fused_loss(const Args& info, const char* name, FusedLoss fn,
                       Labels kind) {
  expect_arg_count(info, 8, name);
  const FloatSpan probs = float_array(info, 0, "probs");
  const FloatSpan dlogits = optional_float_array(info, 1, "dlogits");
  const FloatSpan logits = float_array(info, 2, "logits");
  const FloatSpan labels = float_array(info, 3, "labels");
  const FloatSpan weights = optional_float_array(info, 4, "weights");
  const int n = dimension(info, 5, "n");
  const int c = dimension(info, 6, "c");
  const double smoothing = parameter(info, 7, kLabelSmoothing);
  Napi::Env env = info.Env();
  expect_length(env, probs, n, c, "probs (n x c)");
  if (dlogits.present) expect_length(env, dlogits, n, c, "dlogits (n x c)");
  expect_length(env, logits, n, c, "logits (n x c)");
  check_labels(env, labels, n, c, kind);
  check_weights(env, weights, n);
  // A row's logits are all read before its probabilities and gradient are written: either may
  // be the logits' own array, but no other overlap.
  expect_disjoint(env, {probs, "probs"}, {{logits, "logits"}}, InPlace::allowed);
  expect_disjoint(env, {dlogits, "dlogits"}, {{logits, "logits"}}, InPlace::allowed);
  expect_disjoint(env, {probs, "probs"}, {{dlogits, "dlogits"}, {labels, "labels"}, {weights, "weights"}});
  expect_disjoint(env, {dlogits, "dlogits"}, {{labels, "labels"}, {weights, "weights"}});
  return valued([=] {
    if (!labels_still_valid(labels, c, kind)) return std::numeric_limits<double>::quiet_NaN();
    return fn(probs.data, dlogits.data, logits.data, labels.data, weights.data, n, c, smoothing);
  });
}

// The buffers every loss on outputs takes, checked; the parameter (if any) is argument 6.
struct OutputArgs {
  FloatSpan dpred, pred, labels, weights;
  int n, c;
};

OutputArgs output_args(const Args& info, std::size_t count, const char* name,
                       Labels kind) {
  expect_arg_count(info, count, name);
  OutputArgs a{optional_float_array(info, 0, "dpred"), float_array(info, 1, "pred"),
               float_array(info, 2, "labels"), optional_float_array(info, 3, "weights"),
               dimension(info, 4, "n"), dimension(info, 5, "c")};
  Napi::Env env = info.Env();
  if (a.dpred.present) expect_length(env, a.dpred, a.n, a.c, "dpred (n x c)");
  expect_length(env, a.pred, a.n, a.c, "pred (n x c)");
  check_labels(env, a.labels, a.n, a.c, kind);
  check_weights(env, a.weights, a.n);
  expect_disjoint(env, {a.dpred, "dpred"}, {{a.pred, "pred"}, {a.labels, "labels"}, {a.weights, "weights"}});
  return a;
}

}  // namespace

void register_losses(Napi::Env env, Napi::Object exports) {
  const auto fused = [&](const char* name, FusedLoss fn, Labels kind) {
    bind_kernel(env, exports, name, [name, fn, kind](const Args& info) {
      return fused_loss(info, name, fn, kind);
    });
  };
  fused("softmaxCrossEntropy", softmax_cross_entropy, Labels::dense);
  fused("softmaxCrossEntropySparse", softmax_cross_entropy_sparse, Labels::sparse);
  fused("sigmoidBinaryCrossEntropy", sigmoid_binary_cross_entropy, Labels::dense);

  const auto on_outputs = [&](const char* name, OutputLoss fn) {
    bind_kernel(env, exports, name, [name, fn](const Args& info) {
      const OutputArgs a = output_args(info, 6, name, Labels::dense);
      return valued([=] {
        return fn(a.dpred.data, a.pred.data, a.labels.data, a.weights.data, a.n, a.c);
      });
    });
  };
  on_outputs("meanSquaredError", mean_squared_error);
  on_outputs("meanAbsoluteError", mean_absolute_error);
  on_outputs("logCosh", log_cosh);
  on_outputs("hinge", hinge);
  on_outputs("squaredHinge", squared_hinge);
  on_outputs("kullbackLeiblerDivergence", kullback_leibler_divergence);

  const auto on_outputs_with = [&](const char* name, OutputLossWith fn, Labels kind,
                                   const Parameter& p) {
    bind_kernel(env, exports, name, [name, fn, kind, p](const Args& info) {
      const OutputArgs a = output_args(info, 7, name, kind);
      const double value = parameter(info, 6, p);
      return valued([=] {
        if (!labels_still_valid(a.labels, a.c, kind)) {
          return std::numeric_limits<double>::quiet_NaN();
        }
        return fn(a.dpred.data, a.pred.data, a.labels.data, a.weights.data, a.n, a.c, value);
      });
    });
  };
  on_outputs_with("binaryCrossEntropy", binary_cross_entropy, Labels::dense, kLabelSmoothing);
  on_outputs_with("categoricalCrossEntropy", categorical_cross_entropy, Labels::dense,
                  kLabelSmoothing);
  on_outputs_with("sparseCategoricalCrossEntropy", sparse_categorical_cross_entropy,
                  Labels::sparse, kLabelSmoothing);
  on_outputs_with("huber", huber, Labels::dense, kDelta);
}

}  // namespace myelin::binding
