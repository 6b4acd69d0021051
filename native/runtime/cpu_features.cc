// Instruction-set detection and the process-wide choice of kernel path.
// AVX2+FMA is usable only when CPUID says the CPU has AVX, FMA, AVX2 and OSXSAVE and XGETBV says
// the OS saves the XMM and YMM state on context switches. AVX-512 (F, VL, BW, DQ) is usable only
// on top of that, when CPUID leaf 7 has those four and XGETBV says the OS also saves the opmask
// and both halves of the ZMM state (XCR0 bits 5, 6, 7). The choice is made once, at first use:
// the best supported path, unless MYELIN_ISA names a supported one (an unknown or unsupported
// value is ignored). Baseline x86-64 TU: it must run on any x86-64 CPU.
#include "cpu_features.h"

#include <atomic>
#include <cstdlib>
#include <cstring>
#include <initializer_list>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

namespace myelin {

namespace {

#if defined(__x86_64__) || defined(__i386__)
// XCR0, read with the raw opcode form of xgetbv so this baseline TU needs no -mxsave. Only call
// after CPUID leaf 1 has reported OSXSAVE.
unsigned xcr0_low() {
  unsigned xcr0_lo = 0, xcr0_hi = 0;
  __asm__ volatile("xgetbv" : "=a"(xcr0_lo), "=d"(xcr0_hi) : "c"(0));
  return xcr0_lo;
}
#endif

bool detect_avx2_fma() {
#if defined(__x86_64__) || defined(__i386__)
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid(1, &eax, &ebx, &ecx, &edx)) return false;
  const bool fma = (ecx & (1u << 12)) != 0;
  const bool osxsave = (ecx & (1u << 27)) != 0;
  const bool avx = (ecx & (1u << 28)) != 0;
  if (!(fma && osxsave && avx)) return false;
  // XCR0 bits 1 (SSE state) and 2 (AVX state) must both be enabled by the OS.
  if ((xcr0_low() & 0x6u) != 0x6u) return false;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
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
#if defined(__x86_64__) || defined(__i386__)
  if (!avx2_supported()) return false;  // also established OSXSAVE, so xgetbv is safe
  constexpr unsigned kXcr0Avx512 = (1u << 1) | (1u << 2) | (1u << 5) | (1u << 6) | (1u << 7);
  if ((xcr0_low() & kXcr0Avx512) != kXcr0Avx512) return false;
  unsigned eax = 0, ebx = 0, ecx = 0, edx = 0;
  if (!__get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx)) return false;
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
  }
  return false;
}

Isa active_isa() { return static_cast<Isa>(isa_slot().load(std::memory_order_relaxed)); }

bool isa_at_least(Isa floor) { return active_isa() >= floor; }

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
  }
  return "unknown";
}

bool parse_isa(const char* name, Isa* out) {
  if (name == nullptr) return false;
  for (Isa isa : {Isa::generic, Isa::avx2, Isa::avx512}) {
    if (std::strcmp(name, isa_name(isa)) == 0) {
      *out = isa;
      return true;
    }
  }
  return false;
}

}  // namespace myelin
