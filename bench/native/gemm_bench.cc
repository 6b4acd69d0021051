// sgemm throughput in GFLOP/s (2*m*n*k per call), best of several repetitions, at 1 and 2
// threads, on the active ISA path (MYELIN_ISA=generic|avx2 to force one): square sizes (the small
// ones show where a second thread starts to pay) and the
// shapes of training a 784-256 MLP layer at batch 128, plus batch-1 inference.
// m = rows of C, n = columns of C, k = the reduced dimension.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <vector>

#include "kernels/gemm/gemm.h"
#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"

namespace {

struct Trial {
  const char* description;
  int m, n, k;
  bool trans_a, trans_b;
};

// Seconds per call for one repetition: enough calls to last about 20 ms.
double time_calls(const Trial& t, std::vector<float>& c, const std::vector<float>& a,
                  const std::vector<float>& b, int calls) {
  using clock = std::chrono::steady_clock;
  const auto start = clock::now();
  for (int i = 0; i < calls; ++i) {
    myelin::sgemm(c.data(), a.data(), b.data(), t.m, t.n, t.k, t.trans_a, t.trans_b, 1.0f, 0.0f);
  }
  return std::chrono::duration<double>(clock::now() - start).count() / calls;
}

// Best-of-reps GFLOP/s at 1 and at 2 threads. The two are measured in alternation, so a burst
// of load from other processes on this shared machine hits both rather than only one.
void measure(const Trial& t, double* gflops_1, double* gflops_2) {
  std::vector<float> a(static_cast<std::size_t>(t.m) * t.k, 0.5f);
  std::vector<float> b(static_cast<std::size_t>(t.k) * t.n, 0.25f);
  std::vector<float> c(static_cast<std::size_t>(t.m) * t.n, 0.0f);
  myelin::set_num_threads(1);
  time_calls(t, c, a, b, 1);
  const double once = time_calls(t, c, a, b, 1);
  const int calls = std::max(1, static_cast<int>(0.02 / std::max(once, 1e-9)));
  double best[2] = {1e30, 1e30};
  for (int rep = 0; rep < 7; ++rep) {
    for (int threads = 1; threads <= 2; ++threads) {
      myelin::set_num_threads(threads);
      best[threads - 1] = std::min(best[threads - 1], time_calls(t, c, a, b, calls));
    }
  }
  const double flop = 2.0 * t.m * t.n * t.k;
  *gflops_1 = flop / best[0] * 1e-9;
  *gflops_2 = flop / best[1] * 1e-9;
}

}  // namespace

int main() {
  const Trial trials[] = {
      {"square 64", 64, 64, 64, false, false},
      {"square 128", 128, 128, 128, false, false},
      {"square 256", 256, 256, 256, false, false},
      {"square 512", 512, 512, 512, false, false},
      {"square 1024", 1024, 1024, 1024, false, false},
      {"square 2048", 2048, 2048, 2048, false, false},
      {"mlp forward  X W      [128x784]x[784x256]", 128, 256, 784, false, false},
      {"mlp dW = X^T dY       m=784 n=256 k=128 trans_a", 784, 256, 128, true, false},
      {"mlp dX = dY W^T       m=128 n=784 k=256 trans_b", 128, 784, 256, false, true},
      {"batch-1 forward       [1x784]x[784x256]", 1, 256, 784, false, false},
  };
  std::printf("isa %s, max threads %d\n", myelin::isa_name(myelin::active_isa()),
              myelin::max_threads());
  std::printf("%-50s %12s %12s %8s\n", "trial", "1 thread", "2 threads", "speedup");
  for (const Trial& t : trials) {
    double one = 0.0, two = 0.0;
    measure(t, &one, &two);
    std::printf("%-50s %8.1f GF/s %8.1f GF/s %7.2fx\n", t.description, one, two, two / one);
  }
  return 0;
}
