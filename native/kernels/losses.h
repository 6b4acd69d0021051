// Losses and their gradients in one pass. N = batch, C = outputs per sample.
// Each returns the loss averaged over the batch (Keras's default "sum over batch size"
// reduction) and, when the gradient pointer is not null, writes the gradient of that average
// with respect to its first input. Fused variants take logits and also write the probabilities.
#pragma once

namespace myelin {

// Clip for losses on probabilities, as Keras's backend epsilon: log(0) never happens.
constexpr float kProbabilityEpsilon = 1e-7f;

// probs, dlogits, logits, labels are (N,C); labels rows are target distributions (one-hot).
double softmax_cross_entropy(float* probs, float* dlogits, const float* logits,
                             const float* labels, int n, int c);
// labels is (N): class indices, checked by the caller to be integers in [0, C).
double softmax_cross_entropy_sparse(float* probs, float* dlogits, const float* logits,
                                    const float* labels, int n, int c);
// Elementwise sigmoid then binary cross-entropy, every buffer (N,C).
double sigmoid_binary_cross_entropy(float* probs, float* dlogits, const float* logits,
                                    const float* labels, int n, int c);

// On probabilities (outputs of any activation), clipped to [eps, 1 - eps]; all buffers (N,C).
double binary_cross_entropy(float* dprobs, const float* probs, const float* labels, int n, int c);
// Rows of probs are renormalized to sum to 1 before the log, as Keras does.
double categorical_cross_entropy(float* dprobs, const float* probs, const float* labels, int n,
                                 int c);
// labels is (N) class indices.
double sparse_categorical_cross_entropy(float* dprobs, const float* probs, const float* labels,
                                        int n, int c);

// Mean over all N*C elements of (pred - target)^2.
double mean_squared_error(float* dpred, const float* pred, const float* target, int n, int c);

}  // namespace myelin
