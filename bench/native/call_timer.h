// Time per call of a kernel, as the elementwise and optimizer benchmarks measure it.
#pragma once

#include <chrono>
#include <functional>

namespace myelin_bench {

// Seconds per call: one warm-up call, then calls until min_seconds have passed.
inline double seconds_per_call(const std::function<void()>& fn, double min_seconds) {
  using clock = std::chrono::steady_clock;
  fn();
  int calls = 0;
  const auto start = clock::now();
  double elapsed = 0.0;
  do {
    fn();
    ++calls;
    elapsed = std::chrono::duration<double>(clock::now() - start).count();
  } while (elapsed < min_seconds);
  return elapsed / calls;
}

}  // namespace myelin_bench
