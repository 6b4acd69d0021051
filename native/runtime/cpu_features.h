// Which instruction-set path the kernels take. Decided once at load: on x86-64 from CPUID (and
// XGETBV, so the OS really saves the AVX state); on AArch64 NEON is part of the architecture and
// always there. MYELIN_ISA=generic|avx2|avx512|neon overrides, and set_isa() lets tests exercise
// every path the CPU supports in one process. Each architecture has its own paths besides
// generic: the avx512 path runs the AVX2 kernels wherever it has no AVX-512 one of its own; the
// neon path exists only on AArch64.
#pragma once

namespace myelin {

enum class Isa { generic = 0, avx2 = 1, avx512 = 2, neon = 3 };

// Every path, in the order backendInfo() lists the supported ones.
constexpr Isa kAllIsas[] = {Isa::generic, Isa::avx2, Isa::avx512, Isa::neon};

bool isa_supported(Isa isa);   // can this CPU and OS run it (never a path of another architecture)
Isa active_isa();              // the path the kernels take now
bool set_isa(Isa isa);         // false (and no change) when the CPU cannot run it
const char* isa_name(Isa isa); // "generic", "avx2", "avx512", "neon"
bool parse_isa(const char* name, Isa* out);

}  // namespace myelin
