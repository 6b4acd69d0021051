// fma_peak_gflops: times the FMA-chain loop on the thread pool's threads at once. The loop is
// sized from a short calibration run so each measurement lasts about the time asked for.
#include "fma_peak.h"

#include <algorithm>
#include <atomic>
#include <chrono>

#include "arch.h"
#include "cpu_features.h"
#include "fma_peak_internal.h"
#include "thread_pool.h"

namespace myelin {

namespace {

// The FMA-chain loop that matches the path the kernels take now, its vector width in floats and
// its number of chains; a null loop where there is none.
struct Chains {
  float (*run)(long long iterations, float seed);
  int lanes;
  int chains;
};

Chains chains_for(Isa isa) {
#if MYELIN_ARCH_X64
  // avx512 or avx2; on the generic path of an AVX2 CPU, the AVX2 loop, as before.
  if (isa == Isa::avx512) return {peak_detail::fma_chains_avx512, 16, 12};
  if (isa_supported(Isa::avx2)) return {peak_detail::fma_chains_avx2, 8, 12};
#elif MYELIN_ARCH_ARM64
  static_cast<void>(isa);  // NEON on every AArch64 CPU, whichever path is active
  return {peak_detail::fma_chains_neon, 4, 16};
#else
  static_cast<void>(isa);
#endif
  return {nullptr, 0, 0};
}

double seconds_since(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace

double fma_peak_gflops(int threads, double milliseconds) {
  // Read once: the loop measured matches the path the kernels take now.
  const Chains loop = chains_for(active_isa());
  if (loop.run == nullptr) return 0.0;
  const auto chains = loop.run;
  const double flops_per_iteration = 2.0 * loop.lanes * loop.chains;
  long long iterations = 1 << 16;
  for (;;) {  // calibrate on one thread until a run lasts a tenth of the target
    const auto start = std::chrono::steady_clock::now();
    volatile float sink = chains(iterations, 1.0f);
    (void)sink;
    const double elapsed = seconds_since(start);
    if (elapsed * 1e3 >= milliseconds / 10 || iterations > (1LL << 40)) {
      iterations = static_cast<long long>(iterations * (milliseconds / 1e3) / std::max(elapsed, 1e-9));
      break;
    }
    iterations *= 4;
  }
  const int saved = num_threads();
  set_num_threads(threads);
  const int used = std::min(threads, num_threads());
  std::atomic<float> sink{0.0f};
  const auto start = std::chrono::steady_clock::now();
  parallel_for(used, [&](int task) {
    const float value = chains(iterations, 1.0f + task);
    sink.store(value, std::memory_order_relaxed);
  });
  const double elapsed = seconds_since(start);
  set_num_threads(saved);
  return used * iterations * flops_per_iteration / elapsed / 1e9;
}

}  // namespace myelin
