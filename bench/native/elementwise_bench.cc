// Elementwise kernels in GB/s beside a plain memcpy of the same array size, both measured in the
// same run: activations forward and backward (relu, sigmoid, tanh, softmax over rows of 10 and
// of 256), the Adam step, and memcpy itself. The goal (issue 3, item 5) is 70% of the memcpy
// figure, for arrays that fit in L2 and for arrays that do not.
//
// Convention: GB/s = (bytes read + bytes written) per call / seconds per call, 1 GB = 1e9 bytes,
// counting each array once (write-allocate traffic is not counted): a forward reads z and writes
// y (8 bytes a float), a backward reads dy and y and writes dz (12), Adam reads p, g, m, v and
// writes p, g (the old params, optimizers.h) and m, v into their other arrays (32), memcpy reads
// and writes one array (8). "bytes/array" is the size of one such array. The Adam step
// alternates each slot's two arrays from call to call, as the optimizer does, and params and
// gradients trade places after each call (as in optimizer_bench.cc: fed back as gradients, the
// old params would be pulled to 0 and the slots into slow subnormals).
// On the thread pool the memcpy is cut into the same fixed chunks as the kernels.
//
// Each repetition times memcpy and the kernel back to back (calls lasting --min-ms each, after
// one warm-up call); the best of --reps repetitions is kept for each, so a burst of load from
// other processes on a shared machine hits both rather than one.
//
// Output: a table, or with --json one JSON object per line (fields name, kernel, bytes_per_array,
// fits_l2, threads, isa, bytes_per_call, gbps, memcpy_gbps, ratio, reaches_70). The ISA path is
// the active one (MYELIN_ISA=generic|avx2|avx512 forces one).
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#include "bench_options.h"
#include "call_timer.h"
#include "kernels/activations.h"
#include "kernels/optimizers.h"
#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"

namespace {

using myelin::Activation;

enum class Kind { forward, backward, adam, copy };

struct Kernel {
  const char* name;
  Kind kind;
  Activation act;
  int cols;  // softmax row width; 0 = one row of all the floats
};

const Kernel kKernels[] = {
    {"memcpy", Kind::copy, Activation::linear, 0},
    {"relu", Kind::forward, Activation::relu, 0},
    {"sigmoid", Kind::forward, Activation::sigmoid, 0},
    {"tanh", Kind::forward, Activation::tanh, 0},
    {"softmax10", Kind::forward, Activation::softmax, 10},
    {"softmax256", Kind::forward, Activation::softmax, 256},
    {"relu_backward", Kind::backward, Activation::relu, 0},
    {"sigmoid_backward", Kind::backward, Activation::sigmoid, 0},
    {"tanh_backward", Kind::backward, Activation::tanh, 0},
    {"softmax10_backward", Kind::backward, Activation::softmax, 10},
    {"softmax256_backward", Kind::backward, Activation::softmax, 256},
    {"adam", Kind::adam, Activation::linear, 0},
};

// Bytes of one array. With every array a kernel touches, the first two fit in L2 (1 MiB per core
// on the Zen 5 this was measured on), the last two do not. Multiples of 10 * 256 floats, so both
// softmax widths divide them.
const std::int64_t kSizes[] = {64 << 10, 160 << 10, 16 << 20, 64 << 20};
constexpr std::int64_t kL2Bytes = 1 << 20;

int arrays_read(Kind k) { return k == Kind::adam ? 4 : k == Kind::backward ? 2 : 1; }
int arrays_written(Kind k) { return k == Kind::adam ? 4 : 1; }
// Distinct arrays a call touches (Adam updates p and g in place, m and v from one array into the
// other).
int arrays_touched(Kind k) { return k == Kind::adam ? 6 : k == Kind::backward ? 3 : 2; }

struct Buffers {
  std::vector<float> a, b, c, d;  // forward: z, y; backward: dy, y, dz; adam: p, m, v, g
  std::vector<float> e, f;        // adam: the other arrays of m and v
  int adam_current = 0;           // adam: 0 when m and v are in b and c, 1 in e and f
  std::vector<float> src, dst;    // the memcpy baseline
};

void fill(std::vector<float>& v, std::int64_t n, float lo, float hi, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> dist(lo, hi);
  v.resize(static_cast<std::size_t>(n));
  for (auto& x : v) x = dist(rng);
}

void prepare(const Kernel& k, std::int64_t n, Buffers* buf) {
  fill(buf->src, n, -1.0f, 1.0f, 1);
  buf->dst.assign(static_cast<std::size_t>(n), 0.0f);
  const int cols = k.cols > 0 ? k.cols : static_cast<int>(n);
  const int rows = static_cast<int>(n / cols);
  switch (k.kind) {
    case Kind::copy:
      break;
    case Kind::forward:
      fill(buf->a, n, -4.0f, 4.0f, 2);
      buf->b.assign(static_cast<std::size_t>(n), 0.0f);
      break;
    case Kind::backward:
      fill(buf->a, n, -1.0f, 1.0f, 3);
      fill(buf->c, n, -4.0f, 4.0f, 4);
      buf->b.assign(static_cast<std::size_t>(n), 0.0f);
      myelin::activation_forward(buf->b.data(), buf->c.data(), rows, cols, k.act, 0.0f);
      break;
    case Kind::adam:
      fill(buf->a, n, -1.0f, 1.0f, 5);
      buf->b.assign(static_cast<std::size_t>(n), 0.0f);
      fill(buf->c, n, 0.0f, 1e-4f, 6);
      fill(buf->d, n, -1.0f, 1.0f, 7);
      buf->e.assign(static_cast<std::size_t>(n), 0.0f);
      buf->f.assign(static_cast<std::size_t>(n), 0.0f);
      break;
  }
}

// The memcpy is cut like the kernels cut their work (activations.cc, optimizers.cc): fixed chunks
// of 32768 floats on the thread pool, inline when there is only one.
void copy_chunked(float* dst, const float* src, std::int64_t n) {
  constexpr std::int64_t kChunk = 1 << 15;
  const std::int64_t chunks = (n + kChunk - 1) / kChunk;
  if (chunks <= 1) {
    std::memcpy(dst, src, static_cast<std::size_t>(n) * sizeof(float));
    return;
  }
  myelin::parallel_for(static_cast<int>(chunks), [&](int task) {
    const std::int64_t begin = task * kChunk;
    const std::int64_t end = std::min(n, begin + kChunk);
    std::memcpy(dst + begin, src + begin, static_cast<std::size_t>(end - begin) * sizeof(float));
  });
}

void call(const Kernel& k, std::int64_t n, Buffers* buf) {
  const int cols = k.cols > 0 ? k.cols : static_cast<int>(n);
  const int rows = static_cast<int>(n / cols);
  switch (k.kind) {
    case Kind::copy:
      copy_chunked(buf->dst.data(), buf->src.data(), n);
      return;
    case Kind::forward:
      myelin::activation_forward(buf->b.data(), buf->a.data(), rows, cols, k.act, 0.0f);
      return;
    case Kind::backward:
      myelin::activation_backward(buf->c.data(), buf->a.data(), nullptr, buf->b.data(), rows, cols,
                                  k.act, 0.0f);
      return;
    case Kind::adam: {
      // m and v are read from one array and written to the other, which becomes current.
      std::vector<float>* m[2] = {&buf->b, &buf->e};
      std::vector<float>* v[2] = {&buf->c, &buf->f};
      const int in = buf->adam_current, out = 1 - in;
      // A refused step would time the restoring copy too.
      if (!myelin::adam_step(buf->a.data(), buf->d.data(), m[out]->data(), v[out]->data(), nullptr,
                             m[in]->data(), v[in]->data(), nullptr, n, 1e-3f, 0.9f, 0.999f, 1e-7f,
                             0.0f, 10)) {
        std::fprintf(stderr, "elementwise_bench: the Adam step was refused (non-finite values)\n");
        std::exit(1);
      }
      buf->adam_current = out;
      buf->a.swap(buf->d);
      return;
    }
  }
}

struct Options : myelin_bench::BenchOptions {
  Options() {
    reps = 15;
    min_seconds = 0.005;
    threads = {1};
  }
};

void usage() {
  std::printf(
      "usage: elementwise_bench [--json] [--filter SUBSTRING] [--reps N] [--min-ms MS] "
      "[--threads 1,2]\n"
      "defaults: --reps 15 --min-ms 5 --threads 1\n");
}

std::string size_label(std::int64_t bytes) {
  char s[32];
  if (bytes >= (1 << 20)) {
    std::snprintf(s, sizeof s, "%lld MiB", static_cast<long long>(bytes >> 20));
  } else {
    std::snprintf(s, sizeof s, "%lld KiB", static_cast<long long>(bytes >> 10));
  }
  return s;
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
               "GB/s = (bytes read + bytes written) per call / time, each array counted once "
               "(forward 8, backward 12, adam 32, memcpy 8 bytes a float); memcpy of one array of "
               "the same size, same run, best of %d interleaved repetitions\n",
               opt.reps);
  if (!opt.json) {
    std::printf("%-20s %10s %6s %3s %9s %11s %6s %s\n", "kernel", "bytes/array", "in L2", "thr",
                "GB/s", "memcpy GB/s", "ratio", ">= 70%");
  }
  int reached = 0, total = 0;
  for (const std::int64_t bytes : kSizes) {
    const std::int64_t n = bytes / static_cast<std::int64_t>(sizeof(float));
    for (const Kernel& k : kKernels) {
      if (!opt.filter.empty() && std::string(k.name).find(opt.filter) == std::string::npos) {
        continue;
      }
      Buffers buf;
      prepare(k, n, &buf);
      const Kernel copy = kKernels[0];
      const double kernel_bytes =
          static_cast<double>(arrays_read(k.kind) + arrays_written(k.kind)) * bytes;
      const double copy_bytes = 2.0 * bytes;
      for (const int threads : opt.threads) {
        if (threads > myelin::max_threads()) continue;
        myelin::set_num_threads(threads);
        double best_kernel = 1e30, best_copy = 1e30;
        for (int rep = 0; rep < opt.reps; ++rep) {
          best_copy = std::min(best_copy,
                               myelin_bench::seconds_per_call([&] { call(copy, n, &buf); }, opt.min_seconds));
          best_kernel =
              std::min(best_kernel, myelin_bench::seconds_per_call([&] { call(k, n, &buf); }, opt.min_seconds));
        }
        const double gbps = kernel_bytes / best_kernel * 1e-9;
        const double copy_gbps = copy_bytes / best_copy * 1e-9;
        const double ratio = gbps / copy_gbps;
        const bool fits = arrays_touched(k.kind) * bytes <= kL2Bytes;
        const bool ok = ratio >= 0.7;
        if (k.kind != Kind::copy) {
          ++total;
          reached += ok ? 1 : 0;
        }
        if (opt.json) {
          std::printf(
              "{\"name\":\"%s %s %dt\",\"kernel\":\"%s\",\"bytes_per_array\":%lld,"
              "\"fits_l2\":%s,\"threads\":%d,\"isa\":\"%s\",\"bytes_per_call\":%.0f,"
              "\"gbps\":%.2f,\"memcpy_gbps\":%.2f,\"ratio\":%.3f,\"reaches_70\":%s}\n",
              k.name, size_label(bytes).c_str(), threads, k.name, static_cast<long long>(bytes),
              fits ? "true" : "false", threads, isa, kernel_bytes, gbps, copy_gbps, ratio,
              ok ? "true" : "false");
        } else {
          std::printf("%-20s %10s %6s %3d %9.1f %11.1f %6.2f %s\n", k.name,
                      size_label(bytes).c_str(), fits ? "yes" : "no", threads, gbps, copy_gbps,
                      ratio, k.kind == Kind::copy ? "-" : ok ? "yes" : "NO");
        }
        std::fflush(stdout);
      }
    }
  }
  std::fprintf(header, "%d of %d kernel rows reach 70%% of memcpy\n", reached, total);
  return 0;
}
