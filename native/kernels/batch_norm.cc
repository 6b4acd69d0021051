// Batch normalization and standardization over the feature axis. Columns are processed in
// blocks of kBlock: each block's statistics sit in double arrays on the stack and its rows are
// read contiguously, so nothing is allocated and a large batch is split across threads by
// column block (each column is owned by one task, so results never depend on the thread count).
#include "batch_norm.h"

#include <algorithm>
#include <cmath>
#include <cstdint>

#include "../runtime/chunked.h"
#include "../runtime/thread_pool.h"

namespace myelin {

namespace {

constexpr int kBlock = 64;

// Runs body(j0, j1) over column blocks covering [0, units), on the pool when the batch is large.
template <typename Body>
void for_column_blocks(int n, int units, const Body& body) {
  const int blocks = (units + kBlock - 1) / kBlock;
  const auto run = [&](int block) {
    const int j0 = block * kBlock;
    body(j0, std::min(units, j0 + kBlock));
  };
  if (blocks <= 1 || static_cast<std::int64_t>(n) * units < kChunkFloats) {
    for (int block = 0; block < blocks; ++block) run(block);
  } else {
    parallel_for(blocks, run);
  }
}

inline std::int64_t at(int row, int units, int col) {
  return static_cast<std::int64_t>(row) * units + col;
}

// scale[j - j0] = gamma_j / sqrt(movingVar_j + epsilon) for columns [j0, j1): the factor of
// the inference-mode normalization, and of its gradient.
void inference_scales(float* scale, const float* gamma, const float* moving_var, double epsilon,
                      int j0, int j1) {
  for (int j = j0; j < j1; ++j) {
    const double g = gamma != nullptr ? gamma[j] : 1.0;
    scale[j - j0] = static_cast<float>(g / std::sqrt(static_cast<double>(moving_var[j]) + epsilon));
  }
}

}  // namespace

void batch_norm_forward_train(float* y, float* xhat, float* inv_std, float* moving_mean,
                              float* moving_var, const float* x, const float* gamma,
                              const float* beta, double momentum, double epsilon, int n,
                              int units) {
  for_column_blocks(n, units, [&](int j0, int j1) {
    double mean[kBlock] = {};
    double inv[kBlock] = {};
    for (int i = 0; i < n; ++i) {
      for (int j = j0; j < j1; ++j) mean[j - j0] += x[at(i, units, j)];
    }
    for (int j = j0; j < j1; ++j) mean[j - j0] /= n;
    double var[kBlock] = {};
    for (int i = 0; i < n; ++i) {
      for (int j = j0; j < j1; ++j) {
        const double d = x[at(i, units, j)] - mean[j - j0];
        var[j - j0] += d * d;
      }
    }
    for (int j = j0; j < j1; ++j) {
      var[j - j0] /= n;
      inv[j - j0] = 1.0 / std::sqrt(var[j - j0] + epsilon);
      inv_std[j] = static_cast<float>(inv[j - j0]);
      moving_mean[j] =
          static_cast<float>(momentum * moving_mean[j] + (1.0 - momentum) * mean[j - j0]);
      moving_var[j] = static_cast<float>(momentum * moving_var[j] + (1.0 - momentum) * var[j - j0]);
    }
    for (int i = 0; i < n; ++i) {
      for (int j = j0; j < j1; ++j) {
        const std::int64_t k = at(i, units, j);
        const float h = static_cast<float>((x[k] - mean[j - j0]) * inv[j - j0]);
        xhat[k] = h;
        y[k] = (gamma != nullptr ? gamma[j] * h : h) + (beta != nullptr ? beta[j] : 0.0f);
      }
    }
  });
}

void batch_norm_forward_infer(float* y, const float* x, const float* gamma, const float* beta,
                              const float* moving_mean, const float* moving_var, double epsilon,
                              int n, int units) {
  for_column_blocks(n, units, [&](int j0, int j1) {
    float scale[kBlock];
    inference_scales(scale, gamma, moving_var, epsilon, j0, j1);
    for (int i = 0; i < n; ++i) {
      for (int j = j0; j < j1; ++j) {
        const std::int64_t k = at(i, units, j);
        y[k] = (x[k] - moving_mean[j]) * scale[j - j0] + (beta != nullptr ? beta[j] : 0.0f);
      }
    }
  });
}

void batch_norm_backward_infer(float* dx, const float* dy, const float* gamma,
                               const float* moving_var, double epsilon, int n, int units) {
  for_column_blocks(n, units, [&](int j0, int j1) {
    float scale[kBlock];
    inference_scales(scale, gamma, moving_var, epsilon, j0, j1);
    for (int i = 0; i < n; ++i) {
      for (int j = j0; j < j1; ++j) {
        const std::int64_t k = at(i, units, j);
        dx[k] = dy[k] * scale[j - j0];
      }
    }
  });
}

void batch_norm_backward(float* dx, float* dgamma, float* dbeta, const float* dy, const float* xhat,
                         const float* inv_std, const float* gamma, int n, int units) {
  for_column_blocks(n, units, [&](int j0, int j1) {
    double sum_dy[kBlock] = {};
    double sum_dy_xhat[kBlock] = {};
    for (int i = 0; i < n; ++i) {
      for (int j = j0; j < j1; ++j) {
        const std::int64_t k = at(i, units, j);
        sum_dy[j - j0] += dy[k];
        sum_dy_xhat[j - j0] += static_cast<double>(dy[k]) * xhat[k];
      }
    }
    for (int j = j0; j < j1; ++j) {
      if (dbeta != nullptr) dbeta[j] = static_cast<float>(sum_dy[j - j0]);
      if (dgamma != nullptr) dgamma[j] = static_cast<float>(sum_dy_xhat[j - j0]);
    }
    if (dx == nullptr) return;
    double coef[kBlock];
    for (int j = j0; j < j1; ++j) {
      const double g = gamma != nullptr ? gamma[j] : 1.0;
      coef[j - j0] = g * inv_std[j] / n;
    }
    for (int i = 0; i < n; ++i) {
      for (int j = j0; j < j1; ++j) {
        const std::int64_t k = at(i, units, j);
        dx[k] = static_cast<float>(coef[j - j0] * (static_cast<double>(n) * dy[k] - sum_dy[j - j0] -
                                                   xhat[k] * sum_dy_xhat[j - j0]));
      }
    }
  });
}

namespace {

// 1 / max(sqrt(variance), epsilon) for the columns of a block.
void inverse_deviation(float* inv, const float* variance, double epsilon, int j0, int j1) {
  for (int j = j0; j < j1; ++j) {
    inv[j - j0] =
        static_cast<float>(1.0 / std::max(std::sqrt(static_cast<double>(variance[j])), epsilon));
  }
}

}  // namespace

void standardize_forward(float* y, const float* x, const float* mean, const float* variance,
                         double epsilon, int n, int units) {
  for_column_blocks(n, units, [&](int j0, int j1) {
    float inv[kBlock];
    inverse_deviation(inv, variance, epsilon, j0, j1);
    for (int i = 0; i < n; ++i) {
      for (int j = j0; j < j1; ++j) {
        const std::int64_t k = at(i, units, j);
        y[k] = (x[k] - mean[j]) * inv[j - j0];
      }
    }
  });
}

void standardize_backward(float* dx, const float* dy, const float* variance, double epsilon, int n,
                          int units) {
  for_column_blocks(n, units, [&](int j0, int j1) {
    float inv[kBlock];
    inverse_deviation(inv, variance, epsilon, j0, j1);
    for (int i = 0; i < n; ++i) {
      for (int j = j0; j < j1; ++j) {
        const std::int64_t k = at(i, units, j);
        dx[k] = dy[k] * inv[j - j0];
      }
    }
  });
}

}  // namespace myelin
