// Per-feature normalization of (N, U) batches: batch normalization and fixed standardization.
// N = batch rows, U = units (features); x, y, dy, dx and xhat are (N, U) row-major, every other
// array is (U). Statistics are accumulated in double, one column block at a time.
#pragma once

namespace myelin {

// Batch normalization in training mode (Ioffe & Szegedy 2015, arXiv:1502.03167, Algorithm 1;
// Keras BatchNormalization): mean and biased variance over the batch,
// inv_std = 1 / sqrt(var + epsilon) (epsilon inside the root), xhat = (x - mean) * inv_std,
// y = gamma * xhat + beta, and moving = momentum * moving + (1 - momentum) * batch for the mean
// and the (biased) variance. xhat and inv_std are kept for the backward. gamma null means 1,
// beta null means 0. n >= 1 (n = 1 gives variance 0 and xhat 0).
void batch_norm_forward_train(float* y, float* xhat, float* inv_std, float* moving_mean,
                              float* moving_var, const float* x, const float* gamma,
                              const float* beta, double momentum, double epsilon, int n, int units);

// Batch normalization at inference: y = gamma * (x - moving_mean) / sqrt(moving_var + epsilon)
// + beta. gamma and beta may be null as above.
void batch_norm_forward_infer(float* y, const float* x, const float* gamma, const float* beta,
                              const float* moving_mean, const float* moving_var, double epsilon,
                              int n, int units);

// Backward of batch_norm_forward_train through the batch statistics, overwriting:
// dbeta = sum_n dy, dgamma = sum_n dy * xhat,
// dx = gamma * inv_std / N * (N * dy - dbeta - xhat * dgamma).
// dx, dgamma and dbeta may each be null (not wanted); gamma null means 1.
void batch_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* xhat,
                         const float* inv_std, const float* gamma, int n, int units);

// The backward of the inference transform, for a frozen layer that trains in inference mode:
// dx = dy * gamma / sqrt(moving_var + epsilon) (gamma null: 1). No gradient for gamma or beta.
void batch_norm_backward_infer(float* dx, const float* dy, const float* gamma,
                               const float* moving_var, double epsilon, int n, int units);

// Standardization with fixed statistics (Keras Normalization layer):
// y = (x - mean) / max(sqrt(variance), epsilon), the epsilon a floor on the standard deviation.
void standardize_forward(float* y, const float* x, const float* mean, const float* variance,
                         double epsilon, int n, int units);

// dx = dy / max(sqrt(variance), epsilon).
void standardize_backward(float* dx, const float* dy, const float* variance, double epsilon, int n,
                          int units);

}  // namespace myelin
