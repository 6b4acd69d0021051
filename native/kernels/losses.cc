// Losses, each beside its gradient. N = batch, C = outputs per sample; buffers are (N,C) unless
// said otherwise, labels given as rows t or as class indices. w_i is sample i's weight (1 when
// weights is null); the batch value is sum_i w_i L_i / N and gradients are of that value.
// Per sample L_i, with x = pred - t and eps = 1e-7 (keras.backend.epsilon()):
//   softmax cross-entropy:  L = -sum_j t_j log softmax(z)_j = logsumexp(z) sum_j t_j - sum_j t_j z_j
//                           dL/dz_j = softmax(z)_j sum_i t_i - t_j            (stable: z - max z)
//   sigmoid BCE (logits):   mean_j max(z,0) - z t + log(1 + exp(-|z|))        dL/dz = sigmoid(z) - t
//                           (the overflow-free form TensorFlow documents for
//                            sigmoid_cross_entropy_with_logits)
//   BCE (probabilities):    mean_j -(t log p + (1-t) log(1-p)), p clipped to [eps, 1-eps]
//   CCE (probabilities):    q = p / sum p, clipped; L = -sum t log q    (keras.losses.categorical_crossentropy)
//   MSE:                    mean_j x^2
//   MAE:                    mean_j |x|                                  (dL/dx = sign x, 0 at 0)
//   Huber (delta):          mean_j x^2 / 2 if |x| <= delta, else delta |x| - delta^2 / 2   (keras.losses.Huber)
//   log-cosh:               mean_j |x| + log1p(exp(-2|x|)) - log 2      (= log cosh x without overflow; dL/dx = tanh x)
//   hinge:                  mean_j max(1 - t p, 0)                      (keras.losses.hinge)
//   squared hinge:          mean_j max(1 - t p, 0)^2
//   KL divergence:          sum_j t log(t / p), t and p clipped to [eps, 1]   (keras.losses.KLDivergence)
// Label smoothing replaces t before any of the cross-entropies (see losses.h). Gradients are
// zero where a clip is active, as the clipped function is flat there.
#include "losses.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace myelin {

namespace {

using Index = std::ptrdiff_t;

// The clip bounds of probabilities, as float32 values (Keras clips in float32).
constexpr double kLow = kProbabilityEpsilon;
constexpr double kHigh = 1.0f - kProbabilityEpsilon;

// min(max(x, lo), hi), which keeps NaN.
inline double clip(double x, double lo, double hi) { return std::min(std::max(x, lo), hi); }

// What sample r's loss and gradient are multiplied by: its weight over the batch size.
inline double sample_scale(const float* weights, int r, int n) {
  return (weights != nullptr ? static_cast<double>(weights[r]) : 1.0) / n;
}

// The targets of one batch: rows of a target distribution (N,C), or one class index per sample,
// with categorical label smoothing applied.
struct Targets {
  const float* rows;     // (N,C), or null
  const float* classes;  // (N), or null
  int c;
  double smoothing;

  double at(int r, int j) const {
    const double raw = rows != nullptr ? static_cast<double>(rows[static_cast<Index>(r) * c + j])
                                       : (static_cast<int>(classes[r]) == j ? 1.0 : 0.0);
    return (1.0 - smoothing) * raw + smoothing / c;
  }
};

// Softmax cross-entropy of row r. Returns the row's loss; writes probabilities and, when
// dlogits is not null, dL/dz scaled by `scale`.
double softmax_xent_row(float* probs, float* dlogits, const float* z, const Targets& t, int r,
                        double scale) {
  const int c = t.c;
  float zmax = z[0];
  for (int j = 1; j < c; ++j) zmax = std::max(zmax, z[j]);
  double sum = 0.0;
  for (int j = 0; j < c; ++j) sum += std::exp(static_cast<double>(z[j] - zmax));
  const double log_sum = std::log(sum);
  double loss = 0.0;
  double t_total = 0.0;
  for (int j = 0; j < c; ++j) {
    const double shifted = static_cast<double>(z[j] - zmax);
    probs[j] = static_cast<float>(std::exp(shifted - log_sum));
    loss += t.at(r, j) * (log_sum - shifted);
    t_total += t.at(r, j);
  }
  if (dlogits != nullptr) {
    for (int j = 0; j < c; ++j) {
      dlogits[j] = static_cast<float>((probs[j] * t_total - t.at(r, j)) * scale);
    }
  }
  return loss;
}

double softmax_xent_batch(float* probs, float* dlogits, const float* logits, const Targets& t,
                          const float* weights, int n) {
  if (t.c == 0) return 0.0;
  double total = 0.0;
  for (int r = 0; r < n; ++r) {
    const Index off = static_cast<Index>(r) * t.c;
    const double scale = sample_scale(weights, r, n);
    total += scale * softmax_xent_row(probs + off, dlogits != nullptr ? dlogits + off : nullptr,
                                      logits + off, t, r, scale);
  }
  return total;
}

inline bool probability_clipped(double p) { return p <= kLow || p >= kHigh; }

// Categorical cross-entropy of row r of probabilities p (renormalized to sum to 1).
double cce_row(float* dp, const float* p, const Targets& t, int r, double scale) {
  const int c = t.c;
  double total = 0.0;
  for (int j = 0; j < c; ++j) total += p[j];
  const double inv_total = total > 0.0 ? 1.0 / total : 0.0;
  double loss = 0.0;
  double dot = 0.0;  // sum_j dL/dq_j * q_j, for the derivative of the renormalization
  for (int j = 0; j < c; ++j) {
    const double q = p[j] * inv_total;
    const double target = t.at(r, j);
    loss -= target * std::log(clip(q, kLow, kHigh));
    const double dq = probability_clipped(q) ? 0.0 : -target / q;
    if (dp != nullptr) dp[j] = static_cast<float>(dq);
    dot += dq * q;
  }
  if (dp != nullptr) {
    for (int j = 0; j < c; ++j) {
      dp[j] = static_cast<float>((dp[j] - dot) * inv_total * scale);
    }
  }
  return loss;
}

double cce_batch(float* dprobs, const float* probs, const Targets& t, const float* weights,
                 int n) {
  double total = 0.0;
  for (int r = 0; r < n; ++r) {
    const Index off = static_cast<Index>(r) * t.c;
    const double scale = sample_scale(weights, r, n);
    total += scale * cce_row(dprobs != nullptr ? dprobs + off : nullptr, probs + off, t, r, scale);
  }
  return total;
}

// One element's loss and its derivative with respect to the prediction.
struct ValueGrad {
  double value;
  double grad;
};

// How a sample's C element losses make its loss.
enum class PerSample { mean, sum };

// The weighted batch value of an elementwise loss. op(i, x, t) gives element i's loss and
// derivative from prediction x and target t.
template <typename Op>
double elementwise_loss(float* grad, const float* pred, const float* target, const float* weights,
                        int n, int c, PerSample per_sample, const Op& op) {
  if (c == 0) return 0.0;
  const double per_element = per_sample == PerSample::mean ? 1.0 / c : 1.0;
  double total = 0.0;
  for (int r = 0; r < n; ++r) {
    const double scale = sample_scale(weights, r, n) * per_element;
    const Index off = static_cast<Index>(r) * c;
    double row = 0.0;
    for (Index i = off; i < off + c; ++i) {
      const ValueGrad e = op(i, static_cast<double>(pred[i]), static_cast<double>(target[i]));
      row += e.value;
      if (grad != nullptr) grad[i] = static_cast<float>(e.grad * scale);
    }
    total += row * scale;
  }
  return total;
}

// Keras's hinge losses take targets in {-1, 1} and map a batch given entirely in {0, 1} to them.
bool zero_one_targets(const float* target, Index count) {
  for (Index i = 0; i < count; ++i) {
    if (target[i] != 0.0f && target[i] != 1.0f) return false;
  }
  return true;
}

inline double sign(double x) { return x > 0.0 ? 1.0 : x < 0.0 ? -1.0 : 0.0; }

}  // namespace

double softmax_cross_entropy(float* probs, float* dlogits, const float* logits,
                             const float* labels, const float* weights, int n, int c,
                             double label_smoothing) {
  return softmax_xent_batch(probs, dlogits, logits, Targets{labels, nullptr, c, label_smoothing},
                            weights, n);
}

double softmax_cross_entropy_sparse(float* probs, float* dlogits, const float* logits,
                                    const float* labels, const float* weights, int n, int c,
                                    double label_smoothing) {
  return softmax_xent_batch(probs, dlogits, logits, Targets{nullptr, labels, c, label_smoothing},
                            weights, n);
}

double sigmoid_binary_cross_entropy(float* probs, float* dlogits, const float* logits,
                                    const float* labels, const float* weights, int n, int c,
                                    double label_smoothing) {
  const double s = label_smoothing;
  return elementwise_loss(dlogits, logits, labels, weights, n, c, PerSample::mean,
                          [probs, s](Index i, double z, double t) {
                            const double ts = (1.0 - s) * t + 0.5 * s;
                            const double e = std::exp(-std::fabs(z));
                            const double p = z >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
                            probs[i] = static_cast<float>(p);
                            return ValueGrad{std::max(z, 0.0) - z * ts + std::log1p(e), p - ts};
                          });
}

double binary_cross_entropy(float* dprobs, const float* probs, const float* labels,
                            const float* weights, int n, int c, double label_smoothing) {
  const double s = label_smoothing;
  return elementwise_loss(dprobs, probs, labels, weights, n, c, PerSample::mean,
                          [s](Index, double p, double t) {
                            const double ts = (1.0 - s) * t + 0.5 * s;
                            const double q = clip(p, kLow, kHigh);
                            const double value = -(ts * std::log(q) + (1.0 - ts) * std::log(1.0 - q));
                            return ValueGrad{value, probability_clipped(p) ? 0.0 : (q - ts) / (q * (1.0 - q))};
                          });
}

double categorical_cross_entropy(float* dprobs, const float* probs, const float* labels,
                                 const float* weights, int n, int c, double label_smoothing) {
  return cce_batch(dprobs, probs, Targets{labels, nullptr, c, label_smoothing}, weights, n);
}

double sparse_categorical_cross_entropy(float* dprobs, const float* probs, const float* labels,
                                        const float* weights, int n, int c,
                                        double label_smoothing) {
  return cce_batch(dprobs, probs, Targets{nullptr, labels, c, label_smoothing}, weights, n);
}

double mean_squared_error(float* dpred, const float* pred, const float* target,
                          const float* weights, int n, int c) {
  return elementwise_loss(dpred, pred, target, weights, n, c, PerSample::mean,
                          [](Index, double p, double t) {
                            const double x = p - t;
                            return ValueGrad{x * x, 2.0 * x};
                          });
}

double mean_absolute_error(float* dpred, const float* pred, const float* target,
                           const float* weights, int n, int c) {
  return elementwise_loss(dpred, pred, target, weights, n, c, PerSample::mean,
                          [](Index, double p, double t) {
                            const double x = p - t;
                            return ValueGrad{std::fabs(x), sign(x)};
                          });
}

double huber(float* dpred, const float* pred, const float* target, const float* weights, int n,
             int c, double delta) {
  return elementwise_loss(dpred, pred, target, weights, n, c, PerSample::mean,
                          [delta](Index, double p, double t) {
                            const double x = p - t;
                            const double a = std::fabs(x);
                            if (a <= delta) return ValueGrad{0.5 * x * x, x};
                            return ValueGrad{delta * a - 0.5 * delta * delta, delta * sign(x)};
                          });
}

double log_cosh(float* dpred, const float* pred, const float* target, const float* weights,
                int n, int c) {
  const double log2 = std::log(2.0);
  return elementwise_loss(dpred, pred, target, weights, n, c, PerSample::mean,
                          [log2](Index, double p, double t) {
                            const double x = p - t;
                            const double a = std::fabs(x);
                            return ValueGrad{a + std::log1p(std::exp(-2.0 * a)) - log2, std::tanh(x)};
                          });
}

double hinge(float* dpred, const float* pred, const float* target, const float* weights, int n,
             int c) {
  const bool zero_one = zero_one_targets(target, static_cast<Index>(n) * c);
  return elementwise_loss(dpred, pred, target, weights, n, c, PerSample::mean,
                          [zero_one](Index, double p, double t) {
                            const double y = zero_one ? 2.0 * t - 1.0 : t;
                            const double margin = std::max(1.0 - y * p, 0.0);
                            return ValueGrad{margin, margin > 0.0 ? -y : 0.0};
                          });
}

double squared_hinge(float* dpred, const float* pred, const float* target, const float* weights,
                     int n, int c) {
  const bool zero_one = zero_one_targets(target, static_cast<Index>(n) * c);
  return elementwise_loss(dpred, pred, target, weights, n, c, PerSample::mean,
                          [zero_one](Index, double p, double t) {
                            const double y = zero_one ? 2.0 * t - 1.0 : t;
                            const double margin = std::max(1.0 - y * p, 0.0);
                            return ValueGrad{margin * margin, -2.0 * y * margin};
                          });
}

double kullback_leibler_divergence(float* dpred, const float* pred, const float* target,
                                   const float* weights, int n, int c) {
  return elementwise_loss(dpred, pred, target, weights, n, c, PerSample::sum,
                          [](Index, double p, double t) {
                            const double tc = clip(t, kLow, 1.0);
                            const double pc = clip(p, kLow, 1.0);
                            const bool flat = p <= kLow || p >= 1.0;
                            return ValueGrad{tc * std::log(tc / pc), flat ? 0.0 : -tc / pc};
                          });
}

}  // namespace myelin
