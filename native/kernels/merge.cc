// Merge kernels: elementwise loops in fixed chunks on the thread pool (as dropout_noise.cc), and a
// row-by-row copy of column blocks. Each loop body loads every operand unconditionally and selects
// without branches or short-circuits (`&`, not `&&`): a load under a condition is not vectorized.
#include "merge.h"

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "../runtime/chunked.h"

namespace myelin {

namespace {

// v if keep, else +0.0f, by masking its bits. `keep ? v : 0.0f` is what it means, but GCC 12
// sinks the load of v under the condition when the loop stores twice (winner_gradient), and a
// conditional load is not vectorized: the mask keeps the load unconditional. Not v * keep: an
// infinite or NaN gradient must still give 0 where the input lost.
inline float kept_or_zero(bool keep, float v) {
  std::uint32_t bits;
  std::memcpy(&bits, &v, sizeof bits);
  bits &= 0u - static_cast<std::uint32_t>(keep);
  std::memcpy(&v, &bits, sizeof bits);
  return v;
}

}  // namespace

void subtract_elementwise(float* out, const float* a, const float* b, std::int64_t count) {
  for_chunks(count, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) out[i] = a[i] - b[i];
  });
}

// ai > bi is false when either is NaN: the `ai != ai` term keeps a NaN of a, and a NaN of b falls
// through to bi. Minimum likewise.
void maximum_elementwise(float* out, const float* a, const float* b, std::int64_t count) {
  for_chunks(count, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const float ai = a[i];
      const float bi = b[i];
      out[i] = (ai > bi || ai != ai) ? ai : bi;
    }
  });
}

void minimum_elementwise(float* out, const float* a, const float* b, std::int64_t count) {
  for_chunks(count, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) {
      const float ai = a[i];
      const float bi = b[i];
      out[i] = (ai < bi || ai != ai) ? ai : bi;
    }
  });
}

void scale_elementwise(float* out, const float* x, float alpha, std::int64_t count) {
  for_chunks(count, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) out[i] = alpha * x[i];
  });
}

void copy_columns(float* dst, const float* src, int n, int width, int dst_cols, int dst_offset,
                  int src_cols, int src_offset) {
  const std::size_t row_bytes = static_cast<std::size_t>(width) * sizeof(float);
  if (width == dst_cols && width == src_cols) {  // whole rows on both sides: one block
    std::memcpy(dst, src, row_bytes * static_cast<std::size_t>(n));
    return;
  }
  for (int r = 0; r < n; ++r) {
    std::memcpy(dst + static_cast<std::ptrdiff_t>(r) * dst_cols + dst_offset,
                src + static_cast<std::ptrdiff_t>(r) * src_cols + src_offset, row_bytes);
  }
}

void winner_gradient(float* dx, float* claimed, const float* dy, const float* x, const float* y,
                     bool first, std::int64_t count) {
  for_chunks(count, [&](std::int64_t begin, std::int64_t end) {
    if (first) {
      for (std::int64_t i = begin; i < end; ++i) {
        const bool wins = x[i] == y[i];
        dx[i] = kept_or_zero(wins, dy[i]);
        claimed[i] = wins ? 1.0f : 0.0f;
      }
    } else {
      for (std::int64_t i = begin; i < end; ++i) {
        const float c = claimed[i];
        const bool wins = (c == 0.0f) & (x[i] == y[i]);
        dx[i] = kept_or_zero(wins, dy[i]);
        claimed[i] = wins ? 1.0f : c;
      }
    }
  });
}

}  // namespace myelin
