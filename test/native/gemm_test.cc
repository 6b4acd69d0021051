// sgemm against the float64 oracle (sgemm_ref) on every ISA path this CPU supports, at 1 and 2
// threads, all four transpose combinations, awkward sizes (0, 1, MR +- 1, NR +- 1, primes, and
// past MC, KC and NC), alpha in {1, -0.5}, beta in {0, 1, 0.7}. Also: no NaN leaks from C when
// beta == 0, the epilogue covers every element of C exactly once and sees finished values,
// 1 vs 2 threads are bit-identical, the BLIS residual check on large shapes, and the thread
// pool's contract. Exits non-zero on any failure and prints the first mismatches.
// m = rows of C, n = columns of C, k = the reduced dimension.
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <vector>

#include "kernels/gemm/gemm.h"
#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"

namespace {

using namespace myelin;

int g_failures = 0;
int g_checks = 0;

// Deterministic xorshift in [-1, 1).
struct Rng {
  std::uint64_t s;
  float next() {
    s ^= s << 13;
    s ^= s >> 7;
    s ^= s << 17;
    return static_cast<float>((s >> 40) * (1.0 / (1 << 23))) - 1.0f;
  }
};

void fill(std::vector<float>& v, Rng& rng) {
  for (float& x : v) x = rng.next();
}

struct Case {
  int m, n, k;
  bool ta, tb;
  float alpha, beta;
};

void describe(const Case& t, Isa isa, int threads) {
  std::printf("  case m=%d n=%d k=%d trans_a=%d trans_b=%d alpha=%g beta=%g isa=%s threads=%d\n",
              t.m, t.n, t.k, t.ta, t.tb, t.alpha, t.beta, isa_name(isa), threads);
}

// The epilogue of the test: c = max(c + bias[col], 0) and a coverage count per element. Being
// nonlinear, it would change the result if it ran before the k reduction was complete.
struct EpilogueCtx {
  const float* bias;
  std::atomic<int>* count;
  float* c_base;
  int n;
  std::atomic<int> bad_pointer;
};

void epilogue_bias_relu(const void* ctx_ptr, float* c, int ldc, int row0, int col0, int rows,
                        int cols) {
  auto* ctx = static_cast<EpilogueCtx*>(const_cast<void*>(ctx_ptr));
  if (ldc != ctx->n || c != ctx->c_base + static_cast<std::ptrdiff_t>(row0) * ldc + col0) {
    ctx->bad_pointer.fetch_add(1);
  }
  for (int i = 0; i < rows; ++i) {
    for (int j = 0; j < cols; ++j) {
      float& x = c[static_cast<std::ptrdiff_t>(i) * ldc + j];
      x = std::fmax(x + ctx->bias[col0 + j], 0.0f);
      ctx->count[static_cast<std::ptrdiff_t>(row0 + i) * ctx->n + col0 + j].fetch_add(1);
    }
  }
}

// Compares got with ref elementwise. Tolerance 1e-5 * k * |alpha| * max|a| * max|b|: far above
// the typical float rounding of a k-term dot product (~sqrt(k) * 6e-8 * |sum|), far below the
// effect of a lost or doubled term.
bool compare(const std::vector<float>& got, const std::vector<float>& ref, const Case& t,
             double amax, double bmax, double c0max, Isa isa, int threads, const char* what) {
  const double tol = 1e-5 * t.k * std::fabs(t.alpha) * amax * bmax +
                     1e-6 * std::fabs(t.beta) * c0max + 1e-6;
  int shown = 0;
  double worst = 0.0;
  std::size_t bad = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const double diff = std::fabs(static_cast<double>(got[i]) - ref[i]);
    if (!(diff <= tol)) {  // also catches NaN
      ++bad;
      if (diff > worst || std::isnan(diff)) worst = diff;
      if (shown < 5) {
        if (shown == 0) {
          std::printf("FAIL %s\n", what);
          describe(t, isa, threads);
        }
        std::printf("    index %zu (row %zu, col %zu): got %.9g expected %.9g (tol %.3g)\n", i,
                    i / t.n, i % t.n, got[i], ref[i], tol);
        ++shown;
      }
    }
  }
  ++g_checks;
  if (bad != 0) {
    std::printf("    %zu mismatches, largest difference %.3g\n", bad, worst);
    ++g_failures;
    return false;
  }
  return true;
}

double max_abs(const std::vector<float>& v) {
  double m = 0.0;
  for (float x : v) m = std::fmax(m, std::fabs(x));
  return m;
}

void run_case(const Case& t, Rng& rng, bool with_epilogue) {
  const std::size_t sa = static_cast<std::size_t>(t.m) * t.k;
  const std::size_t sb = static_cast<std::size_t>(t.k) * t.n;
  const std::size_t sc = static_cast<std::size_t>(t.m) * t.n;
  std::vector<float> a(sa), b(sb), c0(sc), bias(t.n);
  fill(a, rng);
  fill(b, rng);
  fill(c0, rng);
  fill(bias, rng);
  if (t.beta == 0.0f) std::fill(c0.begin(), c0.end(), std::nanf(""));

  std::vector<float> ref = c0;
  sgemm_ref(ref.data(), a.data(), b.data(), t.m, t.n, t.k, t.ta, t.tb, t.alpha, t.beta);
  if (with_epilogue) {
    for (std::size_t i = 0; i < sc; ++i) ref[i] = std::fmax(ref[i] + bias[i % t.n], 0.0f);
  }
  const double amax = max_abs(a), bmax = max_abs(b);
  const double c0max = t.beta == 0.0f ? 0.0 : max_abs(c0);

  for (Isa isa : {Isa::generic, Isa::avx2}) {
    if (!set_isa(isa)) continue;
    std::vector<float> first;
    for (int threads : {1, 2}) {
      set_num_threads(threads);
      std::vector<float> c = c0;
      std::vector<std::atomic<int>> count(sc);
      EpilogueCtx ctx{bias.data(), count.data(), c.data(), t.n, {0}};
      const GemmEpilogue epilogue{epilogue_bias_relu, &ctx};
      sgemm(c.data(), a.data(), b.data(), t.m, t.n, t.k, t.ta, t.tb, t.alpha, t.beta,
            with_epilogue ? &epilogue : nullptr);
      compare(c, ref, t, amax, bmax, c0max, isa, threads, "sgemm vs sgemm_ref");
      if (with_epilogue) {
        std::size_t wrong = 0;
        for (std::size_t i = 0; i < sc; ++i) wrong += count[i].load() != 1;
        ++g_checks;
        if (wrong != 0 || ctx.bad_pointer.load() != 0) {
          std::printf("FAIL epilogue coverage: %zu elements not covered exactly once, %d bad "
                      "block pointers\n", wrong, ctx.bad_pointer.load());
          describe(t, isa, threads);
          ++g_failures;
        }
      }
      if (threads == 1) {
        first = c;
      } else {
        ++g_checks;
        if (sc != 0 && std::memcmp(first.data(), c.data(), sc * sizeof(float)) != 0) {
          std::printf("FAIL 1 vs 2 threads not bit-identical\n");
          describe(t, isa, threads);
          ++g_failures;
        }
      }
    }
  }
}

// BLIS-style residual check: C t vs beta C0 t + alpha A (B t) in double, for a random vector t.
void residual_check(int m, int n, int k, bool ta, bool tb, float alpha, float beta, Rng& rng) {
  const Case t{m, n, k, ta, tb, alpha, beta};
  std::vector<float> a(static_cast<std::size_t>(m) * k), b(static_cast<std::size_t>(k) * n);
  std::vector<float> c0(static_cast<std::size_t>(m) * n), vt(n);
  fill(a, rng);
  fill(b, rng);
  fill(c0, rng);
  fill(vt, rng);
  auto A = [&](int i, int p) -> double { return ta ? a[static_cast<std::size_t>(p) * m + i]
                                                   : a[static_cast<std::size_t>(i) * k + p]; };
  auto B = [&](int p, int j) -> double { return tb ? b[static_cast<std::size_t>(j) * k + p]
                                                   : b[static_cast<std::size_t>(p) * n + j]; };
  std::vector<double> bt(k, 0.0), bt_abs(k, 0.0);
  for (int p = 0; p < k; ++p)
    for (int j = 0; j < n; ++j) {
      bt[p] += B(p, j) * vt[j];
      bt_abs[p] += std::fabs(B(p, j) * vt[j]);
    }
  for (Isa isa : {Isa::generic, Isa::avx2}) {
    if (!set_isa(isa)) continue;
    for (int threads : {1, 2}) {
      set_num_threads(threads);
      std::vector<float> c = c0;
      sgemm(c.data(), a.data(), b.data(), m, n, k, ta, tb, alpha, beta);
      int shown = 0;
      for (int i = 0; i < m; ++i) {
        double lhs = 0.0, rhs = 0.0, scale = 0.0;
        for (int j = 0; j < n; ++j) {
          lhs += static_cast<double>(c[static_cast<std::size_t>(i) * n + j]) * vt[j];
          const double c0t = static_cast<double>(c0[static_cast<std::size_t>(i) * n + j]) * vt[j];
          rhs += beta * c0t;
          scale += std::fabs(beta * c0t);
        }
        for (int p = 0; p < k; ++p) {
          rhs += alpha * A(i, p) * bt[p];
          scale += std::fabs(alpha * A(i, p)) * bt_abs[p];
        }
        const double tol = 1.2e-7 * (k + 4) * scale + 1e-6;
        if (!(std::fabs(lhs - rhs) <= tol) && shown++ < 5) {
          if (shown == 1) {
            std::printf("FAIL residual check\n");
            describe(t, isa, threads);
            ++g_failures;
          }
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
  if (!parse_isa("avx2", &parsed) || parsed != Isa::avx2 || parse_isa("sse9", &parsed) ||
      !isa_supported(Isa::generic)) {
    std::printf("FAIL parse_isa / isa_supported\n");
    ++g_failures;
  }
}

}  // namespace

int main() {
  const Isa initial = active_isa();
  std::printf("active ISA %s, avx2 %s, threads %d (max %d)\n", isa_name(initial),
              isa_supported(Isa::avx2) ? "supported" : "not supported", num_threads(),
              max_threads());
  thread_pool_checks();

  Rng rng{0x9E3779B97F4A7C15ull};
  const std::vector<int> sizes = {0, 1, 2, 5, 6, 7, 15, 16, 17, 33, 64, 100, 257, 300};
  const float alphas[] = {1.0f, -0.5f};
  const float betas[] = {0.0f, 1.0f, 0.7f};
  const int count = static_cast<int>(sizes.size());
  int index = 0;
  // Every (m, n) pair from the list with k cycling through it: each size meets each other one
  // along m and n, and every size is seen along k, without the full cube.
  for (int im = 0; im < count; ++im) {
    for (int in = 0; in < count; ++in, ++index) {
      const int k = sizes[(im * 5 + in * 3 + 1) % count];
      const bool ta = index & 1, tb = (index >> 1) & 1;
      const Case t{sizes[im], sizes[in], k, ta, tb, alphas[index % 2], betas[index % 3]};
      run_case(t, rng, index % 4 == 0);
    }
  }
  // Past the cache blocks: MC (144 avx2, 128 generic), KC (256), NC (3072 avx2, 2048 generic),
  // with every transpose combination, the MLP training shapes, and m <= 3 (the no-packing path).
  const int special[][3] = {{145, 40, 9},     {289, 33, 70},    {13, 17, 513},    {50, 70, 600},
                            {7, 3073, 20},    {5, 2049, 31},    {150, 130, 260},  {1, 256, 784},
                            {128, 256, 784},  {784, 256, 128},  {128, 784, 256},  {2, 2, 1000},
                            {3, 100, 37},     {3, 33, 300},     {2, 3000, 200}};
  for (const auto& s : special) {
    for (int trans = 0; trans < 4; ++trans, ++index) {
      const Case t{s[0], s[1], s[2], (trans & 1) != 0, (trans & 2) != 0, alphas[index % 2],
                   betas[index % 3]};
      run_case(t, rng, index % 2 == 0);
    }
  }
  residual_check(1000, 1100, 700, false, false, 1.0f, 0.7f, rng);
  residual_check(777, 3100, 300, true, true, -0.5f, 0.0f, rng);
  residual_check(600, 500, 1100, true, false, 1.0f, 1.0f, rng);

  set_isa(initial);
  std::printf("%d checks, %d failures\n", g_checks, g_failures);
  if (g_failures != 0) {
    std::printf("NOT OK\n");
    return 1;
  }
  std::printf("OK\n");
  return 0;
}
