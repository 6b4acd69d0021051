// myelin's sgemm beside OpenBLAS's cblas_sgemm, in one process, on the same inputs, at 1 and 2
// threads, with the FMA-chain peak of this machine measured by its own loop
// (myelin::fma_peak_gflops: 12 independent FMA chains per thread of the active path's width,
// zmm on the avx512 path and ymm otherwise, in their own translation units,
// native/runtime/fma_peak_avx512.cc and fma_peak_avx2.cc, the same yardstick as the JS
// benchmarks).
// Run it through scripts/bench-gemm.sh (npm run bench:gemm), which builds it and starts it with
// OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset: OpenBLAS reads them when it is loaded, before
// main, so they cannot be changed from here. The script also shortens the spinning of OpenBLAS's
// idle threads (OPENBLAS_THREAD_TIMEOUT) to about that of myelin's pool, so neither library's
// idle threads take a core from the other's repetitions.
//
// The machine is shared and its clock drifts 10-40% between processes, so every figure that
// matters is a ratio taken in this process: myelin / OpenBLAS with their repetitions interleaved
// (A B A B ..., best of each), and myelin / peak with the peak measured at the start, between
// trials and at the end (best of all). Each repetition lasts at least --min-ms (many calls for
// small shapes). myelin's result is checked against OpenBLAS's on every trial
// (max |myelin - openblas| over max |openblas|), so a wrong kernel cannot look fast: a mismatch
// is printed as WRONG and the exit status is 1.
//
// Shapes. m = rows of C, n = columns of C, k = the reduced dimension. For a layer with K inputs,
// M units and batch N: fwd is C(N,M) = X(N,K) W(K,M); dw is C(K,M) = X^T dY with X stored
// (N,K), trans_a; dx is C(N,K) = dY(N,M) W^T with W stored (K,M), trans_b.
// The MLP is 784-256-128-10: l1 = 784->256, l2 = 256->128, l3 = 128->10.
//
// Output: a table, or with --json one JSON object per line (fields name, m, n, k, transA,
// transB, threads, myelin_gflops, openblas_gflops, ratio, peak_gflops, then pct_peak,
// bound_gflops, max_rel_err, ok, isa, openblas_core); the header then goes to stderr.
//
// bound_gflops is the most any kernel could reach on the row here: the FMA peak, or less when
// B cannot stream in fast enough. Every call reads all of B (k x n, split among the threads) at
// least once from the cache it fits in, at the read bandwidth measured in this run for a block
// of that size, and does m FMAs per element of it: batch-1 inference does 2 flops per 4 bytes
// read. The bound ignores A and C, so no kernel can pass it.
#include <cblas.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "bench_options.h"
#include "cache_bandwidth.h"
#include "kernels/gemm/gemm.h"
#include "runtime/cpu_features.h"
#include "runtime/fma_peak.h"
#include "runtime/thread_pool.h"

// Older cblas.h files lack these; the declarations match OpenBLAS's own.
extern "C" {
void openblas_set_num_threads(int num_threads);
char* openblas_get_corename(void);
char* openblas_get_config(void);
}

namespace {

using clock_type = std::chrono::steady_clock;

double seconds_since(clock_type::time_point start) {
  return std::chrono::duration<double>(clock_type::now() - start).count();
}

// ---------------------------------------------------------------------------------------------
// Trials

struct Trial {
  std::string name;
  int m, n, k;
  bool trans_a, trans_b;
};

std::vector<Trial> make_trials() {
  std::vector<Trial> trials;
  for (int s : {64, 128, 256, 512, 1024, 2048}) {
    trials.push_back({"square-" + std::to_string(s), s, s, s, false, false});
  }
  struct Layer {
    int inputs, units;
  };
  const Layer layers[] = {{784, 256}, {256, 128}, {128, 10}};
  for (int batch : {32, 128, 512}) {
    for (int l = 0; l < 3; ++l) {
      const int K = layers[l].inputs, M = layers[l].units, N = batch;
      const std::string prefix = "mlp-b" + std::to_string(batch) + "-l" + std::to_string(l + 1);
      trials.push_back({prefix + "-fwd", N, M, K, false, false});
      trials.push_back({prefix + "-dw", K, M, N, true, false});
      trials.push_back({prefix + "-dx", N, K, M, false, true});
    }
  }
  for (int batch : {1, 8}) {
    for (int l = 0; l < 3; ++l) {
      trials.push_back({"infer-b" + std::to_string(batch) + "-l" + std::to_string(l + 1), batch,
                        layers[l].units, layers[l].inputs, false, false});
    }
  }
  return trials;
}

// ---------------------------------------------------------------------------------------------
// The two implementations, called the same way on the same buffers.

void call_myelin(const Trial& t, float* c, const float* a, const float* b) {
  myelin::sgemm(c, a, b, t.m, t.n, t.k, t.trans_a, t.trans_b, 1.0f, 0.0f);
}

void call_openblas(const Trial& t, float* c, const float* a, const float* b) {
  const int lda = t.trans_a ? t.m : t.k;
  const int ldb = t.trans_b ? t.k : t.n;
  cblas_sgemm(CblasRowMajor, t.trans_a ? CblasTrans : CblasNoTrans,
              t.trans_b ? CblasTrans : CblasNoTrans, t.m, t.n, t.k, 1.0f, a, lda, b, ldb, 0.0f, c,
              t.n);
}

using GemmFn = void (*)(const Trial&, float*, const float*, const float*);

// Seconds per call over `calls` back-to-back calls.
double time_calls(GemmFn fn, const Trial& t, float* c, const float* a, const float* b,
                  long calls) {
  const auto start = clock_type::now();
  for (long i = 0; i < calls; ++i) fn(t, c, a, b);
  return seconds_since(start) / static_cast<double>(calls);
}

// Calls needed for one repetition to last min_seconds: doubles a batch until it lasts a
// quarter of that, so tiny shapes are not calibrated from one cold call.
long calibrate(GemmFn fn, const Trial& t, float* c, const float* a, const float* b,
               double min_seconds) {
  fn(t, c, a, b);
  long calls = 1;
  for (;;) {
    const double per_call = time_calls(fn, t, c, a, b, calls);
    if (per_call * static_cast<double>(calls) >= min_seconds / 4 || calls >= (1L << 30)) {
      return std::max(1L, static_cast<long>(std::ceil(min_seconds / std::max(per_call, 1e-12))));
    }
    calls *= 2;
  }
}

// Deterministic xorshift in [-1, 1).
void fill_random(std::vector<float>& v, std::uint64_t seed) {
  std::uint64_t s = seed | 1;
  for (float& x : v) {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    x = static_cast<float>((s >> 40) * (1.0 / (1 << 23))) - 1.0f;
  }
}

// max |got - ref| / max |ref|; infinity when got holds a NaN or an infinity.
double max_relative_error(const std::vector<float>& got, const std::vector<float>& ref) {
  double diff = 0.0, scale = 0.0;
  for (std::size_t i = 0; i < ref.size(); ++i) {
    if (!std::isfinite(got[i])) return INFINITY;
    diff = std::max(diff, std::fabs(static_cast<double>(got[i]) - ref[i]));
    scale = std::max(scale, std::fabs(static_cast<double>(ref[i])));
  }
  return scale > 0.0 ? diff / scale : diff;
}

struct Result {
  const Trial* trial;
  int threads;
  double myelin_gflops, openblas_gflops, max_rel_err;
  bool ok;
};

// Inputs of [-1, 1): float32 sums of k such products stay within a few 1e-6 of the exact
// value relative to the largest entry; 1e-4 leaves room for any summation order and still
// catches a wrong tile or a missed edge.
constexpr double kTolerance = 1e-4;

Result measure(const Trial& t, int threads, int reps, double min_seconds) {
  std::vector<float> a(static_cast<std::size_t>(t.m) * t.k);
  std::vector<float> b(static_cast<std::size_t>(t.k) * t.n);
  std::vector<float> c_myelin(static_cast<std::size_t>(t.m) * t.n, NAN);
  std::vector<float> c_openblas(static_cast<std::size_t>(t.m) * t.n, NAN);
  fill_random(a, 0x9E3779B97F4A7C15ull ^ (static_cast<std::uint64_t>(t.m) << 20) ^ t.k);
  fill_random(b, 0xD1B54A32D192ED03ull ^ (static_cast<std::uint64_t>(t.n) << 20) ^ t.k);
  myelin::set_num_threads(threads);
  openblas_set_num_threads(threads);

  call_openblas(t, c_openblas.data(), a.data(), b.data());
  call_myelin(t, c_myelin.data(), a.data(), b.data());
  Result r{&t, threads, 0.0, 0.0, max_relative_error(c_myelin, c_openblas), false};
  r.ok = r.max_rel_err <= kTolerance;

  const long calls_myelin =
      calibrate(call_myelin, t, c_myelin.data(), a.data(), b.data(), min_seconds);
  const long calls_openblas =
      calibrate(call_openblas, t, c_openblas.data(), a.data(), b.data(), min_seconds);
  double best_myelin = INFINITY, best_openblas = INFINITY;
  for (int rep = 0; rep < reps; ++rep) {
    best_myelin = std::min(best_myelin, time_calls(call_myelin, t, c_myelin.data(), a.data(),
                                                   b.data(), calls_myelin));
    best_openblas = std::min(best_openblas, time_calls(call_openblas, t, c_openblas.data(),
                                                       a.data(), b.data(), calls_openblas));
  }
  const double flop = 2.0 * t.m * t.n * t.k;
  r.myelin_gflops = flop / best_myelin * 1e-9;
  r.openblas_gflops = flop / best_openblas * 1e-9;
  return r;
}

// ---------------------------------------------------------------------------------------------
// Output

struct Options : myelin_bench::BenchOptions {
  bool check_openblas = false;
  Options() {
    reps = 5;
    min_seconds = 0.03;
    threads = {1, 2};
  }
};

void usage() {
  std::printf(
      "usage: gemm_bench [--json] [--filter SUBSTRING] [--reps N] [--min-ms MS] [--threads 1,2]\n"
      "       gemm_bench --check-openblas   (exit 0 when OpenBLAS gives right results here)\n");
}

bool parse_args(int argc, char** argv, Options* o) {
  for (int i = 1; i < argc; ++i) {
    const myelin_bench::Parsed common = myelin_bench::parse_common_option(argc, argv, &i, o);
    if (common == myelin_bench::Parsed::taken) continue;
    if (common == myelin_bench::Parsed::malformed) return false;
    const std::string arg = argv[i];
    if (arg == "--check-openblas") {
      o->check_openblas = true;
    } else if (arg == "--help" || arg == "-h") {
      usage();
      std::exit(0);
    } else {
      return false;
    }
  }
  return true;
}

const char* env_or_unset(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? v : "<unset>";
}

// OpenBLAS kernels that use zmm registers: they may pass the AVX2 (ymm) peak measured here.
bool avx512_core(const std::string& core) {
  for (const char* name : {"SkylakeX", "Cooperlake", "SapphireRapids"}) {
    if (core == name) return true;
  }
  return false;
}

// OpenBLAS against a float64 triple loop on small awkward shapes, every transpose, 1 and 2
// threads: the wrapper script runs this first and falls back to another OpenBLAS kernel when
// it fails or crashes.
int check_openblas() {
  int failures = 0;
  const int shapes[][3] = {{1, 1, 1},       {7, 5, 3},       {17, 33, 65},  {64, 64, 64},
                           {129, 257, 100}, {300, 200, 513}, {1, 256, 784}, {784, 256, 128}};
  for (int threads = 1; threads <= 2; ++threads) {
    openblas_set_num_threads(threads);
    for (const auto& s : shapes) {
      for (int trans = 0; trans < 4; ++trans) {
        const Trial t{"check", s[0], s[1], s[2], (trans & 1) != 0, (trans & 2) != 0};
        std::vector<float> a(static_cast<std::size_t>(t.m) * t.k);
        std::vector<float> b(static_cast<std::size_t>(t.k) * t.n);
        std::vector<float> c(static_cast<std::size_t>(t.m) * t.n, NAN), ref(c.size());
        fill_random(a, 11 + trans);
        fill_random(b, 29 + trans);
        call_openblas(t, c.data(), a.data(), b.data());
        for (int i = 0; i < t.m; ++i) {
          for (int j = 0; j < t.n; ++j) {
            double sum = 0.0;
            for (int p = 0; p < t.k; ++p) {
              const double x = t.trans_a ? a[static_cast<std::size_t>(p) * t.m + i]
                                         : a[static_cast<std::size_t>(i) * t.k + p];
              const double y = t.trans_b ? b[static_cast<std::size_t>(j) * t.k + p]
                                         : b[static_cast<std::size_t>(p) * t.n + j];
              sum += x * y;
            }
            ref[static_cast<std::size_t>(i) * t.n + j] = static_cast<float>(sum);
          }
        }
        const double err = max_relative_error(c, ref);
        if (!(err <= kTolerance)) {
          std::printf("FAIL openblas m=%d n=%d k=%d transA=%d transB=%d threads=%d: %.3g\n", t.m,
                      t.n, t.k, t.trans_a, t.trans_b, threads, err);
          ++failures;
        }
      }
    }
  }
  std::printf("openblas %s (%s): %s\n", openblas_get_corename(), openblas_get_config(),
              failures == 0 ? "OK" : "WRONG RESULTS");
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (!parse_args(argc, argv, &opt)) {
    usage();
    return 2;
  }
  if (opt.check_openblas) return check_openblas();

  const std::vector<Trial> all = make_trials();
  std::vector<const Trial*> trials;
  for (const Trial& t : all) {
    if (t.name.find(opt.filter) != std::string::npos) trials.push_back(&t);
  }
  std::vector<int> thread_counts;
  for (int t : opt.threads) {
    if (t <= myelin::max_threads()) thread_counts.push_back(t);
  }
  if (thread_counts.empty() || trials.empty()) {
    std::fprintf(stderr, "gemm_bench: nothing to run (max threads here %d; filter \"%s\")\n",
                 myelin::max_threads(), opt.filter.c_str());
    return 2;
  }
  const int most_threads = *std::max_element(thread_counts.begin(), thread_counts.end());

  const std::string core = openblas_get_corename();
  const std::string isa = myelin::isa_name(myelin::active_isa());
  FILE* header = opt.json ? stderr : stdout;
  std::fprintf(header, "myelin isa %s, max threads %d\n", isa.c_str(), myelin::max_threads());
  std::fprintf(header, "openblas core %s; config: %s\n", core.c_str(), openblas_get_config());
  std::fprintf(header,
               "openblas environment: OPENBLAS_CORETYPE=%s OPENBLAS_L2_SIZE=%s "
               "OPENBLAS_THREAD_TIMEOUT=%s\n",
               env_or_unset("OPENBLAS_CORETYPE"), env_or_unset("OPENBLAS_L2_SIZE"),
               env_or_unset("OPENBLAS_THREAD_TIMEOUT"));
  if (const char* note = std::getenv("MYELIN_BENCH_NOTE")) {
    std::fprintf(header, "note: %s\n", note);
  }
  const bool zmm_peak = myelin::active_isa() == myelin::Isa::avx512;
  if (avx512_core(core) && !zmm_peak) {
    std::fprintf(header,
                 "note: this OpenBLAS kernel uses AVX-512; myelin uses AVX2+FMA, and the peak "
                 "below is the AVX2 (ymm) FMA peak\n");
  }

  // The peak at the start and at the end (three runs of 50 ms each time) and once more after
  // every trial (20 ms); the best of all is used, as the clock drifts and other processes come
  // and go: a peak taken only while a core was busy would flatter every figure against it.
  const bool have_fma = myelin::isa_supported(myelin::Isa::avx2);
  std::vector<double> peak(most_threads + 1, 0.0);
  auto measure_peaks = [&](int reps, double milliseconds) {
    for (int t : thread_counts) {
      for (int rep = 0; rep < reps; ++rep) {
        peak[t] = std::max(peak[t], myelin::fma_peak_gflops(t, milliseconds));
      }
    }
  };
  measure_peaks(3, 50);

  const bool progress = isatty(STDERR_FILENO) != 0;
  std::vector<Result> results;
  for (const Trial* t : trials) {
    for (int threads : thread_counts) {
      if (progress) std::fprintf(stderr, "\r%-24s threads %d ", t->name.c_str(), threads);
      results.push_back(measure(*t, threads, opt.reps, opt.min_seconds));
    }
    measure_peaks(1, 20);
  }
  if (progress) std::fprintf(stderr, "\r%40s\r", "");
  measure_peaks(3, 50);

  if (have_fma) {
    std::fprintf(header, "peak (12 %s FMA chains per thread, best of the run):",
                 zmm_peak ? "AVX-512 (zmm)" : "AVX2 (ymm)");
    for (int t : thread_counts) {
      std::fprintf(header, "  %d thread%s %.1f GFLOP/s", t, t == 1 ? "" : "s", peak[t]);
    }
    std::fprintf(header, "\n");
    if (peak.size() > 2 && peak[1] > 0.0 && most_threads >= 2 &&
        peak[most_threads] < 0.75 * most_threads * peak[1]) {
      std::fprintf(header,
                   "warning: %d threads never reached %.0f%% of %d x the 1-thread peak: other "
                   "processes held a core, so the multi-thread figures are not trustworthy\n",
                   most_threads, 75.0, most_threads);
    }
  } else {
    std::fprintf(header, "peak: not measured (no AVX2+FMA on this CPU)\n");
  }

  // The bandwidth roofline, measured after the trials, once for each block size and thread
  // count that they read B in (the forward rows of every batch size share one B).
  std::map<std::pair<int, std::size_t>, double> measured_gbps;
  std::vector<double> bound(results.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    const Trial& t = *results[i].trial;
    const int threads = results[i].threads;
    const std::size_t block = std::max<std::size_t>(
        static_cast<std::size_t>(t.k) * t.n * sizeof(float) / threads, 4096);
    double& gbps = measured_gbps[{threads, block}];
    if (gbps == 0.0) gbps = myelin_bench::cache_read_gbps(threads, block, 30);
    const double streaming = gbps > 0.0 ? t.m * gbps / 2.0 : INFINITY;  // m FMAs per 4 bytes
    bound[i] = std::min(peak[threads] > 0.0 ? peak[threads] : INFINITY, streaming);
  }

  int wrong = 0;
  if (!opt.json) {
    std::printf("%-18s %5s %5s %5s %2s %2s %3s %10s %10s %7s %6s %7s %9s\n", "name", "m", "n",
                "k", "tA", "tB", "thr", "myelin", "openblas", "ratio", "%peak", "bound", "max_err");
  }
  for (std::size_t i = 0; i < results.size(); ++i) {
    const Result& r = results[i];
    const Trial& t = *r.trial;
    const double ratio = r.myelin_gflops / r.openblas_gflops;
    const double pk = peak[r.threads];
    const double pct = pk > 0.0 ? 100.0 * r.myelin_gflops / pk : 0.0;
    wrong += !r.ok;
    if (opt.json) {
      std::printf(
          "{\"name\":\"%s\",\"m\":%d,\"n\":%d,\"k\":%d,\"transA\":%s,\"transB\":%s,"
          "\"threads\":%d,\"myelin_gflops\":%.2f,\"openblas_gflops\":%.2f,\"ratio\":%.4f,"
          "\"peak_gflops\":%.2f,\"pct_peak\":%.1f,\"bound_gflops\":%.2f,\"max_rel_err\":%.3g,"
          "\"ok\":%s,\"isa\":\"%s\",\"openblas_core\":\"%s\"}\n",
          t.name.c_str(), t.m, t.n, t.k, t.trans_a ? "true" : "false",
          t.trans_b ? "true" : "false", r.threads, r.myelin_gflops, r.openblas_gflops, ratio, pk,
          pct, std::isfinite(bound[i]) ? bound[i] : 0.0,
          std::isfinite(r.max_rel_err) ? r.max_rel_err : 1e300, r.ok ? "true" : "false",
          isa.c_str(), core.c_str());
    } else {
      std::printf("%-18s %5d %5d %5d %2s %2s %3d %10.1f %10.1f %7.2f %5.0f%% %7.1f %9.2g%s\n",
                  t.name.c_str(), t.m, t.n, t.k, t.trans_a ? "T" : "N", t.trans_b ? "T" : "N",
                  r.threads, r.myelin_gflops, r.openblas_gflops, ratio, pct, bound[i],
                  r.max_rel_err, r.ok ? "" : "  WRONG");
    }
  }
  if (!opt.json) {
    std::printf("GFLOP/s (2mnk per call), best of %d interleaved repetitions of >= %.0f ms; "
                "ratio = myelin / openblas; %%peak = myelin / peak at the same thread count;\n"
                "bound = the most any kernel could reach: the peak, or B streamed once from cache "
                "at the read bandwidth measured here (m FMAs per element of B)\n",
                opt.reps, opt.min_seconds * 1e3);
  }
  if (wrong != 0) {
    std::fprintf(stderr, "gemm_bench: %d trial(s) where myelin disagrees with OpenBLAS by more "
                 "than %.0e (max relative error)\n", wrong, kTolerance);
    return 1;
  }
  return 0;
}
