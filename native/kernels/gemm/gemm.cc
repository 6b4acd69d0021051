// SGEMM loop driver: C = alpha * op(A) * op(B) + beta * C, row-major, the BLIS way.
// m = rows of C, n = columns of C, k = the reduced dimension.
//
//   jc over n in steps of NC   (B panel KC x NC lives in L3)
//     pc over k in equal steps of at most KC (pack B panel; the first applies beta, later add)
//       ic over m in steps of MC (pack A block MC x KC, lives in L2)
//         macro-kernel: jr over NC by NR (B micro-panel in L1), ir over MC by MR -> micro-kernel
//         on the last pc step the MC x NC block of C is final: call the epilogue on it
//
// Threads: C is cut into one rectangular region per thread (a grid of tm x tn regions, edges on
// multiples of MR and NR) and each thread runs the whole loop nest above on its region with its
// own packing buffers. k is never split, and every element of C is reduced in the same order
// (pc blocks in order, then k in order inside the micro-kernel) whatever the region is, so the
// result is bit-identical for any thread count. Cutting n as well as m is what lets the m = 128
// training shapes use both cores.
//
// Small m (<= 3) with B not transposed on the AVX2 path skips packing (BLIS's "sup"): a row-
// times-matrix product touches each element of B once, so packing B would double the work.
// The path is chosen by shape and ISA only, never by thread count.
//
// Packing buffers are per thread (thread_local), 64-byte aligned and grown once: no allocation on
// the hot path after the first call of a given size.
#include "gemm.h"

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <new>

#include "../../runtime/cpu_features.h"
#include "../../runtime/thread_pool.h"
#include "gemm_internal.h"

namespace myelin {

namespace {

using gemm_detail::Blocksizes;
using gemm_detail::MicroKernel;

struct Path {
  Blocksizes bs;
  MicroKernel ukr;
};

Path path_for(Isa isa) {
  if (isa == Isa::avx2) return {gemm_detail::kBlocksAvx2, gemm_detail::ukr_avx2_6x16};
  return {gemm_detail::kBlocksGeneric, gemm_detail::ukr_generic_4x8};
}

int round_up(int x, int multiple) { return (x + multiple - 1) / multiple * multiple; }
int ceil_div(int x, int d) { return (x + d - 1) / d; }

// A 64-byte aligned float buffer that only grows. Deliberately trivially destructible, so it
// stays usable until its thread ends: the main thread's thread_locals are destroyed before
// static objects, and a GEMM called from a static destructor must not touch freed memory.
// The memory is given back by PackBufferReaper, which leaves the buffers empty (a later call
// allocates afresh).
struct PackBuffer {
  float* data;
  std::size_t capacity;
};

thread_local PackBuffer t_pack_a = {nullptr, 0};
thread_local PackBuffer t_pack_b = {nullptr, 0};

void release(PackBuffer& buffer) {
  std::free(buffer.data);
  buffer.data = nullptr;
  buffer.capacity = 0;
}

struct PackBufferReaper {
  ~PackBufferReaper() {
    release(t_pack_a);
    release(t_pack_b);
  }
};

thread_local PackBufferReaper t_reaper;

float* reserve(PackBuffer& buffer, std::size_t floats) {
  if (floats > buffer.capacity) {
    static_cast<void>(&t_reaper);  // odr-use: constructs the reaper on this thread once
    release(buffer);
    const std::size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
    buffer.data = static_cast<float*>(std::aligned_alloc(64, bytes));
    if (buffer.data == nullptr) throw std::bad_alloc();
    buffer.capacity = floats;
  }
  return buffer.data;
}

struct Problem {
  float* c;
  const float* a;
  const float* b;
  int m, n, k;
  bool trans_a, trans_b;
  float alpha, beta;
  const GemmEpilogue* epilogue;
  Path path;
};

// Runs the whole loop nest on rows [row_begin, row_end) x cols [col_begin, col_end) of C.
void gemm_region(const Problem& p, int row_begin, int row_end, int col_begin, int col_end) {
  const Blocksizes& bs = p.path.bs;
  const std::ptrdiff_t lda = p.trans_a ? p.m : p.k;
  const std::ptrdiff_t ldb = p.trans_b ? p.k : p.n;
  const std::ptrdiff_t ldc = p.n;
  const int region_cols = col_end - col_begin;
  const int region_rows = row_end - row_begin;
  // k is cut into equal blocks of at most KC (784 -> 4 x 196, not 3 x 256 + 16): a short last
  // block would pay a full pass over C for little work. This depends on k alone, so the
  // reduction order is the same for every region and thread count.
  const int kc_max = ceil_div(p.k, ceil_div(p.k, bs.kc));
  float* packed_a = reserve(t_pack_a, static_cast<std::size_t>(kc_max) *
                                          round_up(std::min(bs.mc, region_rows), bs.mr));
  float* packed_b = reserve(t_pack_b, static_cast<std::size_t>(kc_max) *
                                          round_up(std::min(bs.nc, region_cols), bs.nr));

  for (int jc = col_begin; jc < col_end; jc += bs.nc) {
    const int nc = std::min(bs.nc, col_end - jc);
    for (int pc = 0; pc < p.k; pc += kc_max) {
      const int kc = std::min(kc_max, p.k - pc);
      const float* b_block = p.trans_b ? p.b + jc * ldb + pc : p.b + pc * ldb + jc;
      gemm_detail::pack_b(packed_b, b_block, static_cast<int>(ldb), p.trans_b, kc, nc, bs.nr);
      const float beta = pc == 0 ? p.beta : 1.0f;
      const bool last = pc + kc == p.k;

      for (int ic = row_begin; ic < row_end; ic += bs.mc) {
        const int mc = std::min(bs.mc, row_end - ic);
        const float* a_block = p.trans_a ? p.a + pc * lda + ic : p.a + ic * lda + pc;
        gemm_detail::pack_a(packed_a, a_block, static_cast<int>(lda), p.trans_a, mc, kc, bs.mr);

        float* c_block = p.c + ic * ldc + jc;
        for (int jr = 0; jr < nc; jr += bs.nr) {
          const int cols = std::min(bs.nr, nc - jr);
          const float* b_panel = packed_b + static_cast<std::ptrdiff_t>(jr) * kc;
          for (int ir = 0; ir < mc; ir += bs.mr) {
            const int rows = std::min(bs.mr, mc - ir);
            p.path.ukr(c_block + ir * ldc + jr, packed_a + static_cast<std::ptrdiff_t>(ir) * kc,
                       b_panel, kc, static_cast<int>(ldc), rows, cols, p.alpha, beta);
          }
        }
        if (last && p.epilogue != nullptr) {
          p.epilogue->apply(p.epilogue->ctx, c_block, p.n, ic, jc, mc, nc);
        }
      }
    }
  }
}

// The sup path on columns [col_begin, col_end): 32-column tiles over all m rows and the whole k,
// the epilogue on each tile as soon as it is final.
void sup_region(const Problem& p, int col_begin, int col_end) {
  const int a_rs = p.trans_a ? 1 : p.k;
  const int a_cs = p.trans_a ? p.m : 1;
  for (int jc = col_begin; jc < col_end; jc += gemm_detail::kSupCols) {
    const int cols = std::min(gemm_detail::kSupCols, col_end - jc);
    gemm_detail::sup_avx2_3x32(p.c + jc, p.a, a_rs, a_cs, p.b + jc, p.n, p.k, p.n, p.m, cols,
                               p.alpha, p.beta);
    if (p.epilogue != nullptr) p.epilogue->apply(p.epilogue->ctx, p.c + jc, p.n, 0, jc, p.m, cols);
  }
}

// C = beta * C (not reading C when beta == 0), then the epilogue: the k == 0 / alpha == 0 case.
void scale_only(const Problem& p) {
  const std::size_t count = static_cast<std::size_t>(p.m) * p.n;
  if (p.beta == 0.0f) {
    std::fill(p.c, p.c + count, 0.0f);
  } else if (p.beta != 1.0f) {
    for (std::size_t i = 0; i < count; ++i) p.c[i] *= p.beta;
  }
  if (p.epilogue != nullptr) p.epilogue->apply(p.epilogue->ctx, p.c, p.n, 0, 0, p.m, p.n);
}

struct Grid {
  int tm, tn;          // regions along m and n
  int rows, cols;      // region extent (the last region along each axis may be shorter)
};

// Chooses tm x tn = threads regions minimizing the busiest thread's work: its micro-tiles
// (padded to MR x NR) plus the packing it does, A once per NC panel and B once, each packed
// element weighted like a dozen FMAs.
Grid choose_grid(int m, int n, int threads, const Blocksizes& bs) {
  Grid best{1, 1, m, n};
  double best_cost = -1.0;
  for (int tm = 1; tm <= threads; ++tm) {
    if (threads % tm != 0) continue;
    const int tn = threads / tm;
    const int rows = round_up(ceil_div(m, tm), bs.mr);
    const int cols = round_up(ceil_div(n, tn), bs.nr);
    if (ceil_div(m, rows) < tm || ceil_div(n, cols) < tn) continue;  // a region would be empty
    const double tiles = static_cast<double>(rows) * cols;
    const double packing = 12.0 * (static_cast<double>(rows) * ceil_div(cols, bs.nc) + cols);
    const double cost = tiles + packing;
    if (best_cost < 0.0 || cost < best_cost) {
      best_cost = cost;
      best = Grid{tm, tn, rows, cols};
    }
  }
  return best;
}

struct GridSplit {
  const Problem* p;
  Grid grid;
};

struct SupSplit {
  const Problem* p;
  int cols;  // columns per task, a multiple of kSupCols
};

// Below this many multiply-adds per thread (about 5 us on one AVX2 core) a helper does not pay:
// its wake-up costs a few microseconds, and on a busy machine a helper that is preempted while
// holding a task makes the whole call wait for the scheduler.
constexpr double kMinFmasPerThread = 1 << 19;

}  // namespace

void sgemm(float* c, const float* a, const float* b, int m, int n, int k,
           bool trans_a, bool trans_b, float alpha, float beta, const GemmEpilogue* epilogue) {
  if (m <= 0 || n <= 0) return;
  const Isa isa = active_isa();  // read once: set_isa on another thread cannot mix paths
  const Problem p{c, a, b, m, n, k, trans_a, trans_b, alpha, beta, epilogue, path_for(isa)};
  if (k <= 0 || alpha == 0.0f) {
    scale_only(p);
    return;
  }

  const double fmas = static_cast<double>(m) * n * k;
  const int useful = static_cast<int>(std::min<double>(num_threads(), fmas / kMinFmasPerThread));
  const int threads = std::max(1, useful);
  // The task lambdas capture one reference each, so std::function keeps them in its small
  // buffer: no heap allocation per call.
  if (m <= gemm_detail::kSupMaxRows && !trans_b && isa == Isa::avx2) {
    // One column chunk per thread, on tile boundaries; every tile is computed the same way.
    const SupSplit split{&p, round_up(ceil_div(n, threads), gemm_detail::kSupCols)};
    parallel_for(ceil_div(n, split.cols), [&split](int task) {
      const int col_begin = task * split.cols;
      sup_region(*split.p, col_begin, std::min(split.p->n, col_begin + split.cols));
    });
    return;
  }
  if (threads == 1) {
    gemm_region(p, 0, m, 0, n);
    return;
  }
  const GridSplit split{&p, choose_grid(m, n, threads, p.path.bs)};
  parallel_for(split.grid.tm * split.grid.tn, [&split](int task) {
    const Grid& grid = split.grid;
    const int row_begin = (task / grid.tn) * grid.rows;
    const int col_begin = (task % grid.tn) * grid.cols;
    const int row_end = std::min(split.p->m, row_begin + grid.rows);
    const int col_end = std::min(split.p->n, col_begin + grid.cols);
    if (row_begin < row_end && col_begin < col_end) {
      gemm_region(*split.p, row_begin, row_end, col_begin, col_end);
    }
  });
}

}  // namespace myelin
