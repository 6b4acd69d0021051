// PReLU forward and backward (formulas in parametric_activations.h). Elementwise work runs over
// fixed chunks of the flat (N,M) array on the thread pool, each chunk cut at row ends so the inner
// loops run over contiguous units with their slopes and vectorize; the slope gradient is summed
// per fixed block of rows, then over the blocks in order.
#include "parametric_activations.h"

#include <algorithm>
#include <cstdint>
#include <vector>

#include "../runtime/chunked.h"
#include "../runtime/thread_pool.h"

namespace myelin {

namespace {

// body(row, j0, j1, offset) for each row segment of [begin, end) of an (N,M) array.
template <typename Body>
void for_row_segments(std::int64_t begin, std::int64_t end, int m, const Body& body) {
  std::int64_t i = begin;
  while (i < end) {
    const std::int64_t row = i / m;
    const int j0 = static_cast<int>(i - row * m);
    const int j1 = static_cast<int>(std::min<std::int64_t>(m, j0 + (end - i)));
    body(row * m, j0, j1);
    i += j1 - j0;
  }
}

}  // namespace

void prelu_forward(float* y, const float* z, const float* alpha, int n, int m) {
  const std::int64_t count = static_cast<std::int64_t>(n) * m;
  if (count <= 0) return;
  for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
    for_row_segments(begin, end, m, [=](std::int64_t off, int j0, int j1) {
      for (int j = j0; j < j1; ++j) {
        const float v = z[off + j];
        y[off + j] = v > 0.0f ? v : alpha[j] * v;
      }
    });
  });
}

void prelu_backward(float* dz, float* dalpha, const float* dy, const float* z, const float* alpha,
                    int n, int m) {
  const std::int64_t count = static_cast<std::int64_t>(n) * m;
  if (dalpha != nullptr) {
    // Partial sums per block of rows, fixed by n and m, then added up in block order.
    const std::int64_t rows_per_block = std::max<std::int64_t>(1, kChunkFloats / std::max(m, 1));
    const std::int64_t blocks = n == 0 ? 0 : (n + rows_per_block - 1) / rows_per_block;
    std::vector<double> partial(static_cast<std::size_t>(blocks * m), 0.0);
    const auto block_sum = [&](int block) {
      double* acc = partial.data() + static_cast<std::int64_t>(block) * m;
      const std::int64_t r1 = std::min<std::int64_t>(n, (block + 1) * rows_per_block);
      for (std::int64_t r = block * rows_per_block; r < r1; ++r) {
        const float* zr = z + r * m;
        const float* gr = dy + r * m;
        for (int j = 0; j < m; ++j) {
          if (zr[j] < 0.0f) acc[j] += static_cast<double>(gr[j]) * zr[j];
        }
      }
    };
    if (blocks <= 1) {
      if (blocks == 1) block_sum(0);
    } else {
      parallel_for(static_cast<int>(blocks), block_sum);
    }
    for (int j = 0; j < m; ++j) {
      double sum = 0.0;
      for (std::int64_t b = 0; b < blocks; ++b) sum += partial[static_cast<std::size_t>(b * m + j)];
      dalpha[j] = static_cast<float>(sum);
    }
  }
  // After the slope gradient: dz may be dy.
  if (dz == nullptr || count <= 0) return;
  for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
    for_row_segments(begin, end, m, [=](std::int64_t off, int j0, int j1) {
      for (int j = j0; j < j1; ++j) {
        dz[off + j] = z[off + j] > 0.0f ? dy[off + j] : alpha[j] * dy[off + j];
      }
    });
  });
}

}  // namespace myelin
