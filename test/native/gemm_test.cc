// sgemm / sgemm_strided against the float64 oracle (sgemm_ref_strided) on every ISA path this CPU
// supports: all four transpose combinations, awkward sizes (0, 1, primes, MR +- 1, NR +- 1, the
// edges of the paths without packing, past MC, KC and NC, k up to 4096), random shapes, leading
// dimensions wider than the rows (the padding must stay untouched), alpha in {1, -0.5}, beta in
// {0, 1, 0.7} (beta == 0 with C full of NaN). Also: the epilogue's callback covers every element
// exactly once with the real ldc and sees finished values (after the GEMM's own bias and ReLU,
// when it has them); results are bit-identical for every thread count 1..max_threads() and
// across two repeated runs; the BLIS residual check on large shapes; the thread pool's contract. Exits non-zero on any failure and prints the first mismatches.
//
// Quick mode (MYELIN_TEST_QUICK=1 in the environment, or --quick): a reduced set for valgrind and
// sanitizer runs, a few seconds under valgrind.
// m = rows of C, n = columns of C, k = the reduced dimension.
#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <thread>
#include <vector>

#include "kernels/gemm/gemm.h"
#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"
#include "test_main.h"

namespace {

using namespace myelin;

int g_failures = 0;
int g_checks = 0;
bool g_quick = false;

// Deterministic xorshift in [-1, 1).
struct Rng {
  std::uint64_t s;
  std::uint64_t bits() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return s;
  }
  float next() { return static_cast<float>((bits() >> 40) * (1.0 / (1 << 23))) - 1.0f; }
  int below(int n) { return static_cast<int>((bits() >> 33) % static_cast<std::uint64_t>(n)); }
};

void fill(std::vector<float>& v, Rng& rng) {
  for (float& x : v) x = rng.next();
}

// A shape and its storage: lda/ldb/ldc are the stored row widths plus pad_*.
struct Case {
  int m, n, k;
  bool ta, tb;
  float alpha, beta;
  int pad_a = 0, pad_b = 0, pad_c = 0;
  int lda() const { return (ta ? m : k) + pad_a; }
  int ldb() const { return (tb ? k : n) + pad_b; }
  int ldc() const { return n + pad_c; }
  std::size_t size_a() const { return static_cast<std::size_t>(ta ? k : m) * lda(); }
  std::size_t size_b() const { return static_cast<std::size_t>(tb ? n : k) * ldb(); }
  std::size_t size_c() const { return static_cast<std::size_t>(m) * ldc(); }
};

void describe(const Case& t, Isa isa, int threads) {
  std::printf("  case m=%d n=%d k=%d trans_a=%d trans_b=%d alpha=%g beta=%g lda=%d ldb=%d ldc=%d "
              "isa=%s threads=%d\n",
              t.m, t.n, t.k, t.ta, t.tb, t.alpha, t.beta, t.lda(), t.ldb(), t.ldc(), isa_name(isa),
              threads);
}

void fail(const char* what, const Case& t, Isa isa, int threads) {
  std::printf("FAIL %s\n", what);
  describe(t, isa, threads);
  ++g_failures;
}

// The epilogue of the test: c = max(c + bias[col], 0), either by the callback below or by the
// GEMM's own bias and ReLU (GemmEpilogue::bias, relu) with a callback that only checks, and a
// coverage count per element. Being nonlinear, it would change the result if it ran before the
// k reduction was complete.
enum class Epilogue { none, callback, fused };

Epilogue epilogue_for(int index) {
  return index % 4 == 0 ? Epilogue::callback : index % 4 == 2 ? Epilogue::fused : Epilogue::none;
}

struct EpilogueCtx {
  const float* bias;
  std::atomic<int>* count;
  float* c_base;
  int n, ldc;
  std::atomic<int> bad_pointer;
};

// The context of an epilogue call, counting a block whose pointer or stride is not C's.
EpilogueCtx* checked_block(const void* ctx_ptr, const float* c, int ldc, int row0, int col0) {
  auto* ctx = static_cast<EpilogueCtx*>(const_cast<void*>(ctx_ptr));
  if (ldc != ctx->ldc || c != ctx->c_base + static_cast<std::ptrdiff_t>(row0) * ldc + col0) {
    ctx->bad_pointer.fetch_add(1);
  }
  return ctx;
}

void epilogue_bias_relu(const void* ctx_ptr, float* c, int ldc, int row0, int col0, int rows,
                        int cols) {
  EpilogueCtx* ctx = checked_block(ctx_ptr, c, ldc, row0, col0);
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < cols; ++j) {
      float& x = c[static_cast<std::ptrdiff_t>(i) * ldc + j];
      x = std::fmax(x + ctx->bias[col0 + j], 0.0f);
      ctx->count[static_cast<std::ptrdiff_t>(row0 + i) * ctx->n + col0 + j].fetch_add(1);
    }
  }
}

// The callback beside the GEMM's own bias and ReLU: they must have run on the block already, so
// every element is >= 0 (NaN included: ReLU maps it to 0).
void epilogue_after_relu(const void* ctx_ptr, float* c, int ldc, int row0, int col0, int rows,
                         int cols) {
  EpilogueCtx* ctx = checked_block(ctx_ptr, c, ldc, row0, col0);
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < cols; ++j) {
      if (!(c[static_cast<std::ptrdiff_t>(i) * ldc + j] >= 0.0f)) ctx->bad_pointer.fetch_add(1);
      ctx->count[static_cast<std::ptrdiff_t>(row0 + i) * ctx->n + col0 + j].fetch_add(1);
    }
  }
}

// Compares the m x n part of got with ref elementwise, and the padding of each row of C (which
// must keep its C0 value). Tolerance 1e-5 * k * |alpha| * max|a| * max|b|: far above the typical
// float rounding of a k-term dot product (~sqrt(k) * 6e-8 * |sum|), far below the effect of a
// lost or doubled term.
void compare(const std::vector<float>& got, const std::vector<float>& ref,
             const std::vector<float>& c0, const Case& t, double amax, double bmax, double c0max,
             Isa isa, int threads) {
  const double tol = 1e-5 * t.k * std::fabs(t.alpha) * amax * bmax +
                     1e-6 * std::fabs(t.beta) * c0max + 1e-6;
  int shown = 0;
  double worst = 0.0;
  std::size_t bad = 0, pad_touched = 0;
  for (int i = 0; i < t.m; ++i) {
    for (int j = 0; j < t.ldc(); ++j) {
      const std::size_t at = static_cast<std::size_t>(i) * t.ldc() + j;
      if (j >= t.n) {
        pad_touched += std::memcmp(&got[at], &c0[at], sizeof(float)) != 0;
        continue;
      }
      const double diff = std::fabs(static_cast<double>(got[at]) - ref[at]);
      if (!(diff <= tol)) {  // also catches NaN
        ++bad;
        if (diff > worst || std::isnan(diff)) worst = diff;
        if (shown < 5) {
          if (shown == 0) fail("sgemm vs sgemm_ref", t, isa, threads);
          std::printf("    row %d, col %d: got %.9g expected %.9g (tol %.3g)\n", i, j, got[at],
                      ref[at], tol);
          ++shown;
        }
      }
    }
  }
  ++g_checks;
  if (bad != 0) std::printf("    %zu mismatches, largest difference %.3g\n", bad, worst);
  ++g_checks;
  if (pad_touched != 0) {
    fail("sgemm wrote into the padding of C (past n in a row of ldc)", t, isa, threads);
  }
}

double max_abs(const std::vector<float>& v) {
  double m = 0.0;
  // A compare, not fmax: GCC 12's vectorizer fails on the float-to-double fmax reduction for
  // AArch64 (internal compiler error in vect_transform_reduction).
  for (float x : v) {
    const double size = std::fabs(static_cast<double>(x));
    if (size > m) m = size;
  }
  return m;
}

// Thread counts to compare: every count 1..max (the largest twice, for run-to-run identity).
std::vector<int> thread_counts() {
  std::vector<int> counts;
  for (int t = 1; t <= max_threads(); ++t) counts.push_back(t);
  if (g_quick && max_threads() > 2) counts = {1, max_threads()};
  counts.push_back(max_threads());
  return counts;
}

void run_case(const Case& t, Rng& rng, Epilogue mode) {
  const bool with_epilogue = mode != Epilogue::none;
  std::vector<float> a(t.size_a()), b(t.size_b()), c0(t.size_c()), bias(t.n);
  fill(a, rng);
  fill(b, rng);
  fill(c0, rng);
  fill(bias, rng);
  if (t.beta == 0.0f) {
    for (int i = 0; i < t.m; ++i)
      for (int j = 0; j < t.n; ++j) c0[static_cast<std::size_t>(i) * t.ldc() + j] = std::nanf("");
  }

  std::vector<float> ref = c0;
  sgemm_ref_strided(ref.data(), t.ldc(), a.data(), t.lda(), b.data(), t.ldb(), t.m, t.n, t.k,
                    t.ta, t.tb, t.alpha, t.beta);
  if (with_epilogue) {
    for (int i = 0; i < t.m; ++i)
      for (int j = 0; j < t.n; ++j) {
        float& x = ref[static_cast<std::size_t>(i) * t.ldc() + j];
        x = std::fmax(x + bias[j], 0.0f);
      }
  }
  const double amax = max_abs(a), bmax = max_abs(b);
  const double c0max = t.beta == 0.0f ? 0.0 : max_abs(c0);
  const std::size_t sc = static_cast<std::size_t>(t.m) * t.n;
  const bool contiguous = t.pad_a == 0 && t.pad_b == 0 && t.pad_c == 0;

  for (Isa isa : kAllIsas) {
    if (!set_isa(isa)) continue;
    std::vector<float> first;
    for (int threads : thread_counts()) {
      set_num_threads(threads);
      std::vector<float> c = c0;
      std::vector<std::atomic<int>> count(sc);
      EpilogueCtx ctx{bias.data(), count.data(), c.data(), t.n, t.ldc(), {0}};
      const GemmEpilogue epilogue =
          mode == Epilogue::fused ? GemmEpilogue{epilogue_after_relu, &ctx, bias.data(), true}
                                  : GemmEpilogue{epilogue_bias_relu, &ctx};
      const GemmEpilogue* ep = with_epilogue ? &epilogue : nullptr;
      if (contiguous) {
        sgemm(c.data(), a.data(), b.data(), t.m, t.n, t.k, t.ta, t.tb, t.alpha, t.beta, ep);
      } else {
        sgemm_strided(c.data(), t.ldc(), a.data(), t.lda(), b.data(), t.ldb(), t.m, t.n, t.k, t.ta,
                      t.tb, t.alpha, t.beta, ep);
      }
      compare(c, ref, c0, t, amax, bmax, c0max, isa, threads);
      if (with_epilogue) {
        std::size_t wrong = 0;
        for (std::size_t i = 0; i < sc; ++i) wrong += count[i].load() != 1;
        ++g_checks;
        if (wrong != 0 || ctx.bad_pointer.load() != 0) {
          fail("epilogue coverage", t, isa, threads);
          std::printf("    %zu elements not covered exactly once, %d bad block pointers, ldc or"
                      " values before ReLU\n",
                      wrong, ctx.bad_pointer.load());
        }
      }
      if (first.empty()) {
        first = c;
      } else {
        ++g_checks;
        if (!c.empty() && std::memcmp(first.data(), c.data(), c.size() * sizeof(float)) != 0) {
          fail("not bit-identical to the 1-thread result (or to the previous run)", t, isa,
               threads);
        }
      }
    }
  }
}

// The AVX-512 path reads A in place unless lda is a multiple of 1024 floats, where it packs A
// (gemm.cc, kDirectAStrideBreak). Both must give the same bits: the same product with A stored
// at its natural width and at a width padded to the next multiple of 1024 is compared bit for
// bit.
void a_path_identity_check(Case t, Rng& rng) {
  t.pad_a = 0;
  const int width = t.ta ? t.m : t.k;  // stored row width of A
  Case padded = t;
  padded.pad_a = (width / 1024 + 1) * 1024 - width;
  std::vector<float> a(t.size_a()), a_padded(padded.size_a()), b(t.size_b()), c0(t.size_c());
  fill(a, rng);
  fill(b, rng);
  fill(c0, rng);
  const int stored_rows = t.ta ? t.k : t.m;
  for (int r = 0; r < stored_rows; ++r) {
    std::copy(a.begin() + static_cast<std::ptrdiff_t>(r) * width,
              a.begin() + static_cast<std::ptrdiff_t>(r + 1) * width,
              a_padded.begin() + static_cast<std::ptrdiff_t>(r) * padded.lda());
  }
  for (Isa isa : kAllIsas) {
    if (!set_isa(isa)) continue;
    set_num_threads(max_threads());
    std::vector<float> c_direct = c0, c_packed = c0;
    sgemm_strided(c_direct.data(), t.ldc(), a.data(), t.lda(), b.data(), t.ldb(), t.m, t.n, t.k,
                  t.ta, t.tb, t.alpha, t.beta);
    sgemm_strided(c_packed.data(), t.ldc(), a_padded.data(), padded.lda(), b.data(), t.ldb(),
                  t.m, t.n, t.k, t.ta, t.tb, t.alpha, t.beta);
    ++g_checks;
    if (std::memcmp(c_direct.data(), c_packed.data(), c_direct.size() * sizeof(float)) != 0) {
      fail("A read in place and A packed (lda a multiple of 1024) give different bits", t, isa,
           max_threads());
    }
  }
}

// BLIS-style residual check: C t vs beta C0 t + alpha A (B t) in double, for a random vector t.
void residual_check(const Case& t, Rng& rng) {
  const int m = t.m, n = t.n, k = t.k;
  std::vector<float> a(t.size_a()), b(t.size_b()), c0(t.size_c()), vt(n);
  fill(a, rng);
  fill(b, rng);
  fill(c0, rng);
  fill(vt, rng);
  const std::size_t lda = t.lda(), ldb = t.ldb(), ldc = t.ldc();
  auto A = [&](int i, int p) -> double { return t.ta ? a[p * lda + i] : a[i * lda + p]; };
  auto B = [&](int p, int j) -> double { return t.tb ? b[j * ldb + p] : b[p * ldb + j]; };
  std::vector<double> bt(k, 0.0), bt_abs(k, 0.0);
  for (int p = 0; p < k; ++p)
    for (int j = 0; j < n; ++j) {
      bt[p] += B(p, j) * vt[j];
      bt_abs[p] += std::fabs(B(p, j) * vt[j]);
    }
  for (Isa isa : kAllIsas) {
    if (!set_isa(isa)) continue;
    for (int threads : {1, max_threads()}) {
      set_num_threads(threads);
      std::vector<float> c = c0;
      sgemm_strided(c.data(), t.ldc(), a.data(), t.lda(), b.data(), t.ldb(), m, n, k, t.ta, t.tb,
                    t.alpha, t.beta);
      int shown = 0;
      for (int i = 0; i < m; ++i) {
        double lhs = 0.0, rhs = 0.0, scale = 0.0;
        for (int j = 0; j < n; ++j) {
          lhs += static_cast<double>(c[i * ldc + j]) * vt[j];
          const double c0t = static_cast<double>(c0[i * ldc + j]) * vt[j];
          rhs += t.beta * c0t;
          scale += std::fabs(t.beta * c0t);
        }
        for (int p = 0; p < k; ++p) {
          rhs += t.alpha * A(i, p) * bt[p];
          scale += std::fabs(t.alpha * A(i, p)) * bt_abs[p];
        }
        const double tol = 1.2e-7 * (k + 4) * scale + 1e-6;
        if (!(std::fabs(lhs - rhs) <= tol) && shown++ < 5) {
          if (shown == 1) fail("residual check", t, isa, threads);
          std::printf("    row %d: (C t) %.9g expected %.9g (tol %.3g)\n", i, lhs, rhs, tol);
        }
      }
      ++g_checks;
    }
  }
}

void thread_pool_checks() {
  set_num_threads(2);
  std::vector<std::atomic<int>> hits(1000);
  parallel_for(1000, [&](int task) {
    hits[task].fetch_add(1);
    // A nested call must run inline and complete.
    std::atomic<int> inner{0};
    parallel_for(3, [&](int) { inner.fetch_add(1); });
    if (inner.load() != 3) hits[task].fetch_add(100);
  });
  int wrong = 0;
  for (auto& h : hits) wrong += h.load() != 1;
  ++g_checks;
  if (wrong != 0) {
    std::printf("FAIL parallel_for: %d tasks not run exactly once (or nested call broken)\n",
                wrong);
    ++g_failures;
  }
  // Back-to-back short calls: a helper that arrives late for one call must never run (or count)
  // a task of it once the caller has returned, nor a task of the next call twice.
  int wrong_calls = 0;
  for (int call = 0; call < 20000; ++call) {
    const int n_tasks = 2 + call % 3;
    int runs[4] = {0, 0, 0, 0};
    parallel_for(n_tasks, [&](int task) { ++runs[task]; });
    for (int task = 0; task < 4; ++task) wrong_calls += runs[task] != (task < n_tasks ? 1 : 0);
  }
  ++g_checks;
  if (wrong_calls != 0) {
    std::printf("FAIL parallel_for: %d tasks of back-to-back calls not run exactly once\n",
                wrong_calls);
    ++g_failures;
  }
  // Two callers at once: one owns the pool, the other runs inline; both see every task once.
  std::atomic<int> wrong_concurrent{0};
  auto caller = [&wrong_concurrent] {
    for (int call = 0; call < 2000; ++call) {
      std::atomic<int> runs[8] = {};
      parallel_for(8, [&](int task) { runs[task].fetch_add(1); });
      for (auto& r : runs) wrong_concurrent += r.load() != 1;
    }
  };
  std::thread other(caller);
  caller();
  other.join();
  ++g_checks;
  if (wrong_concurrent.load() != 0) {
    std::printf("FAIL parallel_for: %d tasks of concurrent calls not run exactly once\n",
                wrong_concurrent.load());
    ++g_failures;
  }
  set_num_threads(max_threads() + 5);
  ++g_checks;
  if (num_threads() != max_threads()) {
    std::printf("FAIL set_num_threads does not clamp to max_threads\n");
    ++g_failures;
  }
  set_num_threads(0);
  ++g_checks;
  if (num_threads() != 1) {
    std::printf("FAIL set_num_threads(0) does not clamp to 1\n");
    ++g_failures;
  }
  Isa parsed;
  ++g_checks;
  if (!parse_isa("avx2", &parsed) || parsed != Isa::avx2 || !parse_isa("avx512", &parsed) ||
      parsed != Isa::avx512 || !parse_isa("neon", &parsed) || parsed != Isa::neon ||
      parse_isa("sse9", &parsed) || !isa_supported(Isa::generic) ||
      (isa_supported(Isa::avx512) && !isa_supported(Isa::avx2)) ||
      (isa_supported(Isa::neon) && isa_supported(Isa::avx2))) {
    std::printf("FAIL parse_isa / isa_supported\n");
    ++g_failures;
  }
}

const float kAlphas[] = {1.0f, -0.5f};
const float kBetas[] = {0.0f, 1.0f, 0.7f};

// Paddings cycle through none, a few floats, and odd widths.
void set_padding(Case& t, int index) {
  const int pads[] = {0, 0, 3, 1, 16, 7};
  t.pad_a = pads[index % 6];
  t.pad_b = pads[(index / 2) % 6];
  t.pad_c = pads[(index / 3) % 6];
}

}  // namespace

int main(int argc, char** argv) {
  g_quick = myelin_test::quick_mode(argc, argv);
  const Isa initial = active_isa();
  std::printf("active ISA %s, supported:", isa_name(initial));
  for (Isa isa : kAllIsas) {
    if (isa_supported(isa)) std::printf(" %s", isa_name(isa));
  }
  std::printf(", threads %d (max %d)%s\n", num_threads(), max_threads(),
              g_quick ? ", quick mode" : "");
  thread_pool_checks();

  Rng rng{0x9E3779B97F4A7C15ull};
  int index = 0;

  // Every (m, n) pair from the list with k cycling through it: each size meets each other one
  // along m and n, and every size is seen along k, without the full cube. The list has 0, 1,
  // primes, MR +- 1 and NR +- 1 of the tiles (14x32, 6x16, 8x12, 4x8), and the edges of the
  // paths without packing (m 16/17, n 12/13, k 16/17; neon: m 4/5, columns 4, 12, 16, 24, 32).
  const std::vector<int> sizes =
      g_quick ? std::vector<int>{0, 1, 5, 7, 13, 17, 33}
              : std::vector<int>{0,  1,  2,  3,  4,  5,  6,  7,  9,  11, 12, 13,
                                 14, 15, 16, 17, 31, 32, 33, 64, 101, 257};
  const int count = static_cast<int>(sizes.size());
  for (int im = 0; im < count; ++im) {
    for (int in = 0; in < count; ++in, ++index) {
      const int k = sizes[(im * 5 + in * 3 + 1) % count];
      Case t{sizes[im], sizes[in], k, (index & 1) != 0, ((index >> 1) & 1) != 0,
             kAlphas[index % 2], kBetas[index % 3]};
      set_padding(t, index);
      run_case(t, rng, epilogue_for(index));
    }
  }

  // Past the cache blocks: MC (252 avx512, 144 avx2, 192 neon, 128 generic), KC (512 avx512,
  // 400 avx2, 384 neon, 256 generic), NC (3072 avx512, avx2 and neon, 2048 generic);
  // the MLP training shapes (784-256-128-10 at batch 32 and 128) and inference at batch 1 and 8;
  // every transpose combination of each.
  const std::vector<std::vector<int>> special =
      g_quick ? std::vector<std::vector<int>>{{145, 40, 9}, {8, 100, 300}, {50, 10, 70},
                                              {40, 50, 3}, {3, 33, 300}}
              : std::vector<std::vector<int>>{
                    {145, 40, 9},   {289, 33, 70},  {13, 17, 513},  {50, 70, 600},
                    {7, 3073, 20},  {5, 2049, 31},  {150, 130, 260}, {1, 256, 784},
                    {8, 256, 784},  {128, 256, 784}, {256, 128, 128}, {128, 784, 256},
                    {32, 10, 128},  {128, 10, 32},  {32, 128, 10},  {2, 2, 1000},
                    {3, 100, 37},   {16, 300, 129}, {17, 40, 200},  {300, 11, 97},
                    {200, 40, 16},  {2, 3000, 200}, {11, 7, 4096},  {1, 1, 4096},
                    {253, 65, 257}, {784, 256, 128}, {20, 40, 1025}, {30, 33, 512},
                    {193, 37, 385}, {4, 25, 90},
                    // The avx512 path's narrow kernels (n <= 12, m >= 2: 16-row and 32-row
                    // tiles and their remainders, across 64-row blocks) and its small-m rules
                    // (m <= 3, m <= 6 below 128 columns, 15..16 rows below 256 columns).
                    {65, 12, 50},   {97, 1, 33},    {47, 11, 300},  {33, 7, 1},
                    {129, 10, 128}, {16, 12, 17},   {31, 9, 5},     {784, 10, 64},
                    {8, 10, 128},   {2, 12, 40},    {4, 200, 64},   {6, 100, 70},
                    {15, 100, 70},  {16, 300, 50},  {9, 31, 80},
                    // One row on the avx512 path: k cut in two parts (n * k >= 2^17) or not,
                    // passes of 256 columns and last passes of 129..256, 17..128 and 1..16.
                    {1, 300, 501},  {1, 17, 7801},  {1, 600, 231},  {1, 270, 999},
                    {1, 200, 300},  {1, 40, 3}};
  for (const auto& s : special) {
    for (int trans = 0; trans < 4; ++trans, ++index) {
      Case t{s[0], s[1], s[2], (trans & 1) != 0, (trans & 2) != 0, kAlphas[index % 2],
             kBetas[index % 3]};
      set_padding(t, index);
      run_case(t, rng, epilogue_for(index));
    }
  }

  // Random shapes: each side either an awkward size or uniform, k now and then up to 4096 (with
  // m and n kept small so the float64 oracle stays quick).
  const int awkward[] = {1, 2, 5, 6, 7, 8, 11, 12, 13, 15, 16, 17, 23, 47, 97};
  const int randoms = g_quick ? 12 : 250;
  for (int r = 0; r < randoms; ++r, ++index) {
    auto side = [&](int limit) { return rng.below(2) == 0 ? awkward[rng.below(15)]
                                                          : 1 + rng.below(limit); };
    Case t{side(200), side(200), side(300), rng.below(2) == 1, rng.below(2) == 1,
           kAlphas[rng.below(2)], kBetas[rng.below(3)]};
    if (rng.below(8) == 0) {
      t.k = 1 + rng.below(4096);
      t.m = std::min(t.m, 40);
      t.n = std::min(t.n, 40);
    }
    set_padding(t, rng.below(6));
    run_case(t, rng, epilogue_for(rng.below(4)));
  }

  // Tiles of every row count, one and several k blocks (KC = 512 on avx512) and MC blocks, k
  // not a multiple of 16 (the AVX-512 packing's steps), every transpose.
  const std::vector<std::vector<int>> a_paths =
      g_quick ? std::vector<std::vector<int>>{{40, 70, 300}}
              : std::vector<std::vector<int>>{{40, 70, 300}, {29, 100, 1100}, {15, 33, 77},
                                              {64, 64, 64}, {8, 128, 256}, {300, 40, 50}};
  for (const auto& s : a_paths) {
    for (int trans = 0; trans < 4; ++trans, ++index) {
      a_path_identity_check(Case{s[0], s[1], s[2], (trans & 1) != 0, (trans & 2) != 0,
                                 kAlphas[index % 2], kBetas[index % 3]},
                            rng);
    }
  }

  Case big1{1000, 1100, 700, false, false, 1.0f, 0.7f};
  Case big2{777, 3100, 300, true, true, -0.5f, 0.0f};
  Case big3{600, 500, 1100, true, false, 1.0f, 1.0f};
  Case big4{130, 140, 4096, false, true, 1.0f, 0.0f, 5, 9, 3};
  Case small1{150, 160, 170, true, true, 1.0f, 0.7f, 2, 0, 11};
  if (g_quick) {
    residual_check(small1, rng);
  } else {
    for (const Case& t : {big1, big2, big3, big4, small1}) residual_check(t, rng);
  }

  set_isa(initial);
  return myelin_test::finish(g_checks, g_failures);
}
