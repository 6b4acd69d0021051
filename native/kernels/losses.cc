// Losses, each beside its gradient. N = batch, C = outputs per sample; buffers are (N,C) unless
// said otherwise, labels given as rows t or as class indices.
//   softmax cross-entropy:  L = -sum_j t_j log softmax(z)_j = logsumexp(z) sum_j t_j - sum_j t_j z_j
//                           dL/dz_j = softmax(z)_j sum_i t_i - t_j            (stable: z - max z)
//   sigmoid BCE (logits):   L = max(z,0) - z t + log(1 + exp(-|z|))           dL/dz = sigmoid(z) - t
//                           (the overflow-free form TensorFlow documents for
//                            sigmoid_cross_entropy_with_logits)
//   BCE (probabilities):    L = -(t log p + (1-t) log(1-p)), p clipped to [eps, 1-eps]
//   CCE (probabilities):    q = p / sum p, clipped; L = -sum t log q    (keras.losses.categorical_crossentropy)
//   MSE:                    L = mean (p - t)^2                          dL/dp = 2 (p - t) / (N C)
// Gradients are zero where a clip is active, as the clipped function is flat there.
#include "losses.h"

#include <algorithm>
#include <cmath>
#include <cstddef>

namespace myelin {

namespace {

using Index = std::ptrdiff_t;

// The targets of one batch: rows of a target distribution (N,C), or one class index per sample.
struct Targets {
  const float* rows;     // (N,C), or null
  const float* classes;  // (N), or null
  int c;

  double at(int r, int j) const {
    if (rows != nullptr) return rows[static_cast<Index>(r) * c + j];
    return static_cast<int>(classes[r]) == j ? 1.0 : 0.0;
  }
};

// Softmax cross-entropy of row r. Returns the row's loss; writes probabilities and, when
// dlogits is not null, dL/dz scaled by `scale` (1/N).
double softmax_xent_row(float* probs, float* dlogits, const float* z, const Targets& t, int r,
                        float scale) {
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
                          int n) {
  double loss = 0.0;
  const float scale = 1.0f / static_cast<float>(n);
  for (int r = 0; r < n; ++r) {
    const Index off = static_cast<Index>(r) * t.c;
    loss += softmax_xent_row(probs + off, dlogits != nullptr ? dlogits + off : nullptr,
                             logits + off, t, r, scale);
  }
  return n > 0 ? loss / n : 0.0;
}

inline float clip_probability(float p) {
  return std::min(std::max(p, kProbabilityEpsilon), 1.0f - kProbabilityEpsilon);
}

inline bool clipped(float p) { return p <= kProbabilityEpsilon || p >= 1.0f - kProbabilityEpsilon; }

// Categorical cross-entropy of row r of probabilities p (renormalized to sum to 1).
double cce_row(float* dp, const float* p, const Targets& t, int r, float scale) {
  const int c = t.c;
  double total = 0.0;
  for (int j = 0; j < c; ++j) total += p[j];
  const double inv_total = total > 0.0 ? 1.0 / total : 0.0;
  double loss = 0.0;
  double dot = 0.0;  // sum_j dL/dq_j * q_j, for the derivative of the renormalization
  for (int j = 0; j < c; ++j) {
    const float q = static_cast<float>(p[j] * inv_total);
    const float qc = clip_probability(q);
    loss -= t.at(r, j) * std::log(static_cast<double>(qc));
    const double dq = clipped(q) ? 0.0 : -t.at(r, j) / qc;
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

double cce_batch(float* dprobs, const float* probs, const Targets& t, int n) {
  double loss = 0.0;
  const float scale = 1.0f / static_cast<float>(n);
  for (int r = 0; r < n; ++r) {
    const Index off = static_cast<Index>(r) * t.c;
    loss += cce_row(dprobs != nullptr ? dprobs + off : nullptr, probs + off, t, r, scale);
  }
  return n > 0 ? loss / n : 0.0;
}

}  // namespace

double softmax_cross_entropy(float* probs, float* dlogits, const float* logits,
                             const float* labels, int n, int c) {
  return softmax_xent_batch(probs, dlogits, logits, Targets{labels, nullptr, c}, n);
}

double softmax_cross_entropy_sparse(float* probs, float* dlogits, const float* logits,
                                    const float* labels, int n, int c) {
  return softmax_xent_batch(probs, dlogits, logits, Targets{nullptr, labels, c}, n);
}

double sigmoid_binary_cross_entropy(float* probs, float* dlogits, const float* logits,
                                    const float* labels, int n, int c) {
  const Index count = static_cast<Index>(n) * c;
  const float scale = 1.0f / static_cast<float>(count);
  double loss = 0.0;
  for (Index i = 0; i < count; ++i) {
    const double z = logits[i];
    const double t = labels[i];
    const double e = std::exp(-std::fabs(z));
    loss += std::max(z, 0.0) - z * t + std::log1p(e);
    const double p = z >= 0.0 ? 1.0 / (1.0 + e) : e / (1.0 + e);
    probs[i] = static_cast<float>(p);
    if (dlogits != nullptr) dlogits[i] = static_cast<float>((p - t) * scale);
  }
  return count > 0 ? loss / count : 0.0;
}

double binary_cross_entropy(float* dprobs, const float* probs, const float* labels, int n,
                            int c) {
  const Index count = static_cast<Index>(n) * c;
  const float scale = 1.0f / static_cast<float>(count);
  double loss = 0.0;
  for (Index i = 0; i < count; ++i) {
    const double p = clip_probability(probs[i]);
    const double t = labels[i];
    loss -= t * std::log(p) + (1.0 - t) * std::log(1.0 - p);
    if (dprobs != nullptr) {
      dprobs[i] = clipped(probs[i]) ? 0.0f
                                    : static_cast<float>((p - t) / (p * (1.0 - p)) * scale);
    }
  }
  return count > 0 ? loss / count : 0.0;
}

double categorical_cross_entropy(float* dprobs, const float* probs, const float* labels, int n,
                                 int c) {
  return cce_batch(dprobs, probs, Targets{labels, nullptr, c}, n);
}

double sparse_categorical_cross_entropy(float* dprobs, const float* probs, const float* labels,
                                        int n, int c) {
  return cce_batch(dprobs, probs, Targets{nullptr, labels, c}, n);
}

double mean_squared_error(float* dpred, const float* pred, const float* target, int n, int c) {
  const Index count = static_cast<Index>(n) * c;
  const float scale = 2.0f / static_cast<float>(count);
  double loss = 0.0;
  for (Index i = 0; i < count; ++i) {
    const double d = static_cast<double>(pred[i]) - target[i];
    loss += d * d;
    if (dpred != nullptr) dpred[i] = static_cast<float>(d * scale);
  }
  return count > 0 ? loss / count : 0.0;
}

}  // namespace myelin
