// Which instruction-set path the kernels take. Decided once at load from CPUID (and XGETBV, so the
// OS really saves the AVX state); MYELIN_ISA=generic|avx2 overrides, and set_isa() lets tests
// exercise every path the CPU supports in one process.
#pragma once

namespace myelin {

enum class Isa { generic = 0, avx2 = 1 };

bool isa_supported(Isa isa);   // can this CPU and OS run it
Isa active_isa();              // the path the kernels take now
bool set_isa(Isa isa);         // false (and no change) when the CPU cannot run it
const char* isa_name(Isa isa); // "generic", "avx2"
bool parse_isa(const char* name, Isa* out);

}  // namespace myelin
