// What the native tests share: quick mode and the closing summary.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <cstring>

namespace myelin_test {

// Quick mode (MYELIN_TEST_QUICK set and not "0" in the environment, or --quick as the first
// argument): a test's reduced set, for valgrind.
inline bool quick_mode(int argc, char** argv) {
  const char* env = std::getenv("MYELIN_TEST_QUICK");
  return (env != nullptr && *env != '\0' && std::strcmp(env, "0") != 0) ||
         (argc > 1 && std::strcmp(argv[1], "--quick") == 0);
}

// Prints the counts and OK or NOT OK; returns main's exit status, non-zero on any failure.
inline int finish(int checks, int failures) {
  std::printf("%d checks, %d failures\n", checks, failures);
  if (failures != 0) {
    std::printf("NOT OK\n");
    return 1;
  }
  std::printf("OK\n");
  return 0;
}

}  // namespace myelin_test
