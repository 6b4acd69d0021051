// Losses and their gradients in one pass. N = batch, C = outputs per sample.
// Each returns Keras's default reduction, the sum over samples of weight_i * loss_i divided by N
// (the batch size, not the sum of the weights), and, when the gradient pointer is not null,
// writes the gradient of that value with respect to its first input. `weights` is (N), or null
// for all ones. The per-sample loss is the mean over the C outputs for elementwise losses and the
// sum over classes for categorical cross-entropies and KL divergence. Fused variants take logits
// and also write the probabilities. Every kernel runs in one fixed order, accumulating in double,
// so its result never depends on the thread count.
#pragma once

namespace myelin {

// Clip for losses on probabilities, as Keras's backend epsilon: log(0) never happens.
constexpr float kProbabilityEpsilon = 1e-7f;

// Label smoothing s in [0, 1]: categorical targets become (1 - s) t + s / C, binary targets
// (1 - s) t + s / 2 (keras.losses.CategoricalCrossentropy / BinaryCrossentropy).

// From logits. probs, dlogits, logits are (N,C); labels rows are target distributions.
double softmax_cross_entropy(float* probs, float* dlogits, const float* logits,
                             const float* labels, const float* weights, int n, int c,
                             double label_smoothing);
// labels is (N): class indices, checked by the caller to be integers in [0, C).
double softmax_cross_entropy_sparse(float* probs, float* dlogits, const float* logits,
                                    const float* labels, const float* weights, int n, int c,
                                    double label_smoothing);
// Elementwise sigmoid then binary cross-entropy, every buffer but weights (N,C).
double sigmoid_binary_cross_entropy(float* probs, float* dlogits, const float* logits,
                                    const float* labels, const float* weights, int n, int c,
                                    double label_smoothing);

// On probabilities (outputs of any activation), clipped to [eps, 1 - eps]; buffers (N,C).
double binary_cross_entropy(float* dprobs, const float* probs, const float* labels,
                            const float* weights, int n, int c, double label_smoothing);
// Rows of probs are renormalized to sum to 1 before the log, as Keras does.
double categorical_cross_entropy(float* dprobs, const float* probs, const float* labels,
                                 const float* weights, int n, int c, double label_smoothing);
// labels is (N) class indices.
double sparse_categorical_cross_entropy(float* dprobs, const float* probs, const float* labels,
                                        const float* weights, int n, int c,
                                        double label_smoothing);

// Regression and margin losses on any outputs; pred and target (N,C).
double mean_squared_error(float* dpred, const float* pred, const float* target,
                          const float* weights, int n, int c);
double mean_absolute_error(float* dpred, const float* pred, const float* target,
                           const float* weights, int n, int c);
// delta > 0: quadratic for |pred - target| <= delta, linear beyond.
double huber(float* dpred, const float* pred, const float* target, const float* weights, int n,
             int c, double delta);
double log_cosh(float* dpred, const float* pred, const float* target, const float* weights,
                int n, int c);
// Targets in {-1, 1}; a batch whose targets are all 0 or 1 is mapped to {-1, 1} first.
double hinge(float* dpred, const float* pred, const float* target, const float* weights, int n,
             int c);
double squared_hinge(float* dpred, const float* pred, const float* target, const float* weights,
                     int n, int c);
// Rows of target and pred are distributions, each clipped to [eps, 1].
double kullback_leibler_divergence(float* dpred, const float* pred, const float* target,
                                   const float* weights, int n, int c);

}  // namespace myelin
