# Cross-compiling the kernels and their C++ tests for linux-arm64 on an x86-64 Debian machine:
#   cmake -S . -B build-arm64 -DCMAKE_TOOLCHAIN_FILE=cmake/aarch64-linux-gnu.cmake
# with Debian's g++-aarch64-linux-gnu (the default) or, with -DMYELIN_CROSS_CLANG=ON, clang
# (--target=aarch64-linux-gnu, the same sysroot). ctest runs the tests under qemu-user
# (Debian's qemu-user), with the sysroot that g++-aarch64-linux-gnu installs.
set(CMAKE_SYSTEM_NAME Linux)
set(CMAKE_SYSTEM_PROCESSOR aarch64)
set(MYELIN_SYSROOT /usr/aarch64-linux-gnu)

option(MYELIN_CROSS_CLANG "Cross-compile with clang instead of aarch64-linux-gnu-g++" OFF)
if(MYELIN_CROSS_CLANG)
  find_program(MYELIN_CLANGXX NAMES clang++-19 clang++ REQUIRED)
  set(CMAKE_CXX_COMPILER "${MYELIN_CLANGXX}")
  set(CMAKE_CXX_COMPILER_TARGET aarch64-linux-gnu)
else()
  set(CMAKE_CXX_COMPILER aarch64-linux-gnu-g++)
endif()

set(CMAKE_FIND_ROOT_PATH "${MYELIN_SYSROOT}")
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_CROSSCOMPILING_EMULATOR qemu-aarch64 -L "${MYELIN_SYSROOT}")
