// The cost of the all-or-nothing optimizer step (issue 12, item 8): one step as the library runs
// it (one pass that saves the old params into the gradients and writes each slot into its other
// array; optimizers.cc) beside a plain update in place, measured in the same run on the parameter
// arenas of two models: the anchor MLP 784-256-128-10 (235,146 floats) and a tabular 20-16-16-2
// MLP (642 floats). The plain update is a bench-only loop (below, and plain_update_avx2.cc for
// the AVX2 path), what the step cost before it could be refused: no old values kept, slots
// updated in place, nothing checked, over the same chunks on the same thread pool.
//
// The step alternates each slot's two arrays from call to call, as the optimizer does when every
// update is applied. It also writes the old params into the gradients; the next call then takes
// those as its params and the params just written as its gradients. Fed back the other way
// (its old params as the next gradients), thousands of calls would pull the params to 0 and their
// slots into subnormals, which the CPU handles slowly and a step on fresh gradients does not meet;
// this way every value stays near where it started. The plain update leaves the gradients alone.
// Both timings of a repetition start from the same state.
//
// Each repetition times the step and the plain update back to back (calls lasting --min-ms each,
// after one warm-up call), so a burst of load from other processes on a shared machine hits
// both; the ratio is taken per repetition and reported as its median and its range over --reps
// repetitions, beside the median time per call of each.
//
// Output: a table, or with --json one JSON object per line (fields name, optimizer, floats,
// threads, isa, step_us, update_us, ratio, ratio_min, ratio_max). The ISA path is the active one
// (MYELIN_ISA=generic|avx2|avx512 forces one; the avx512 path runs the AVX2 loops).
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "bench_options.h"
#include "call_timer.h"
#include "kernels/optimizers.h"
#include "runtime/chunked.h"
#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"

namespace myelin_bench {

// The plain updates over one chunk, AVX2+FMA (plain_update_avx2.cc).
void adam_in_place_avx2(float* p, float* m, float* v, const float* g, std::int64_t count,
                        float lr_t, float beta1, float beta2, float epsilon);
void sgd_momentum_in_place_avx2(float* p, float* v, const float* g, std::int64_t count, float lr,
                                float momentum);

}  // namespace myelin_bench

namespace {

// The avx2 and avx512 paths run the AVX2 arena loops (arena_loops.cc), so the plain update
// beside them does too.
bool uses_avx2() {
  const myelin::Isa isa = myelin::active_isa();
  return isa == myelin::Isa::avx2 || isa == myelin::Isa::avx512;
}

// Hyperparameters of the steps timed: Keras's defaults, Adam at its 10th step.
constexpr float kLr = 1e-3f, kBeta1 = 0.9f, kBeta2 = 0.999f, kEps = 1e-7f, kMomentum = 0.9f;
constexpr std::int64_t kAdamStep = 10;

// The plain updates over one chunk, for the generic path, as its loops were (baseline x86-64).
void adam_in_place_generic(float* p, float* m, float* v, const float* g, std::int64_t count,
                           float lr_t, float beta1, float beta2, float epsilon) {
  for (std::int64_t i = 0; i < count; ++i) {
    m[i] = beta1 * m[i] + (1.0f - beta1) * g[i];
    v[i] = beta2 * v[i] + (1.0f - beta2) * g[i] * g[i];
    p[i] -= lr_t * m[i] / (std::sqrt(v[i]) + epsilon);
  }
}

void sgd_momentum_in_place_generic(float* p, float* v, const float* g, std::int64_t count,
                                   float lr, float momentum) {
  for (std::int64_t i = 0; i < count; ++i) {
    v[i] = momentum * v[i] - lr * g[i];
    p[i] += v[i];
  }
}

struct Arena {
  const char* model;
  std::int64_t floats;
};

const Arena kArenas[] = {{"mlp 784-256-128-10", 235146}, {"mlp 20-16-16-2", 642}};

// params, gradients and two slots (Adam's m and v; SGD's velocity in the first), each slot a
// pair of arrays: the step reads s[current] and writes the other.
struct Buffers {
  std::vector<float> p, g, s1[2], s2[2];
  int current = 0;
};

// The state every timing starts from, in buffers of n floats.
void fill_buffers(Buffers& b, std::int64_t n) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  for (auto* v : {&b.p, &b.g, &b.s1[0], &b.s1[1], &b.s2[0], &b.s2[1]}) {
    v->assign(static_cast<std::size_t>(n), 0.0f);
  }
  for (std::int64_t i = 0; i < n; ++i) {
    b.p[i] = unit(rng);
    b.g[i] = unit(rng);
    b.s1[0][i] = 0.1f * unit(rng);
    b.s2[0][i] = 1e-4f * (1.0f + unit(rng));
  }
  b.current = 0;
}

// A step the bench times must be applied: a refused one would time the restoring copy too.
// Applied, its out arrays become the current slots, and params and gradients trade places.
void applied(bool outcome, Buffers& b) {
  if (!outcome) {
    std::fprintf(stderr, "optimizer_bench: a step was refused (non-finite values)\n");
    std::exit(1);
  }
  b.current = 1 - b.current;
  b.p.swap(b.g);
}

struct Trial {
  const char* optimizer;
  void (*step)(Buffers& b, std::int64_t n);
  void (*update)(Buffers& b, std::int64_t n);  // the plain update in place
};

const Trial kTrials[] = {
    {"adam",
     [](Buffers& b, std::int64_t n) {
       const int in = b.current, out = 1 - in;
       applied(myelin::adam_step(b.p.data(), b.g.data(), b.s1[out].data(), b.s2[out].data(),
                                 nullptr, b.s1[in].data(), b.s2[in].data(), nullptr, n, kLr,
                                 kBeta1, kBeta2, kEps, 0.0f, kAdamStep),
               b);
     },
     [](Buffers& b, std::int64_t n) {
       const float lr_t = static_cast<float>(kLr * std::sqrt(1.0 - std::pow(kBeta2, kAdamStep)) /
                                             (1.0 - std::pow(kBeta1, kAdamStep)));
       const auto chunk = uses_avx2()
                              ? myelin_bench::adam_in_place_avx2
                              : adam_in_place_generic;
       float *m = b.s1[b.current].data(), *v = b.s2[b.current].data();
       myelin::for_chunks(n, [&](std::int64_t begin, std::int64_t end) {
         chunk(b.p.data() + begin, m + begin, v + begin, b.g.data() + begin, end - begin, lr_t,
               kBeta1, kBeta2, kEps);
       });
     }},
    {"sgd momentum 0.9",
     [](Buffers& b, std::int64_t n) {
       const int in = b.current, out = 1 - in;
       applied(myelin::sgd_step(b.p.data(), b.g.data(), b.s1[out].data(), b.s1[in].data(), n,
                                kLr, kMomentum, false),
               b);
     },
     [](Buffers& b, std::int64_t n) {
       const auto chunk = uses_avx2()
                              ? myelin_bench::sgd_momentum_in_place_avx2
                              : sgd_momentum_in_place_generic;
       float* v = b.s1[b.current].data();
       myelin::for_chunks(n, [&](std::int64_t begin, std::int64_t end) {
         chunk(b.p.data() + begin, v + begin, b.g.data() + begin, end - begin, kLr, kMomentum);
       });
     }},
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  const std::size_t h = v.size() / 2;
  return v.size() % 2 == 1 ? v[h] : 0.5 * (v[h - 1] + v[h]);
}

struct Options : myelin_bench::BenchOptions {
  Options() {
    reps = 21;
    min_seconds = 0.01;
    threads = {1, 2};
  }
};

void usage() {
  std::printf(
      "usage: optimizer_bench [--json] [--filter SUBSTRING] [--reps N] [--min-ms MS] "
      "[--threads 1,2]\n"
      "defaults: --reps 21 --min-ms 10 --threads 1,2 (counts above the machine's are skipped)\n");
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (!myelin_bench::parse_common_options(argc, argv, &opt)) {
    usage();
    return 2;
  }
  const char* isa = myelin::isa_name(myelin::active_isa());
  FILE* header = myelin_bench::begin_header(opt, isa, myelin::max_threads());
  std::fprintf(header,
               "step = the all-or-nothing step (what the library runs); update = a plain update "
               "in place (what it cost before); ratio = step / update per repetition, median "
               "[min, max] of %d interleaved repetitions; times are medians per call\n",
               opt.reps);
  if (!opt.json) {
    std::printf("%-17s %-19s %7s %3s %10s %10s %6s %15s\n", "optimizer", "arena", "floats", "thr",
                "step us", "update us", "ratio", "range");
  }
  for (const Trial& trial : kTrials) {
    if (!opt.filter.empty() && std::string(trial.optimizer).find(opt.filter) == std::string::npos) {
      continue;
    }
    for (const Arena& arena : kArenas) {
      const std::int64_t n = arena.floats;
      Buffers buf;
      for (const int threads : opt.threads) {
        if (threads > myelin::max_threads()) continue;
        myelin::set_num_threads(threads);
        std::vector<double> step_s, update_s, ratios;
        for (int rep = 0; rep < opt.reps; ++rep) {
          fill_buffers(buf, n);
          step_s.push_back(myelin_bench::seconds_per_call([&] { trial.step(buf, n); }, opt.min_seconds));
          fill_buffers(buf, n);
          update_s.push_back(myelin_bench::seconds_per_call([&] { trial.update(buf, n); }, opt.min_seconds));
          ratios.push_back(step_s.back() / update_s.back());
        }
        const double step_us = median(step_s) * 1e6, update_us = median(update_s) * 1e6;
        const double ratio = median(ratios);
        const auto [lo, hi] = std::minmax_element(ratios.begin(), ratios.end());
        if (opt.json) {
          std::printf(
              "{\"name\":\"%s %lld %dt\",\"optimizer\":\"%s\",\"floats\":%lld,\"threads\":%d,"
              "\"isa\":\"%s\",\"step_us\":%.3f,\"update_us\":%.3f,\"ratio\":%.3f,"
              "\"ratio_min\":%.3f,\"ratio_max\":%.3f}\n",
              trial.optimizer, static_cast<long long>(n), threads, trial.optimizer,
              static_cast<long long>(n), threads, isa, step_us, update_us, ratio, *lo, *hi);
        } else {
          std::printf("%-17s %-19s %7lld %3d %10.3f %10.3f %6.2f   [%.2f, %.2f]\n",
                      trial.optimizer, arena.model, static_cast<long long>(n), threads, step_us,
                      update_us, ratio, *lo, *hi);
        }
        std::fflush(stdout);
      }
    }
  }
  return 0;
}
