// Which architecture this translation unit is compiled for, spelled once for GCC, Clang and
// MSVC. The ISA units exist only on their architecture (native/sources.json: "arch"), so code
// that names one of their functions does so under the matching MYELIN_ARCH_* test; everything
// else is the same on every architecture. Macros only: this header is included by ISA units.
#pragma once

#if defined(__x86_64__) || defined(_M_X64)
#define MYELIN_ARCH_X64 1
#else
#define MYELIN_ARCH_X64 0
#endif

#if defined(__aarch64__) || defined(_M_ARM64)
#define MYELIN_ARCH_ARM64 1
#else
#define MYELIN_ARCH_ARM64 0
#endif
