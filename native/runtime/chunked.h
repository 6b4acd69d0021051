// Elementwise work over long arrays, cut into fixed chunks that the thread pool runs. The chunk
// size is fixed, not derived from the thread count, so which elements share a chunk (and with
// it any per-chunk partial sum or vector tail) never depends on how many threads run.
// Baseline code only: this header defines inline templates, which an -mavx2 translation unit
// must not instantiate (see the ODR hazard in native/kernels/gemm/gemm_internal.h).
#pragma once

#include <algorithm>
#include <cstdint>

#include "thread_pool.h"

namespace myelin {

// Floats per task: below this a second thread costs more than it saves (128 KiB per array).
// A multiple of 16, so chunk boundaries fall on whole vectors of any ISA path.
constexpr std::int64_t kChunkFloats = 1 << 15;

inline std::int64_t chunk_count(std::int64_t count) {
  return (count + kChunkFloats - 1) / kChunkFloats;
}

// Runs body(begin, end) over [0, count) chunk by chunk; a single chunk runs inline, without
// touching the pool.
template <typename Body>
void for_chunks(std::int64_t count, const Body& body) {
  const std::int64_t chunks = chunk_count(count);
  if (chunks <= 1) {
    body(0, count);
    return;
  }
  parallel_for(static_cast<int>(chunks), [&](int task) {
    const std::int64_t begin = task * kChunkFloats;
    body(begin, std::min(count, begin + kChunkFloats));
  });
}

}  // namespace myelin
