// Reductions over arenas, split in fixed chunks so the sum's order (and so its rounding) does
// not depend on the thread count.
#include "reductions.h"

#include <algorithm>
#include <vector>

#include "../runtime/thread_pool.h"

namespace myelin {

namespace {
constexpr std::int64_t kChunk = 1 << 15;
}  // namespace

double sum_of_squares(const float* x, std::int64_t count) {
  const std::int64_t chunks = std::max<std::int64_t>(1, (count + kChunk - 1) / kChunk);
  std::vector<double> partial(static_cast<std::size_t>(chunks), 0.0);
  parallel_for(static_cast<int>(chunks), [&](int task) {
    const std::int64_t begin = task * kChunk;
    const std::int64_t end = std::min(count, begin + kChunk);
    double sum = 0.0;
    for (std::int64_t i = begin; i < end; ++i) sum += static_cast<double>(x[i]) * x[i];
    partial[static_cast<std::size_t>(task)] = sum;
  });
  double total = 0.0;
  for (double p : partial) total += p;
  return total;
}

}  // namespace myelin
