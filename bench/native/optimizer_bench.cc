// The cost of the all-or-nothing optimizer step (issue 12, item 8): one step (its check pass,
// then its update pass; optimizers.cc) beside its update pass alone, measured in the same run on
// the parameter arenas of two models: the anchor MLP 784-256-128-10 (235,146 floats) and a
// tabular 20-16-16-2 MLP (642 floats). The update pass alone is the step's own chunk loop with
// store true over the same chunks (arena_internal.h), what the step cost before it checked.
//
// Each repetition times the step and the update pass back to back (calls lasting --min-ms each,
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
#include "kernels/arena_internal.h"
#include "kernels/optimizers.h"
#include "runtime/chunked.h"
#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"

namespace {

namespace detail = myelin::arena_detail;

// Hyperparameters of the steps timed: Keras's defaults, Adam at its 10th step.
constexpr float kLr = 1e-3f, kBeta1 = 0.9f, kBeta2 = 0.999f, kEps = 1e-7f, kMomentum = 0.9f;
constexpr std::int64_t kAdamStep = 10;

struct Arena {
  const char* model;
  std::int64_t floats;
};

const Arena kArenas[] = {{"mlp 784-256-128-10", 235146}, {"mlp 20-16-16-2", 642}};

// params, gradients and two slots (Adam's m and v; SGD's velocity in the first).
struct Buffers {
  std::vector<float> p, g, s1, s2;
};

Buffers make_buffers(std::int64_t n) {
  std::mt19937 rng(7);
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  Buffers b;
  for (auto* v : {&b.p, &b.g, &b.s1, &b.s2}) v->resize(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    b.p[i] = unit(rng);
    b.g[i] = unit(rng);
    b.s1[i] = 0.1f * unit(rng);
    b.s2[i] = 1e-4f * (1.0f + unit(rng));
  }
  return b;
}

// A step the bench times must be applied: a refused one would time the check pass alone.
void applied(bool outcome) {
  if (outcome) return;
  std::fprintf(stderr, "optimizer_bench: a step was refused (non-finite values)\n");
  std::exit(1);
}

struct Trial {
  const char* optimizer;
  void (*step)(Buffers& b, std::int64_t n);
  void (*update)(Buffers& b, std::int64_t n);  // the update pass alone
};

const Trial kTrials[] = {
    {"adam",
     [](Buffers& b, std::int64_t n) {
       applied(myelin::adam_step(b.p.data(), b.s1.data(), b.s2.data(), nullptr, b.g.data(), n, kLr,
                                 kBeta1, kBeta2, kEps, 0.0f, kAdamStep));
     },
     [](Buffers& b, std::int64_t n) {
       const float lr_t = static_cast<float>(kLr * std::sqrt(1.0 - std::pow(kBeta2, kAdamStep)) /
                                             (1.0 - std::pow(kBeta1, kAdamStep)));
       const auto chunk = myelin::isa_at_least(myelin::Isa::avx2) ? detail::adam_chunk_avx2
                                                                  : detail::adam_chunk_generic;
       myelin::for_chunks(n, [&](std::int64_t begin, std::int64_t end) {
         chunk(b.p.data() + begin, b.s1.data() + begin, b.s2.data() + begin, nullptr,
               b.g.data() + begin, end - begin, lr_t, kBeta1, kBeta2, kEps, 0.0f, true);
       });
     }},
    {"sgd momentum 0.9",
     [](Buffers& b, std::int64_t n) {
       applied(myelin::sgd_step(b.p.data(), b.s1.data(), b.g.data(), n, kLr, kMomentum, false));
     },
     [](Buffers& b, std::int64_t n) {
       const auto chunk = myelin::isa_at_least(myelin::Isa::avx2)
                              ? detail::sgd_momentum_chunk_avx2
                              : detail::sgd_momentum_chunk_generic;
       myelin::for_chunks(n, [&](std::int64_t begin, std::int64_t end) {
         chunk(b.p.data() + begin, b.s1.data() + begin, b.g.data() + begin, end - begin, kLr,
               kMomentum, false, true);
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
               "step = check pass + update pass (what the library runs); update = the update pass "
               "alone; ratio = step / update per repetition, median [min, max] of %d interleaved "
               "repetitions; times are medians per call\n",
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
      Buffers buf = make_buffers(n);
      for (const int threads : opt.threads) {
        if (threads > myelin::max_threads()) continue;
        myelin::set_num_threads(threads);
        std::vector<double> step_s, update_s, ratios;
        for (int rep = 0; rep < opt.reps; ++rep) {
          step_s.push_back(myelin_bench::seconds_per_call([&] { trial.step(buf, n); }, opt.min_seconds));
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
