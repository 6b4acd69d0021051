// Instruction-set detection and the process-wide choice of kernel path.
// AVX2+FMA is usable only when CPUID says the CPU has AVX, FMA, AVX2 and OSXSAVE and XGETBV says
// the OS saves the XMM and YMM state on context switches. AVX-512 (F, VL, BW, DQ) is usable only
// on top of that, when CPUID leaf 7 has those four and XGETBV says the OS also saves the opmask
// and both halves of the ZMM state (XCR0 bits 5, 6, 7). The choice is made once, at first use:
// the best supported path, unless MYELIN_ISA names a supported one (an unknown or unsupported
// value is ignored). On AArch64, NEON (Advanced SIMD) is mandatory in the architecture: the neon
// path is supported wherever the code runs. Baseline TU: it must run on any CPU of its
// architecture.
#include "cpu_features.h"

#include <atomic>
#include <cstdlib>
#include <cstring>

#include "arch.h"

#if MYELIN_ARCH_X64
#if defined(_MSC_VER)
#include <immintrin.h>
#include <intrin.h>
#else
#include <cpuid.h>
#endif
#endif

namespace myelin {

namespace {

#if MYELIN_ARCH_X64
// XCR0, read with the raw opcode form of xgetbv so this baseline TU needs no -mxsave (MSVC's
// _xgetbv needs no flag). Only call after CPUID leaf 1 has reported OSXSAVE.
unsigned xcr0_low() {
#if defined(_MSC_VER)
  return static_cast<unsigned>(_xgetbv(0));
#else
  unsigned xcr0_lo = 0, xcr0_hi = 0;
  __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  return xcr0_lo;
#endif
}

// CPUID leaf `leaf`, subleaf `sub`: false when the CPU does not have that leaf.
bool cpuid(unsigned leaf, unsigned sub, unsigned* eax, unsigned* ebx, unsigned* ecx,
           unsigned* edx) {
#if defined(_MSC_VER)
  int regs[4];
  __cpuid(regs, static_cast<int>(leaf & 0x80000000u));
  if (static_cast<unsigned>(regs[0]) < leaf) return false;
  __cpuidex(regs, static_cast<int>(leaf), static_cast<int>(sub));
  *eax = static_cast<unsigned>(regs[0]);
  *ebx = static_cast<unsigned>(regs[1]);
  *ecx = static_cast<unsigned>(regs[2]);
  *edx = static_cast<unsigned>(regs[3]);
  return true;
#else
  return __get_cpuid_count(leaf, sub, eax, ebx, ecx, edx) != 0;
#endif
}
#endif

bool detect_avx2_fma() {
#if MYELIN_ARCH_X64
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!cpuid(1, 0, &eax, &ebx, &ecx, &edx)) return false;
  const bool fma = (ecx & (1u << 12)) != 0;
  const bool osxsave = (ecx & (1u << 27)) != 0;
  const bool avx = (ecx & (1u << 28)) != 0;
  if (!(fma && osxsave && avx)) return false;
  // XCR0 bits 1 (SSE state) and 2 (AVX state) must both be enabled by the OS.
  if ((xcr0_low() & 0x6u) != 0x6u) return false;
  if (!cpuid(7, 0, &eax, &ebx, &ecx, &edx)) return false;
  return (ebx & (1u << 5)) != 0;
#else
  return false;
#endif
}

bool avx2_supported() {
  static const bool supported = detect_avx2_fma();
  return supported;
}

// AVX-512 F, VL, BW, DQ on top of AVX2+FMA, with the opmask and ZMM state saved by the OS.
bool detect_avx512() {
#if MYELIN_ARCH_X64
  if (!avx2_supported()) return false;  // also established OSXSAVE, so xgetbv is safe
  constexpr unsigned kXcr0Avx512 = (1u << 1) | (1u << 2) | (1u << 5) | (1u << 6) | (1u << 7);
  if ((xcr0_low() & kXcr0Avx512) != kXcr0Avx512) return false;
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!cpuid(7, 0, &eax, &ebx, &ecx, &edx)) return false;
  constexpr unsigned kF = 1u << 16, kDq = 1u << 17, kBw = 1u << 30, kVl = 1u << 31;
  constexpr unsigned kWanted = kF | kDq | kBw | kVl;
  return (ebx & kWanted) == kWanted;
#else
  return false;
#endif
}

bool avx512_supported() {
  static const bool supported = detect_avx512();
  return supported;
}

Isa best_isa() {
  if (MYELIN_ARCH_ARM64) return Isa::neon;
  if (avx512_supported()) return Isa::avx512;
  return avx2_supported() ? Isa::avx2 : Isa::generic;
}

Isa initial_isa() {
  Isa wanted;
  const char* env = std::getenv("MYELIN_ISA");
  if (env != nullptr && parse_isa(env, &wanted) && isa_supported(wanted)) return wanted;
  return best_isa();
}

std::atomic<int>& isa_slot() {
  static std::atomic<int> slot{static_cast<int>(initial_isa())};
  return slot;
}

}  // namespace

bool isa_supported(Isa isa) {
  switch (isa) {
    case Isa::generic: return true;
    case Isa::avx2: return avx2_supported();
    case Isa::avx512: return avx512_supported();
    case Isa::neon: return MYELIN_ARCH_ARM64 != 0;
  }
  return false;
}

Isa active_isa() { return static_cast<Isa>(isa_slot().load(std::memory_order_relaxed)); }

bool set_isa(Isa isa) {
  if (!isa_supported(isa)) return false;
  isa_slot().store(static_cast<int>(isa), std::memory_order_relaxed);
  return true;
}

const char* isa_name(Isa isa) {
  switch (isa) {
    case Isa::generic: return "generic";
    case Isa::avx2: return "avx2";
    case Isa::avx512: return "avx512";
    case Isa::neon: return "neon";
  }
  return "unknown";
}

bool parse_isa(const char* name, Isa* out) {
  if (name == nullptr) return false;
  for (Isa isa : kAllIsas) {
    if (std::strcmp(name, isa_name(isa)) == 0) {
      *out = isa;
      return true;
    }
  }
  return false;
}

}  // namespace myelin
