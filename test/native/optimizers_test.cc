// The optimizer updates (native/kernels/optimizers.h) on every ISA path this CPU supports, every
// optimizer and every option that changes its loop, on awkward sizes: 0, 1, 7, 33, 257 (below,
// across and past one 8-float vector, with scalar tails) and sizes that span several chunks of
// the arena (kChunkFloats = 2^15), so that the thread pool splits them and the last chunk is a
// partial one. Each slot is two arrays, the in that the update reads and the out it writes. For
// each:
//  (a) a finite update returns true, writes into params and the slots' outs the formula computed
//      in double from the same float inputs, within the tolerance of
//      test/kernels/optimizers.test.ts, leaves the slots' ins bit-identical, writes the old params
//      into the gradients, and gives the same bits on 1 thread as on all of them. (The AVX2 loops
//      use FMA where the generic ones round twice, so the paths are not bit-identical to each
//      other by design.)
//  (b) an update that meets a NaN gradient, an infinite one, or finite inputs that overflow one
//      element at the end of the arena (in the last chunk, after every earlier chunk's params were
//      written) or only a slot there, returns false, leaves params and every slot's in
//      bit-identical, and the gradients hold the old params (optimizers.h).
// Exits non-zero on any failure and prints the first mismatches.
//
// Quick mode (MYELIN_TEST_QUICK=1 in the environment, or --quick): fewer sizes, one of them
// spanning three chunks, for valgrind.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <limits>
#include <random>
#include <vector>

#include "kernels/optimizers.h"
#include "runtime/chunked.h"
#include "runtime/cpu_features.h"
#include "runtime/thread_pool.h"
#include "test_main.h"

namespace {

using namespace myelin;

int g_failures = 0;
int g_checks = 0;

constexpr double kAtol = 1e-6;
constexpr double kRtol = 1e-5;
constexpr float kNan = std::numeric_limits<float>::quiet_NaN();
constexpr float kInf = std::numeric_limits<float>::infinity();

// Hyperparameters of every case (float, as the kernels take them; the references widen them).
constexpr float kLr = 0.01f, kSgdLr = 0.05f, kMomentum = 0.9f, kRho = 0.9f, kEps = 1e-7f;
constexpr float kBeta1 = 0.9f, kBeta2 = 0.999f, kDecay = 0.004f;
constexpr std::int64_t kStep = 3;

// Params, gradients and up to three slots, each an in and an out (a case leaves the ones it does
// not use untouched).
struct Arrays {
  std::vector<float> p, g, s[3], out[3];
  float* slot_out(int k) { return out[k].data(); }
  const float* slot_in(int k) const { return s[k].data(); }
};

// memcmp is not given the null data() of an empty vector.
bool same(const std::vector<float>& x, const std::vector<float>& y) {
  return x.size() == y.size() &&
         (x.empty() || std::memcmp(x.data(), y.data(), x.size() * sizeof(float)) == 0);
}

bool same_bits(const Arrays& a, const Arrays& b) {
  bool all = same(a.p, b.p) && same(a.g, b.g);
  for (int k = 0; k < 3; ++k) all = all && same(a.s[k], b.s[k]) && same(a.out[k], b.out[k]);
  return all;
}

struct Case {
  const char* name;
  unsigned written;    // bit k set: the case uses slot k, so its out is written
  float lo[3], hi[3];  // range of each slot's starting values (second moments stay positive)
  // The kernel call over a's n values, with the case's hyperparameters: reads the slots' ins,
  // writes their outs.
  bool (*step)(Arrays& a, std::int64_t n);
  // One element in double: x = {p, s0, s1, s2} updated in place by the formula of optimizers.h.
  void (*reference)(double x[4], double g);
  // Finite inputs at element i whose update overflows there (and only there).
  void (*overflow)(Arrays& a, std::size_t i);
};

// The usual overflow: g^2 is past the float range, so the second-moment slot would be infinite
// while the parameter, divided by its root, stays finite: only a check of every slot catches it.
void huge_gradient(Arrays& a, std::size_t i) { a.g[i] = 1e21f; }

// SGD: a parameter near -FLT_MAX pushed past it (with momentum, by the velocity too).
void push_past_max(Arrays& a, std::size_t i) {
  a.p[i] = -3.3e38f;
  a.g[i] = 3e38f;
  a.s[0][i] = -1e38f;
}

// Adam's step size with its bias correction, and Nadam's coefficients, in double.
double adam_lr_t() {
  return kLr * std::sqrt(1.0 - std::pow(double{kBeta2}, kStep)) /
         (1.0 - std::pow(double{kBeta1}, kStep));
}
double nadam_u(std::int64_t t) { return kBeta1 * (1.0 - 0.5 * std::pow(0.96, double(t))); }
double nadam_u_product() { return nadam_u(1) * nadam_u(2) * nadam_u(3); }

void adam_reference(double x[4], double g, bool amsgrad, double decay) {
  x[0] -= decay * x[0];
  x[1] = kBeta1 * x[1] + (1.0 - kBeta1) * g;
  x[2] = kBeta2 * x[2] + (1.0 - kBeta2) * g * g;
  if (amsgrad) x[3] = std::max(x[3], x[2]);
  x[0] -= adam_lr_t() * x[1] / (std::sqrt(amsgrad ? x[3] : x[2]) + kEps);
}

// x = {p, mom (s0), v (s1), average (s2)}, as the rmsprop cases pass the slots.
void rmsprop_reference(double x[4], double g, bool with_momentum, bool centered) {
  double &p = x[0], &mom = x[1], &v = x[2], &average = x[3];
  v = kRho * v + (1.0 - kRho) * g * g;
  double den = v;
  if (centered) {
    average = kRho * average + (1.0 - kRho) * g;
    den -= average * average;
  }
  const double inc = kLr * g / std::sqrt(den + kEps);
  if (with_momentum) {
    mom = kMomentum * mom + inc;
    p -= mom;
  } else {
    p -= inc;
  }
}

// Slots: s0 signed (velocity, m, momentum), s1 and s2 positive second moments, except
// centered RMSprop's s2, its signed running average (kept small so v - a^2 stays positive).
const Case kCases[] = {
    {"sgd", 0b000, {0, 0, 0}, {0, 0, 0},
     [](Arrays& a, std::int64_t n) {
       return sgd_step(a.p.data(), a.g.data(), nullptr, nullptr, n, kSgdLr, 0.0f, false);
     },
     [](double x[4], double g) { x[0] -= kSgdLr * g; }, push_past_max},
    // The example: a learning rate of 1e30 is finite for gradients near 1 and
    // overflows where the gradient is 1e9.
    {"sgd with learning rate 1e30", 0b000, {0, 0, 0}, {0, 0, 0},
     [](Arrays& a, std::int64_t n) {
       return sgd_step(a.p.data(), a.g.data(), nullptr, nullptr, n, 1e30f, 0.0f, false);
     },
     [](double x[4], double g) { x[0] -= double{1e30f} * g; },
     [](Arrays& a, std::size_t i) { a.g[i] = 1e9f; }},
    {"sgd with momentum", 0b001, {-0.1f, 0, 0}, {0.1f, 0, 0},
     [](Arrays& a, std::int64_t n) {
       return sgd_step(a.p.data(), a.g.data(), a.slot_out(0), a.slot_in(0), n, kSgdLr, kMomentum,
                       false);
     },
     [](double x[4], double g) {
       x[1] = kMomentum * x[1] - kSgdLr * g;
       x[0] += x[1];
     },
     push_past_max},
    {"sgd with nesterov momentum", 0b001, {-0.1f, 0, 0}, {0.1f, 0, 0},
     [](Arrays& a, std::int64_t n) {
       return sgd_step(a.p.data(), a.g.data(), a.slot_out(0), a.slot_in(0), n, kSgdLr, kMomentum,
                       true);
     },
     [](double x[4], double g) {
       x[1] = kMomentum * x[1] - kSgdLr * g;
       x[0] += kMomentum * x[1] - kSgdLr * g;
     },
     push_past_max},
    {"adagrad", 0b010, {0, 0.02f, 0}, {0, 0.04f, 0},
     [](Arrays& a, std::int64_t n) {
       return adagrad_step(a.p.data(), a.g.data(), a.slot_out(1), a.slot_in(1), n, kLr, kEps);
     },
     [](double x[4], double g) {
       x[2] += g * g;
       x[0] -= kLr * g / std::sqrt(x[2] + kEps);
     },
     huge_gradient},
    {"adadelta", 0b110, {0, 0.02f, 0.02f}, {0, 0.04f, 0.04f},
     [](Arrays& a, std::int64_t n) {
       return adadelta_step(a.p.data(), a.g.data(), a.slot_out(1), a.slot_out(2), a.slot_in(1),
                            a.slot_in(2), n, 1.0f, kRho, kEps);
     },
     [](double x[4], double g) {
       x[2] = kRho * x[2] + (1.0 - kRho) * g * g;
       const double d = -std::sqrt(x[3] + kEps) * g / std::sqrt(x[2] + kEps);
       x[3] = kRho * x[3] + (1.0 - kRho) * d * d;
       x[0] += d;
     },
     huge_gradient},
    {"rmsprop", 0b010, {0, 0.02f, 0}, {0, 0.04f, 0},
     [](Arrays& a, std::int64_t n) {
       return rmsprop_step(a.p.data(), a.g.data(), a.slot_out(1), nullptr, nullptr, a.slot_in(1),
                           nullptr, nullptr, n, kLr, kRho, 0.0f, kEps);
     },
     [](double x[4], double g) { rmsprop_reference(x, g, false, false); }, huge_gradient},
    {"rmsprop with momentum", 0b011, {-0.1f, 0.02f, 0}, {0.1f, 0.04f, 0},
     [](Arrays& a, std::int64_t n) {
       return rmsprop_step(a.p.data(), a.g.data(), a.slot_out(1), a.slot_out(0), nullptr,
                           a.slot_in(1), a.slot_in(0), nullptr, n, kLr, kRho, kMomentum, kEps);
     },
     [](double x[4], double g) { rmsprop_reference(x, g, true, false); }, huge_gradient},
    {"centered rmsprop", 0b110, {0, 0.02f, -0.05f}, {0, 0.04f, 0.05f},
     [](Arrays& a, std::int64_t n) {
       return rmsprop_step(a.p.data(), a.g.data(), a.slot_out(1), nullptr, a.slot_out(2),
                           a.slot_in(1), nullptr, a.slot_in(2), n, kLr, kRho, 0.0f, kEps);
     },
     [](double x[4], double g) { rmsprop_reference(x, g, false, true); }, huge_gradient},
    {"centered rmsprop with momentum", 0b111, {-0.1f, 0.02f, -0.05f}, {0.1f, 0.04f, 0.05f},
     [](Arrays& a, std::int64_t n) {
       return rmsprop_step(a.p.data(), a.g.data(), a.slot_out(1), a.slot_out(0), a.slot_out(2),
                           a.slot_in(1), a.slot_in(0), a.slot_in(2), n, kLr, kRho, kMomentum,
                           kEps);
     },
     [](double x[4], double g) { rmsprop_reference(x, g, true, true); }, huge_gradient},
    {"adam", 0b011, {-0.1f, 0.02f, 0}, {0.1f, 0.04f, 0},
     [](Arrays& a, std::int64_t n) {
       return adam_step(a.p.data(), a.g.data(), a.slot_out(0), a.slot_out(1), nullptr,
                        a.slot_in(0), a.slot_in(1), nullptr, n, kLr, kBeta1, kBeta2, kEps, 0.0f,
                        kStep);
     },
     [](double x[4], double g) { adam_reference(x, g, false, 0.0); }, huge_gradient},
    // v_hat starts on both sides of the new v, so max() takes either.
    {"adam with amsgrad", 0b111, {-0.1f, 0.02f, 0}, {0.1f, 0.04f, 0.06f},
     [](Arrays& a, std::int64_t n) {
       return adam_step(a.p.data(), a.g.data(), a.slot_out(0), a.slot_out(1), a.slot_out(2),
                        a.slot_in(0), a.slot_in(1), a.slot_in(2), n, kLr, kBeta1, kBeta2, kEps,
                        0.0f, kStep);
     },
     [](double x[4], double g) { adam_reference(x, g, true, 0.0); }, huge_gradient},
    {"adamw", 0b011, {-0.1f, 0.02f, 0}, {0.1f, 0.04f, 0},
     [](Arrays& a, std::int64_t n) {
       return adam_step(a.p.data(), a.g.data(), a.slot_out(0), a.slot_out(1), nullptr,
                        a.slot_in(0), a.slot_in(1), nullptr, n, kLr, kBeta1, kBeta2, kEps, kDecay,
                        kStep);
     },
     [](double x[4], double g) { adam_reference(x, g, false, double{kLr} * kDecay); },
     huge_gradient},
    {"adamw with amsgrad", 0b111, {-0.1f, 0.02f, 0}, {0.1f, 0.04f, 0.06f},
     [](Arrays& a, std::int64_t n) {
       return adam_step(a.p.data(), a.g.data(), a.slot_out(0), a.slot_out(1), a.slot_out(2),
                        a.slot_in(0), a.slot_in(1), a.slot_in(2), n, kLr, kBeta1, kBeta2, kEps,
                        kDecay, kStep);
     },
     [](double x[4], double g) { adam_reference(x, g, true, double{kLr} * kDecay); },
     huge_gradient},
    // Adamax cannot overflow through g (u grows with |g|): a large m over a zero u does.
    {"adamax", 0b011, {-0.1f, 0.02f, 0}, {0.1f, 0.04f, 0},
     [](Arrays& a, std::int64_t n) {
       return adamax_step(a.p.data(), a.g.data(), a.slot_out(0), a.slot_out(1), a.slot_in(0),
                          a.slot_in(1), n, kLr, kBeta1, kBeta2, kEps, kStep);
     },
     [](double x[4], double g) {
       x[1] = kBeta1 * x[1] + (1.0 - kBeta1) * g;
       x[2] = std::max(kBeta2 * x[2], std::fabs(g));
       x[0] -= kLr / (1.0 - std::pow(double{kBeta1}, kStep)) * x[1] / (x[2] + kEps);
     },
     [](Arrays& a, std::size_t i) {
       a.s[0][i] = 3e38f;
       a.s[1][i] = 0.0f;
       a.g[i] = 0.0f;
     }},
    {"nadam", 0b011, {-0.1f, 0.02f, 0}, {0.1f, 0.04f, 0},
     [](Arrays& a, std::int64_t n) {
       return nadam_step(a.p.data(), a.g.data(), a.slot_out(0), a.slot_out(1), a.slot_in(0),
                         a.slot_in(1), n, kLr, kBeta1, kBeta2, kEps, kStep, nadam_u_product());
     },
     [](double x[4], double g) {
       const double u_t = nadam_u(kStep), u_next = nadam_u(kStep + 1), big_u = nadam_u_product();
       x[1] = kBeta1 * x[1] + (1.0 - kBeta1) * g;
       x[2] = kBeta2 * x[2] + (1.0 - kBeta2) * g * g;
       const double m_hat = u_next * x[1] / (1.0 - big_u * u_next) + (1.0 - u_t) * g / (1.0 - big_u);
       const double v_hat = x[2] / (1.0 - std::pow(double{kBeta2}, kStep));
       x[0] -= kLr * m_hat / (std::sqrt(v_hat) + kEps);
     },
     huge_gradient},
};

void fail(const Case& c, std::int64_t n, const char* what) {
  std::printf("FAIL %s: %s (n=%lld, isa=%s, threads=%d)\n", c.name, what,
              static_cast<long long>(n), isa_name(active_isa()), num_threads());
  ++g_failures;
}

Arrays start_state(const Case& c, std::int64_t n, std::mt19937& rng) {
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  Arrays a;
  a.p.resize(n);
  a.g.resize(n);
  for (float& x : a.p) x = unit(rng);
  for (float& x : a.g) x = unit(rng);
  for (int k = 0; k < 3; ++k) {
    std::uniform_real_distribution<float> range(c.lo[k], c.hi[k]);
    a.s[k].resize(n);
    for (float& x : a.s[k]) x = c.lo[k] == c.hi[k] ? c.lo[k] : range(rng);
    // NaN in the outs: a loop that read one instead of its in would write NaN, and be caught.
    a.out[k].assign(n, kNan);
  }
  return a;
}

bool writes(const Case& c, int k) { return (c.written >> k) & 1u; }

// What an update must leave: the slots' ins as they were, the outs of the slots the case does
// not use too, and the old params in the gradients.
bool kept(const Case& c, const Arrays& after, const Arrays& before) {
  bool all = same(after.g, before.p);
  for (int k = 0; k < 3; ++k) {
    all = all && same(after.s[k], before.s[k]) && (writes(c, k) || same(after.out[k], before.out[k]));
  }
  return all;
}

// (a): true, every value within tolerance of the double reference, the ins kept, the old params
// in the gradients, the same bits on 1 thread.
void check_finite(const Case& c, const Arrays& start, std::int64_t n) {
  Arrays a = start;
  ++g_checks;
  if (!c.step(a, n)) {
    fail(c, n, "a finite update returned false");
    return;
  }
  int reported = 0;
  for (std::int64_t i = 0; i < n; ++i) {
    double x[4] = {start.p[i], start.s[0][i], start.s[1][i], start.s[2][i]};
    c.reference(x, start.g[i]);
    float got[4] = {a.p[i]};
    for (int k = 0; k < 3; ++k) got[k + 1] = writes(c, k) ? a.out[k][i] : a.s[k][i];
    for (int k = 0; k < 4; ++k) {
      if (std::fabs(got[k] - x[k]) <= kAtol + kRtol * std::fabs(x[k])) continue;
      if (reported++ < 5) {
        std::printf("  %s[%lld]: got %.9g, expected %.9g\n", k == 0 ? "p" : "slot",
                    static_cast<long long>(i), got[k], x[k]);
      }
    }
  }
  ++g_checks;
  if (reported > 0) fail(c, n, "values differ from the double reference");
  ++g_checks;
  if (!kept(c, a, start)) fail(c, n, "a slot's in written, or the old params not in the gradients");
  if (chunk_count(n) > 1 && num_threads() > 1) {
    const int threads = num_threads();
    Arrays one = start;
    set_num_threads(1);
    const bool applied = c.step(one, n);
    set_num_threads(threads);
    ++g_checks;
    if (!applied || !same_bits(one, a)) fail(c, n, "1 thread differs from several");
  }
}

// (b): false, params restored, the ins kept and the old params in the gradients.
void check_refused(const Case& c, const Arrays& start, std::int64_t n, const char* what,
                   void (*spoil)(Arrays& a, std::size_t i), std::size_t i) {
  Arrays a = start;
  spoil(a, i);
  const Arrays before = a;
  const bool applied = c.step(a, n);
  ++g_checks;
  if (applied || !same(a.p, before.p) || !kept(c, a, before)) {
    char message[160];
    std::snprintf(message, sizeof message, "%s at %zu: %s", what, i,
                  applied ? "returned true" : "returned false but did not restore");
    fail(c, n, message);
  }
}

void run_case(const Case& c, std::int64_t n, std::mt19937& rng) {
  const Arrays start = start_state(c, n, rng);
  check_finite(c, start, n);
  if (n == 0) return;
  const std::size_t last = static_cast<std::size_t>(n - 1);
  check_refused(c, start, n, "NaN gradient", [](Arrays& a, std::size_t i) { a.g[i] = kNan; },
                last);
  check_refused(c, start, n, "+inf gradient", [](Arrays& a, std::size_t i) { a.g[i] = kInf; },
                last);
  check_refused(c, start, n, "-inf gradient", [](Arrays& a, std::size_t i) { a.g[i] = -kInf; },
                last / 2);
  check_refused(c, start, n, "overflow", c.overflow, last);
  // In the last chunk's vector body rather than its scalar tail.
  if (n >= 17) check_refused(c, start, n, "overflow", c.overflow, last - 9);
}

}  // namespace

int main(int argc, char** argv) {
  const bool quick = myelin_test::quick_mode(argc, argv);
  const Isa initial = active_isa();
  set_num_threads(max_threads());
  std::printf("active ISA %s, supported:", isa_name(initial));
  for (Isa isa : kAllIsas) {
    if (isa_supported(isa)) std::printf(" %s", isa_name(isa));
  }
  std::printf(", threads %d%s\n", num_threads(), quick ? ", quick mode" : "");
  // 2 chunks + 37 and 3 chunks + 13: the last chunk partial and its length not a multiple of 8.
  const std::vector<std::int64_t> sizes =
      quick ? std::vector<std::int64_t>{0, 1, 7, 33, 257, 2 * kChunkFloats + 37}
            : std::vector<std::int64_t>{0,   1,    7,    8,    15,   16,
                                        17,  33,   257,  1001, kChunkFloats,
                                        kChunkFloats + 1, 2 * kChunkFloats + 37,
                                        3 * kChunkFloats + 13};
  std::mt19937 rng(20240611);
  for (Isa isa : kAllIsas) {
    if (!set_isa(isa)) continue;
    for (const Case& c : kCases) {
      for (const std::int64_t n : sizes) run_case(c, n, rng);
    }
  }
  set_isa(initial);
  return myelin_test::finish(g_checks, g_failures);
}
