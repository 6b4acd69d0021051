#!/usr/bin/env bash
# The C++ tests of the kernels (every add_test in CMakeLists.txt), twice, then the addon:
#  1. built with AddressSanitizer and UndefinedBehaviorSanitizer into build-asan/ and run by
#     ctest (any report fails the run: UBSan does not recover, ASan aborts, LeakSanitizer is on);
#  2. built without sanitizers (Release) into build-cmake/ and each run under valgrind memcheck
#     (--error-exitcode=1 --leak-check=full: an invalid access, a use of uninitialised memory or
#     a definite or possible leak fails the run). Under valgrind the tests run their reduced set
#     (MYELIN_TEST_QUICK=1) to stay within a few minutes. valgrind (3.19) emulates a CPU without
#     AVX-512 and its CPUID says so, so under valgrind the tests cover the generic and avx2 paths
#     only; the avx512 path (on a CPU that has it) is covered by the sanitizer run.
#  3. the addon built with AddressSanitizer, running the worker-exit and detach fixtures of
#     test/reliability (scripts/test-addon-asan.sh): the paths that go through Node-API.
# Run by `npm run test:native` and by .ci/run. Exit status non-zero on any failure.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
jobs=${MYELIN_BUILD_JOBS:-2}

for tool in cmake ctest valgrind node; do
  command -v "$tool" >/dev/null 2>&1 || { echo "test-native: $tool is needed" >&2; exit 2; }
done

echo "== ASan + UBSan (build-asan/)"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DMYELIN_SANITIZE=ON \
      -DMYELIN_BUILD_BENCH=OFF >/dev/null
cmake --build build-asan -j "$jobs" >/dev/null
asan_defaults=detect_leaks=1:abort_on_error=1:strict_string_checks=1:detect_stack_use_after_return=1
export ASAN_OPTIONS=${ASAN_OPTIONS:-$asan_defaults}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if ctest --test-dir build-asan --output-on-failure >build-asan/ctest.log 2>&1; then
  grep -E "tests passed|Total Test time" build-asan/ctest.log
else
  cat build-asan/ctest.log
  exit 1
fi
unset ASAN_OPTIONS UBSAN_OPTIONS

echo "== valgrind memcheck (build-cmake/, Release)"
cmake -S . -B build-cmake -DCMAKE_BUILD_TYPE=Release -DMYELIN_SANITIZE=OFF \
      -DMYELIN_BUILD_BENCH=OFF >/dev/null
cmake --build build-cmake -j "$jobs" >/dev/null
# The registered tests, as ctest would run them: name, working directory, command (JSON-quoted
# argv), one tab-separated line each.
mapfile -t tests < <(ctest --test-dir build-cmake --show-only=json-v1 | node -e '
  let text = "";
  process.stdin.on("data", (d) => (text += d)).on("end", () => {
    for (const t of JSON.parse(text).tests) {
      const dir = (t.properties || []).find((p) => p.name === "WORKING_DIRECTORY");
      console.log([t.name, dir ? dir.value : ".", JSON.stringify(t.command)].join("\t"));
    }
  });')
[ "${#tests[@]}" -gt 0 ] || { echo "test-native: ctest lists no test in build-cmake/" >&2; exit 1; }
failed=0
for line in "${tests[@]}"; do
  IFS=$'\t' read -r name dir command_json <<<"$line"
  mapfile -t argv < <(node -e 'for (const a of JSON.parse(process.argv[1])) console.log(a)' \
                        "$command_json")
  log="build-cmake/valgrind-$name.log"
  start=$SECONDS
  if (cd "$dir" && MYELIN_TEST_QUICK=1 valgrind --error-exitcode=1 --leak-check=full \
        --log-file="$root/$log" "${argv[@]}" >"$root/$log.out" 2>&1); then
    summary=$(grep -m1 'ERROR SUMMARY' "$log" | sed 's/^==[0-9]*== //')
    echo "valgrind $name: clean ($((SECONDS - start)) s; $summary)"
  else
    failed=$((failed + 1))
    echo "valgrind $name: FAILED ($((SECONDS - start)) s; add --track-origins=yes to trace an"
    echo "uninitialised value); test output and valgrind report ($log):"
    tail -n 20 "$log.out"
    grep -v '^==[0-9]*== *$' "$log" | tail -n 60
  fi
done
echo "valgrind: $(( ${#tests[@]} - failed )) of ${#tests[@]} test(s) clean"
[ "$failed" -eq 0 ]

# The Node-API paths (worker exit, detached inputs) under ASan, through the addon itself.
bash "$root/scripts/test-addon-asan.sh"
