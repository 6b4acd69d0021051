// Which instruction-set path the kernels take. Decided once at load from CPUID (and XGETBV, so the
// OS really saves the AVX state); MYELIN_ISA=generic|avx2|avx512 overrides, and set_isa() lets
// tests exercise every path the CPU supports in one process. The paths are ordered: each one may
// run the kernels of the paths below it (the avx512 path uses the AVX2 kernels wherever it has
// no AVX-512 one of its own).
#pragma once

namespace myelin {

enum class Isa { generic = 0, avx2 = 1, avx512 = 2 };

bool isa_supported(Isa isa);   // can this CPU and OS run it
Isa active_isa();              // the path the kernels take now
bool isa_at_least(Isa floor);  // active_isa() >= floor: may the kernels of `floor` run now
bool set_isa(Isa isa);         // false (and no change) when the CPU cannot run it
const char* isa_name(Isa isa); // "generic", "avx2", "avx512"
bool parse_isa(const char* name, Isa* out);

}  // namespace myelin
