// SGEMM loop driver: C = alpha * op(A) * op(B) + beta * C, row-major, the BLIS way.
// m = rows of C, n = columns of C, k = the reduced dimension.
//
//   jc over n in steps of NC   (B panel KC x NC lives in L3)
//     pc over k in equal steps of at most KC (pack B panel; the first applies beta, later add)
//       ic over m in steps of MC (pack A block MC x KC, lives in L2; or, on the AVX-512 path,
//                                 read A in place: see kDirectAStrideBreak)
//         macro-kernel: jr over NC by NR (B micro-panel in L1), ir over MC by MR -> micro-kernel
//         on the last pc step each tile is final: the micro-kernel applies the epilogue's bias
//         and ReLU before storing it, then the epilogue's callback runs on the MC x NC block
//
// Threads: C is cut into one rectangular region per thread (a grid of tm x tn regions, edges on
// multiples of MR and NR) and each thread runs the whole loop nest above on its region with its
// own packing buffers. k is never split, and every element of C is reduced in the same order
// (pc blocks in order, then k in order inside the micro-kernel) whatever the region is, so the
// result is bit-identical for any thread count. Cutting n as well as m is what lets the m = 128
// training shapes use both cores.
//
// Small or skinny problems on the AVX2 and AVX-512 paths skip packing (BLIS's "sup"). On the AVX2
// path (the kernels of gemm_sup_avx2.cc): m <= 16 (batch-1..16 inference), n <= 12 (layers with
// few units), k <= 16 (the input gradient of such a layer), and k <= 128 when B is not
// transposed and fits in L2 (measured faster than packing into the AVX2 micro-kernel there, but
// half the speed of the AVX-512 one). On the AVX-512 path: n <= 12 with m >= 2 takes the AVX-512
// kernels of gemm_sup_avx512.cc, and only the smallest m the AVX2 ones (see sup_for); small k
// packs. A product touches each element of the big operand a
// few times at most, so packing it would double the work. The path is chosen by shape and ISA
// only, never by thread count; threads split the long side.
//
// Packing buffers are per thread (thread_local), 64-byte aligned and grown once: no allocation on
// the hot path after the first call of a given size.
#include "gemm.h"

#include <algorithm>
#include <cstddef>
#include <new>

#include "../../runtime/aligned_memory.h"
#include "../../runtime/arch.h"
#include "../../runtime/cpu_features.h"
#include "../../runtime/thread_pool.h"
#include "gemm_internal.h"

namespace myelin {

namespace {

using gemm_detail::Blocksizes;
using gemm_detail::DirectKernel;
using gemm_detail::MicroKernel;

// One ISA's kernels: BLIS's context. A null kernel is one the ISA does not have; sup_for never
// sends a shape to a path without packing whose kernel is null.
struct Path {
  Blocksizes bs;
  MicroKernel ukr;
  DirectKernel direct;  // nullptr: this ISA always packs A
  void (*pack_a)(float* dst, const float* a, int lda, bool trans_a, int rows, int depth, int mr);
  void (*finish)(float* c, int ldc, const float* bias, bool relu, int rows, int cols);
  // The paths without packing (gemm_internal.h): the AVX2 ones, the AVX-512 ones (avx512 only),
  // the NEON ones.
  gemm_detail::SupAxpy sup_axpy;
  gemm_detail::SupRow sup_row;
  gemm_detail::SupDot sup_dot;
  gemm_detail::SupNarrow sup_narrow;
  gemm_detail::SupNarrowT sup_narrow_t;
  gemm_detail::SupRowWide sup_row_wide;
};

// Each path names only kernels compiled for this architecture (native/sources.json).
Path path_for(Isa isa) {
  switch (isa) {
#if MYELIN_ARCH_X64
    case Isa::avx512:
      return {gemm_detail::kBlocksAvx512,        gemm_detail::ukr_avx512_14x32,
              gemm_detail::ukr_avx512_14x32_direct, gemm_detail::pack_a_avx512,
              gemm_detail::finish_avx512,        gemm_detail::sup_axpy_avx2,
              gemm_detail::sup_row_avx2,         gemm_detail::sup_dot_avx2,
              gemm_detail::sup_narrow_avx512,    gemm_detail::sup_narrow_t_avx512,
              gemm_detail::sup_row_avx512};
    case Isa::avx2:
      return {gemm_detail::kBlocksAvx2,   gemm_detail::ukr_avx2_6x16, nullptr,
              gemm_detail::pack_a,        gemm_detail::finish_generic, gemm_detail::sup_axpy_avx2,
              gemm_detail::sup_row_avx2,  gemm_detail::sup_dot_avx2,  nullptr,
              nullptr,                    nullptr};
#endif
#if MYELIN_ARCH_ARM64
    case Isa::neon:
      return {gemm_detail::kBlocksNeon, gemm_detail::ukr_neon_8x12,  nullptr,
              gemm_detail::pack_a,      gemm_detail::finish_generic, gemm_detail::sup_axpy_neon,
              nullptr,                  nullptr,                     nullptr,
              nullptr,                  nullptr};
#endif
    default:
      return {gemm_detail::kBlocksGeneric, gemm_detail::ukr_generic_4x8, nullptr,
              gemm_detail::pack_a,         gemm_detail::finish_generic,  nullptr,
              nullptr,                     nullptr,                      nullptr,
              nullptr,                     nullptr};
  }
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
thread_local PackBuffer t_row_parts = {nullptr, 0};  // sup_one_row's partial rows

void release(PackBuffer& buffer) {
  aligned_free(buffer.data);
  buffer.data = nullptr;
  buffer.capacity = 0;
}

struct PackBufferReaper {
  ~PackBufferReaper() {
    release(t_pack_a);
    release(t_pack_b);
    release(t_row_parts);
  }
};

thread_local PackBufferReaper t_reaper;

float* reserve(PackBuffer& buffer, std::size_t floats) {
  if (floats > buffer.capacity) {
    static_cast<void>(&t_reaper);  // odr-use: constructs the reaper on this thread once
    release(buffer);
    const std::size_t bytes = (floats * sizeof(float) + 63) / 64 * 64;
    buffer.data = static_cast<float*>(aligned_allocate(64, bytes));
    if (buffer.data == nullptr) throw std::bad_alloc();
    buffer.capacity = floats;
  }
  return buffer.data;
}

struct Problem {
  // The epilogue's bias at column col0 (null when it has none) and its ReLU flag, which the
  // micro-kernels apply on the last block of k.
  const float* bias_at(int col0) const {
    return epilogue == nullptr || epilogue->bias == nullptr ? nullptr : epilogue->bias + col0;
  }
  bool relu() const { return epilogue != nullptr && epilogue->relu; }
  // The epilogue's bias and ReLU, when it has either, on a finished part of C (row stride ldc)
  // computed by a path without packing; c points at element (row0, col0).
  void finish(float* c, int col0, int rows, int cols) const {
    const float* bias = bias_at(col0);
    if (bias != nullptr || relu()) path.finish(c, ldc, bias, relu(), rows, cols);
  }
  // The epilogue's callback, when it has one, on a finished block.
  void apply(float* c, int row0, int col0, int rows, int cols) const {
    if (epilogue != nullptr && epilogue->apply != nullptr) {
      epilogue->apply(epilogue->ctx, c, ldc, row0, col0, rows, cols);
    }
  }

  float* c;
  const float* a;
  const float* b;
  int ldc, lda, ldb;
  int m, n, k;
  bool trans_a, trans_b;
  float alpha, beta;
  const GemmEpilogue* epilogue;
  Path path;
  Isa isa;
};

// B not transposed is already k-major with NR contiguous columns per row: the micro-kernel can
// stream a micro-panel straight from B (rows ldb apart) instead of a packed copy. Packing B costs
// a pass over all of it, which for few rows of C is a large share of the work (m = 32: a quarter);
// for many rows it is amortized and the packed panel's locality (one page, no TLB misses) wins.
// Both read the same values, so the bits do not depend on the choice.
constexpr int kDirectBMaxRows = 512;

// A read in place (the micro-kernel's direct form, where the ISA has one) skips packing A: one
// pass over the MC x KC block per B panel, which measured 7-30% of the time of the training and
// small shapes on the AVX-512 path (square 64: 165 -> 207 GFLOP/s; batch-8 256 -> 128: 156 ->
// 206; square 512: +4%). Except when lda is a multiple of 1024 floats (4 KiB, the period of the
// L1's 64 sets of 64 B): then the 14 rows of a micro-panel fall in one set, evict each other and
// the B micro-panel, and square 1024 and 2048 ran at 0.7-0.9x of packing. Transposed A is held
// to the same rule (its steps of k are then a page apart: 0.97x at 1024).
constexpr int kDirectAStrideBreak = 1024;

bool reads_a_in_place(const Path& path, int lda) {
  return path.direct != nullptr && lda % kDirectAStrideBreak != 0;
}

// Runs the whole loop nest on rows [row_begin, row_end) x cols [col_begin, col_end) of C.
void gemm_region(const Problem& p, int row_begin, int row_end, int col_begin, int col_end) {
  const Blocksizes& bs = p.path.bs;
  const std::ptrdiff_t lda = p.lda;
  const std::ptrdiff_t ldb = p.ldb;
  const std::ptrdiff_t ldc = p.ldc;
  const int region_cols = col_end - col_begin;
  const int region_rows = row_end - row_begin;
  // k is cut into equal blocks of at most KC (784 -> 2 x 392, not 400 + 384; 1000 -> 3 x 334,
  // not 2 x 400 + 200): a short last
  // block would pay a full pass over C for little work. This depends on k alone, so the
  // reduction order is the same for every region and thread count.
  const int kc_max = ceil_div(p.k, ceil_div(p.k, bs.kc));
  const bool direct_a = reads_a_in_place(p.path, p.lda);
  float* packed_a =
      direct_a ? nullptr
               : reserve(t_pack_a, static_cast<std::size_t>(kc_max) *
                                       round_up(std::min(bs.mc, region_rows), bs.mr));
  float* packed_b = reserve(t_pack_b, static_cast<std::size_t>(kc_max) *
                                          round_up(std::min(bs.nc, region_cols), bs.nr));

  // B read in place: see kDirectBMaxRows. Only the last, partial micro-panel is packed.
  const bool direct_b = !p.trans_b && region_rows <= kDirectBMaxRows;

  for (int jc = col_begin; jc < col_end; jc += bs.nc) {
    const int nc = std::min(bs.nc, col_end - jc);
    const int nc_full = direct_b ? nc / bs.nr * bs.nr : 0;  // columns read in place
    for (int pc = 0; pc < p.k; pc += kc_max) {
      const int kc = std::min(kc_max, p.k - pc);
      const float* b_block = p.trans_b ? p.b + jc * ldb + pc : p.b + pc * ldb + jc;
      if (nc_full < nc) {
        const float* b_rest = p.trans_b ? b_block + nc_full * ldb : b_block + nc_full;
        gemm_detail::pack_b(packed_b, b_rest, p.ldb, p.trans_b, kc, nc - nc_full, bs.nr);
      }
      const float beta = pc == 0 ? p.beta : 1.0f;
      const bool last = pc + kc == p.k;

      for (int ic = row_begin; ic < row_end; ic += bs.mc) {
        const int mc = std::min(bs.mc, row_end - ic);
        const float* a_block = p.trans_a ? p.a + pc * lda + ic : p.a + ic * lda + pc;
        if (!direct_a) p.path.pack_a(packed_a, a_block, p.lda, p.trans_a, mc, kc, bs.mr);

        float* c_block = p.c + ic * ldc + jc;
        for (int jr = 0; jr < nc; jr += bs.nr) {
          const int cols = std::min(bs.nr, nc - jr);
          const float* bias = last ? p.bias_at(jc + jr) : nullptr;
          const bool relu = last && p.relu();
          const bool in_place = jr < nc_full;
          const float* b_panel =
              in_place ? b_block + jr : packed_b + static_cast<std::ptrdiff_t>(jr - nc_full) * kc;
          const int b_rs = in_place ? p.ldb : bs.nr;
          for (int ir = 0; ir < mc; ir += bs.mr) {
            const int rows = std::min(bs.mr, mc - ir);
            float* c_tile = c_block + ir * ldc + jr;
            if (direct_a) {
              p.path.direct(c_tile, p.trans_a ? a_block + ir : a_block + ir * lda,
                            p.trans_a ? 1 : p.lda, p.trans_a ? p.lda : 1, b_panel, b_rs, kc,
                            p.ldc, rows, cols, p.alpha, beta, bias, relu);
            } else {
              p.path.ukr(c_tile, packed_a + static_cast<std::ptrdiff_t>(ir) * kc, b_panel, b_rs,
                         kc, p.ldc, rows, cols, p.alpha, beta, bias, relu);
            }
          }
        }
        if (last) p.apply(c_block, ic, jc, mc, nc);
      }
    }
  }
}

// Which path without packing a shape takes (by shape and ISA, never by thread count).
enum class Sup { none, small_m, small_n, small_k };

Sup sup_for(Isa isa, int m, int n, int k, bool trans_b) {
  if (isa == Isa::generic) return Sup::none;
  if (isa == Isa::neon) {
    // One kernel without packing on NEON, the axpy form over B in place, for the rows the 8-row
    // micro-kernel would mostly waste (batch 1 to 4: it would run at m/8 of its FMAs). From 5
    // rows on, the packed path is the small-m path: A packs into one or two micro-panels (a few
    // KiB) and B is read in place (kDirectBMaxRows), so batch 8 is exactly one full-height row
    // of 8x12 tiles with no pass over B.
    return m <= gemm_detail::kSupMaxMNeon && !trans_b ? Sup::small_m : Sup::none;
  }
  if (isa == Isa::avx512) {
    // Measured against the AVX-512 14x32 kernel on Zen 5 (1 and 2 threads): few columns go to
    // the AVX-512 narrow kernels (m == 1 stays on the AVX2 row kernel's 4 chains per element:
    // one row is latency-bound); the AVX2 axpy beats packing only for very few
    // rows (m <= 3, where a 14-row tile is mostly padding), for m <= 6 below 128 columns, for
    // 15..16 rows (14 + 2 tiles) below 256 columns, and for fewer than 32 columns (one
    // part-empty 32-wide tile). Small k packs: the 14x32 kernel doubles the AVX2 axpy there
    // (dx of a 10-unit layer, 128x128x10: ~140 against ~85 GFLOP/s).
    if (n <= gemm_detail::kSupMaxN && m > 1) return Sup::small_n;
    if (m <= gemm_detail::kSupMaxM) {
      const bool sup = m <= 3 || n < 32 || (m <= 6 && n < 128) || (m > 14 && n < 256);
      return sup ? Sup::small_m : Sup::none;
    }
    return Sup::none;
  }
  if (m <= gemm_detail::kSupMaxM) return Sup::small_m;
  if (n <= gemm_detail::kSupMaxN) return Sup::small_n;
  if (k <= gemm_detail::kSupMaxK) return Sup::small_k;
  // Measured against the AVX2 6x16 kernel only: the AVX-512 one beats the in-place axpy at
  // twice its speed on these shapes (784x256x128: ~185 against ~100 GFLOP/s on Zen 5).
  if (isa == Isa::avx2 && !trans_b && k <= gemm_detail::kSupMaxKInPlace &&
      static_cast<double>(k) * n <= gemm_detail::kSupMaxBInPlace) {
    return Sup::small_k;
  }
  return Sup::none;
}

// Copies the rows x depth matrix whose element (i, p) is src[p*ld + i] to dst row-major (i, p),
// so a sup kernel can read it along the direction it wants. In blocks of 16 source rows: each
// row of dst gets a whole cache line at a time (a plain column-by-column copy with a power-of-two
// row width thrashes a few L1 sets).
float* transpose_to(PackBuffer& buffer, const float* src, int ld, int rows, int depth) {
  float* dst = reserve(buffer, static_cast<std::size_t>(rows) * depth);
  constexpr int kBlock = 16;
  for (int p0 = 0; p0 < depth; p0 += kBlock) {
    const int p1 = std::min(depth, p0 + kBlock);
    for (int i = 0; i < rows; ++i) {
      float* out = dst + static_cast<std::ptrdiff_t>(i) * depth;
      for (int p = p0; p < p1; ++p) out[p] = src[static_cast<std::ptrdiff_t>(p) * ld + i];
    }
  }
  return dst;
}

// Below this many multiply-adds per thread (about 5 us on one AVX2 core) a helper does not pay:
// its wake-up costs a few microseconds, and on a busy machine a helper that is preempted while
// holding a task makes the whole call wait for the scheduler.
constexpr double kMinFmasPerThread = 1 << 19;
// The paths without packing have no packing to amortize, so a helper pays off sooner; and the
// small-m path streams B from L2 at a few FMAs per load, where a second core (its own L2, half
// the stream) pays off sooner still (batch-1 784x256: 4.4x OpenBLAS alone, 6.4x on two cores).
constexpr double kMinSupFmasPerThread = 1 << 17;
constexpr double kMinStreamFmasPerThread = 1 << 16;

// Column blocks of the small-m path, and row blocks of the small-n and small-k paths: the
// epilogue runs on each as soon as it is final, while it is in cache.
constexpr int kSupBlockCols = 256;
constexpr int kSupBlockRows = 64;

// Small m: all m rows x columns [col_begin, col_end).
void sup_small_m(const Problem& p, int col_begin, int col_end) {
  const float* a = p.a;
  int lda = p.lda;
  if (p.trans_b && p.trans_a) {  // the dot kernel wants A contiguous along k
    a = transpose_to(t_pack_a, p.a, p.lda, p.m, p.k);
    lda = p.k;
  }
  for (int jc = col_begin; jc < col_end; jc += kSupBlockCols) {
    const int cols = std::min(kSupBlockCols, col_end - jc);
    float* c = p.c + jc;
    if (p.trans_b) {
      p.path.sup_dot(c, p.ldc, a, lda, p.b + static_cast<std::ptrdiff_t>(jc) * p.ldb, p.ldb, p.k,
                     p.m, cols, p.alpha, p.beta);
    } else if (p.m == 1 && p.path.sup_row != nullptr) {
      // on the AVX2 path (sup_one_row on the AVX-512 one; the axpy kernel on NEON)
      p.path.sup_row(c, p.a, p.trans_a ? p.lda : 1, p.b + jc, p.ldb, p.k, cols, p.n, p.alpha,
                     p.beta);
    } else {
      p.path.sup_axpy(c, p.ldc, 1, p.a, p.trans_a ? 1 : p.lda, p.trans_a ? p.lda : 1, p.b + jc,
                      p.ldb, p.k, p.m, cols, p.alpha, p.beta);
    }
    p.finish(c, jc, p.m, cols);
    p.apply(c, 0, jc, p.m, cols);
  }
}

// One row of C on the AVX-512 path, B not transposed (batch-1 inference). Its kernel streams B
// from L2 and reads it fastest along whole rows (1x256x784: 89 GFLOP/s in passes of 256 columns,
// 51 in passes of 128), so two threads do not cut the columns, which would leave each half of
// every row, but k: part q sums its share of the rows of B into its own copy of the row, and the
// copies are added at the end. How many parts depends on the shape alone (two once there is work
// for two threads), so the bits do not depend on the number of threads.

// Part q (0 or 1) of one row: rows [q k/2, (q+1) k/2) of B summed into row q of `parts`.
struct RowParts {
  const Problem* p;
  float* parts;  // 2 x n
  int a_cs;
};

void row_part(const RowParts& job, int q) {
  const Problem& p = *job.p;
  const int p0 = q == 0 ? 0 : p.k / 2;
  const int p1 = q == 0 ? p.k / 2 : p.k;
  p.path.sup_row_wide(job.parts + static_cast<std::ptrdiff_t>(q) * p.n,
                       p.a + static_cast<std::ptrdiff_t>(p0) * job.a_cs, job.a_cs,
                       p.b + static_cast<std::ptrdiff_t>(p0) * p.ldb, p.ldb, p1 - p0, p.n, 1.0f,
                       0.0f);
}

void sup_one_row(const Problem& p, int threads) {
  const int n = p.n;
  const int a_cs = p.trans_a ? p.lda : 1;
  if (static_cast<double>(n) * p.k < 2 * kMinStreamFmasPerThread) {
    p.path.sup_row_wide(p.c, p.a, a_cs, p.b, p.ldb, p.k, n, p.alpha, p.beta);
  } else {
    // The tasks write through a plain pointer: inside them the thread_local's name would mean
    // the running worker's own buffer.
    const RowParts job{&p, reserve(t_row_parts, 2 * static_cast<std::size_t>(n)), a_cs};
    if (threads > 1) {
      parallel_for(2, [&job](int q) { row_part(job, q); });
    } else {
      row_part(job, 0);
      row_part(job, 1);
    }
    for (int j = 0; j < n; ++j) {
      const float sum = job.parts[j] + job.parts[n + j];
      p.c[j] = p.beta == 0.0f ? p.alpha * sum : p.alpha * sum + p.beta * p.c[j];
    }
  }
  p.finish(p.c, 0, 1, n);
  p.apply(p.c, 0, 0, 1, n);
}

// Small n or small k: rows [row_begin, row_end) x all n columns.
void sup_rows(const Problem& p, Sup kind, int row_begin, int row_end) {
  const float* b = p.b;
  int ldb = p.ldb;
  if (kind == Sup::small_n && p.path.sup_narrow != nullptr) {
    // One masked zmm per row of C: B (k x n, at most 16 columns) along n, A where it lies.
    if (p.trans_b) {
      b = transpose_to(t_pack_b, p.b, p.ldb, p.k, p.n);
      ldb = p.n;
    }
    for (int ic = row_begin; ic < row_end; ic += kSupBlockRows) {
      const int rows = std::min(kSupBlockRows, row_end - ic);
      float* c = p.c + static_cast<std::ptrdiff_t>(ic) * p.ldc;
      const float* a = p.trans_a ? p.a + ic : p.a + static_cast<std::ptrdiff_t>(ic) * p.lda;
      // Both kernels give the same bits (one FMA chain per element, the same finish): the
      // column form needs 16 rows or more to fill its registers.
      if (p.trans_a && rows >= 16) {
        p.path.sup_narrow_t(c, p.ldc, a, p.lda, b, ldb, p.k, rows, p.n, p.alpha, p.beta);
      } else {
        p.path.sup_narrow(c, p.ldc, a, p.trans_a ? 1 : p.lda, p.trans_a ? p.lda : 1, b, ldb, p.k,
                          rows, p.n, p.alpha, p.beta);
      }
      p.finish(c, 0, rows, p.n);
      p.apply(c, ic, 0, rows, p.n);
    }
    return;
  }
  if (kind == Sup::small_n && !p.trans_a && !p.trans_b) {
    b = transpose_to(t_pack_b, p.b, p.ldb, p.n, p.k);  // the dot kernel wants B^T along k
    ldb = p.k;
  } else if (kind == Sup::small_k && p.trans_b) {
    b = transpose_to(t_pack_b, p.b, p.ldb, p.k, p.n);  // the axpy kernel wants B along n
    ldb = p.n;
  }
  for (int ic = row_begin; ic < row_end; ic += kSupBlockRows) {
    const int rows = std::min(kSupBlockRows, row_end - ic);
    float* c = p.c + static_cast<std::ptrdiff_t>(ic) * p.ldc;
    if (kind == Sup::small_k) {
      // B (k x n) is small and stays in cache; rows of C are sums of its rows.
      const float* a = p.trans_a ? p.a + ic : p.a + static_cast<std::ptrdiff_t>(ic) * p.lda;
      p.path.sup_axpy(c, p.ldc, 1, a, p.trans_a ? 1 : p.lda, p.trans_a ? p.lda : 1, b, ldb, p.k,
                      rows, p.n, p.alpha, p.beta);
    } else if (!p.trans_a) {
      p.path.sup_dot(c, p.ldc, p.a + static_cast<std::ptrdiff_t>(ic) * p.lda, p.lda, b, ldb, p.k,
                     rows, p.n, p.alpha, p.beta);
    } else {
      // A is stored (k, m), contiguous along m: compute C^T = op(B)^T A^T in axpy form, rows of
      // C^T being columns of C.
      p.path.sup_axpy(c, 1, p.ldc, p.b, p.trans_b ? p.ldb : 1, p.trans_b ? 1 : p.ldb, p.a + ic,
                      p.lda, p.k, p.n, rows, p.alpha, p.beta);
    }
    p.finish(c, 0, rows, p.n);
    p.apply(c, ic, 0, rows, p.n);
  }
}

// C = beta * C (not reading C when beta == 0), then the epilogue: the k == 0 / alpha == 0 case.
void scale_only(const Problem& p) {
  for (int i = 0; i < p.m; ++i) {
    float* row = p.c + static_cast<std::ptrdiff_t>(i) * p.ldc;
    if (p.beta == 0.0f) {
      std::fill(row, row + p.n, 0.0f);
    } else if (p.beta != 1.0f) {
      for (int j = 0; j < p.n; ++j) row[j] *= p.beta;
    }
  }
  p.finish(p.c, 0, p.m, p.n);
  p.apply(p.c, 0, 0, p.m, p.n);
}

struct Grid {
  int tm, tn;          // regions along m and n
  int rows, cols;      // region extent (the last region along each axis may be shorter)
};

// Chooses tm x tn = threads regions minimizing the busiest thread's work: its micro-tiles
// (padded to MR x NR) plus the packing it does, A once per NC panel unless A is read in place
// and B once unless B is read in place, each packed element weighted like a dozen FMAs.
Grid choose_grid(int m, int n, bool packs_a, bool trans_b, int threads, const Blocksizes& bs) {
  Grid best{1, 1, m, n};
  double best_cost = -1.0;
  for (int tm = 1; tm <= threads; ++tm) {
    if (threads % tm != 0) continue;
    const int tn = threads / tm;
    const int rows = round_up(ceil_div(m, tm), bs.mr);
    const int cols = round_up(ceil_div(n, tn), bs.nr);
    if (ceil_div(m, rows) < tm || ceil_div(n, cols) < tn) continue;  // a region would be empty
    const double tiles = static_cast<double>(rows) * cols;
    const bool packs_b = trans_b || rows > kDirectBMaxRows;
    const double packing = 12.0 * ((packs_a ? static_cast<double>(rows) * ceil_div(cols, bs.nc)
                                            : 0.0) +
                                   (packs_b ? cols : 0));
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
  Sup kind;
  int chunk;  // columns (small m) or rows (small n) per task
};

}  // namespace

namespace gemm_detail {

void finish_generic(float* c, int ldc, const float* bias, bool relu, int rows, int cols) {
  for (int i = 0; i < rows; ++i) {
    float* row = c + static_cast<std::ptrdiff_t>(i) * ldc;
    if (bias != nullptr) {
      for (int j = 0; j < cols; ++j) row[j] += bias[j];
    }
    if (relu) {
      for (int j = 0; j < cols; ++j) row[j] = row[j] > 0.0f ? row[j] : 0.0f;
    }
  }
}

}  // namespace gemm_detail

void sgemm(float* c, const float* a, const float* b, int m, int n, int k,
           bool trans_a, bool trans_b, float alpha, float beta, const GemmEpilogue* epilogue) {
  sgemm_strided(c, n, a, trans_a ? m : k, b, trans_b ? k : n, m, n, k, trans_a, trans_b, alpha,
                beta, epilogue);
}

void sgemm_strided(float* c, int ldc, const float* a, int lda, const float* b, int ldb, int m,
                   int n, int k, bool trans_a, bool trans_b, float alpha, float beta,
                   const GemmEpilogue* epilogue) {
  if (m <= 0 || n <= 0) return;
  const Isa isa = active_isa();  // read once: set_isa on another thread cannot mix paths
  const Problem p{c,       a,       b,     ldc,  lda,      ldb,          m, n, k,
                  trans_a, trans_b, alpha, beta, epilogue, path_for(isa), isa};
  if (k <= 0 || alpha == 0.0f) {
    scale_only(p);
    return;
  }

  const Sup sup = sup_for(isa, m, n, k, trans_b);
  const double fmas = static_cast<double>(m) * n * k;
  const double min_fmas = sup == Sup::none      ? kMinFmasPerThread
                          : sup == Sup::small_m ? kMinStreamFmasPerThread
                                                : kMinSupFmasPerThread;
  const int useful = static_cast<int>(std::min<double>(num_threads(), fmas / min_fmas));
  const int threads = std::max(1, useful);
  if (sup == Sup::small_m && m == 1 && !trans_b && p.path.sup_row_wide != nullptr) {
    sup_one_row(p, threads);
    return;
  }
  // The task lambdas capture one reference each, so std::function keeps them in its small
  // buffer: no heap allocation per call.
  if (sup != Sup::none) {
    // One chunk of the long side per thread; every element is computed the same way wherever
    // the chunk edges fall.
    const int extent = sup == Sup::small_m ? n : m;
    const SupSplit split{&p, sup, round_up(ceil_div(extent, threads), 16)};
    parallel_for(ceil_div(extent, split.chunk), [&split](int task) {
      const int begin = task * split.chunk;
      if (split.kind == Sup::small_m) {
        sup_small_m(*split.p, begin, std::min(split.p->n, begin + split.chunk));
      } else {
        sup_rows(*split.p, split.kind, begin, std::min(split.p->m, begin + split.chunk));
      }
    });
    return;
  }
  if (threads == 1) {
    gemm_region(p, 0, m, 0, n);
    return;
  }
  const GridSplit split{
      &p, choose_grid(m, n, !reads_a_in_place(p.path, lda), trans_b, threads, p.path.bs)};
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
