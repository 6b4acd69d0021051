// The table of arena loops of each ISA path (arena_internal.h), one per path, as BLIS keeps one
// context of kernels per configuration. A path's table names only loops compiled for this
// architecture: the AVX2 ones exist on x86-64 only, the NEON ones on AArch64 only
// (native/sources.json).
#include "../runtime/arch.h"
#include "arena_internal.h"

namespace myelin {
namespace arena_detail {

namespace {

constexpr ArenaLoops kGeneric = {
    sgd_chunk_generic,     sgd_momentum_chunk_generic, adagrad_chunk_generic,
    adadelta_chunk_generic, rmsprop_chunk_generic,     adam_chunk_generic,
    adamax_chunk_generic,  nadam_chunk_generic,        scale_clamp_chunk_generic,
    sum_of_squares_chunk_generic};

#if MYELIN_ARCH_X64
constexpr ArenaLoops kAvx2 = {
    sgd_chunk_avx2,      sgd_momentum_chunk_avx2, adagrad_chunk_avx2,
    adadelta_chunk_avx2, rmsprop_chunk_avx2,      adam_chunk_avx2,
    adamax_chunk_avx2,   nadam_chunk_avx2,        scale_clamp_chunk_avx2,
    sum_of_squares_chunk_avx2};
#endif

#if MYELIN_ARCH_ARM64
constexpr ArenaLoops kNeon = {
    sgd_chunk_neon,      sgd_momentum_chunk_neon, adagrad_chunk_neon,
    adadelta_chunk_neon, rmsprop_chunk_neon,      adam_chunk_neon,
    adamax_chunk_neon,   nadam_chunk_neon,        scale_clamp_chunk_neon,
    sum_of_squares_chunk_neon};
#endif

}  // namespace

const ArenaLoops& arena_loops(Isa isa) {
  switch (isa) {
#if MYELIN_ARCH_X64
    case Isa::avx2:
    case Isa::avx512:
      return kAvx2;
#endif
#if MYELIN_ARCH_ARM64
    case Isa::neon:
      return kNeon;
#endif
    default:
      return kGeneric;
  }
}

}  // namespace arena_detail
}  // namespace myelin
