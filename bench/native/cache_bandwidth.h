// The read bandwidth of each core's own cache for a block of a given size, measured rather than
// assumed, for the benchmarks' rooflines: a product with one row (batch-1 inference) does one
// FMA per weight it reads, so no kernel can run faster than the weights stream in from where
// they live (an 800 KB layer: L2). Each thread sums its own block over and over with the widest
// loads the CPU has (64 bytes on AVX-512, 32 on AVX2), four independent sums so the adds never
// wait on each other; the best of the repetitions counts, as for the FMA peak. The sums are
// noipa: a function the compiler knows to be pure would be called once for all the sweeps.
#pragma once

#include <immintrin.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstdlib>
#include <vector>

#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"

namespace myelin_bench {

namespace bandwidth_detail {

__attribute__((target("avx512f"), noipa)) inline float sum_avx512(const float* p,
                                                                     std::size_t floats) {
  __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  for (std::size_t i = 0; i + 64 <= floats; i += 64) {
    s0 = _mm512_add_ps(s0, _mm512_load_ps(p + i));
    s1 = _mm512_add_ps(s1, _mm512_load_ps(p + i + 16));
    s2 = _mm512_add_ps(s2, _mm512_load_ps(p + i + 32));
    s3 = _mm512_add_ps(s3, _mm512_load_ps(p + i + 48));
  }
  // Through memory rather than _mm512_reduce_add_ps, which GCC 12 warns about (bug 105593).
  float lanes[16];
  _mm512_storeu_ps(lanes, _mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
  float total = 0.0f;
  for (float v : lanes) total += v;
  return total;
}

__attribute__((target("avx2"), noipa)) inline float sum_avx2(const float* p,
                                                                std::size_t floats) {
  __m256 s0 = _mm256_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  for (std::size_t i = 0; i + 32 <= floats; i += 32) {
    s0 = _mm256_add_ps(s0, _mm256_load_ps(p + i));
    s1 = _mm256_add_ps(s1, _mm256_load_ps(p + i + 8));
    s2 = _mm256_add_ps(s2, _mm256_load_ps(p + i + 16));
    s3 = _mm256_add_ps(s3, _mm256_load_ps(p + i + 24));
  }
  float lanes[8];
  _mm256_storeu_ps(lanes, _mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
  float total = 0.0f;
  for (float v : lanes) total += v;
  return total;
}

}  // namespace bandwidth_detail

// GB/s that `threads` threads (on myelin's pool, whose thread count it sets) read together, each
// from its own block of `bytes`, over about `milliseconds`; 0 without AVX2 (no yardstick worth
// quoting).
inline double cache_read_gbps(int threads, std::size_t bytes, double milliseconds) {
  const bool wide = myelin::isa_supported(myelin::Isa::avx512);
  if (!wide && !myelin::isa_supported(myelin::Isa::avx2)) return 0.0;
  const std::size_t floats = bytes / sizeof(float) / 64 * 64;
  std::vector<float*> blocks(threads);
  for (float*& block : blocks) {
    block = static_cast<float*>(std::aligned_alloc(64, floats * sizeof(float)));
    std::fill(block, block + floats, 1.0f);
  }
  // Sweeps per call: 100 MB per thread, half a millisecond at 200 GB/s.
  const long sweeps = std::max<long>(1, static_cast<long>(1e8 / static_cast<double>(bytes)));
  std::vector<float> sink(threads);
  double best = 0.0;
  myelin::set_num_threads(threads);
  const auto begin = std::chrono::steady_clock::now();
  do {
    const auto start = std::chrono::steady_clock::now();
    myelin::parallel_for(threads, [&](int task) {
      float total = 0.0f;
      for (long s = 0; s < sweeps; ++s) {
        total += wide ? bandwidth_detail::sum_avx512(blocks[task], floats)
                      : bandwidth_detail::sum_avx2(blocks[task], floats);
      }
      sink[task] = total;  // stored, so the sums cannot be dropped
    });
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    best = std::max(best, static_cast<double>(threads) * sweeps * floats * sizeof(float) /
                              seconds * 1e-9);
  } while (std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - begin)
               .count() < milliseconds);
  for (float* block : blocks) std::free(block);
  return best;
}

}  // namespace myelin_bench
