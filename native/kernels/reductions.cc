// Reductions over arenas, split in fixed chunks so the sum's order (and so its rounding) does
// not depend on the thread count. Each chunk goes to the loop of the ISA path read once per call
// (arena_internal.h); the generic loop below is baseline code.
#include "reductions.h"

#include <algorithm>
#include <vector>

#include "../runtime/cpu_features.h"
#include "../runtime/chunked.h"
#include "../runtime/thread_pool.h"
#include "arena_internal.h"

namespace myelin {

namespace {

// Independent partial sums: a single running sum is one long dependency chain that the compiler
// may not reorder (no -ffast-math), so the lanes are spelled out for it to vectorize.
constexpr int kLanes = 8;

}  // namespace

namespace arena_detail {

double sum_of_squares_chunk_generic(const float* x, std::int64_t count) {
  double lanes[kLanes] = {};
  std::int64_t i = 0;
  for (; i + kLanes <= count; i += kLanes) {
    for (int j = 0; j < kLanes; ++j) lanes[j] += static_cast<double>(x[i + j]) * x[i + j];
  }
  for (; i < count; ++i) lanes[0] += static_cast<double>(x[i]) * x[i];
  double sum = 0.0;
  for (double lane : lanes) sum += lane;
  return sum;
}

}  // namespace arena_detail

double sum_of_squares(const float* x, std::int64_t count) {
  // Read once: a call never mixes paths.
  const auto chunk_sum_of_squares = arena_detail::arena_loops(active_isa()).sum_of_squares;
  const std::int64_t chunks = std::max<std::int64_t>(1, chunk_count(count));
  if (chunks == 1) return chunk_sum_of_squares(x, count);
  // Grown once per calling thread: a training step calls this every step. The tasks write
  // through a plain pointer: inside the lambda the thread_local's name would mean the running
  // worker's own (empty) copy.
  thread_local std::vector<double> partial;
  partial.assign(static_cast<std::size_t>(chunks), 0.0);
  double* sums = partial.data();
  parallel_for(static_cast<int>(chunks), [=](int task) {
    const std::int64_t begin = task * kChunkFloats;
    sums[task] = chunk_sum_of_squares(x + begin, std::min(count, begin + kChunkFloats) - begin);
  });
  double total = 0.0;
  for (double p : partial) total += p;
  return total;
}

}  // namespace myelin
