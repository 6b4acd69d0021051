#!/usr/bin/env bash
# myelin's sgemm beside OpenBLAS in one process (bench/native/gemm_bench.cc): builds it with
# plain CMake into build-bench/ (Release) and runs it, passing every argument on
# (npm run bench:gemm -- --json). Run by `npm run bench:gemm`.
#
# OpenBLAS reads OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE when it is loaded, before main, so they
# are removed here, for this run only, and OpenBLAS picks its kernel for this CPU itself. Some
# OpenBLAS builds pick a kernel that crashes or computes wrong results on CPUs newer than they
# know: the benchmark first checks OpenBLAS against a float64 loop (--check-openblas) and, when
# that fails, falls back to OPENBLAS_CORETYPE=Zen, then Haswell, and says so in its header.
#
# Own option (not passed on): --openblas-core NAME forces OPENBLAS_CORETYPE=NAME, e.g. Haswell
# for an AVX2-against-AVX2 comparison on a CPU where OpenBLAS would pick an AVX-512 kernel.
#
# Installs nothing silently: when cblas.h or libopenblas is missing it runs
# `apt-get update && apt-get install -y libopenblas-dev` as root, and otherwise prints that.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

force_core=""
args=()
while [ $# -gt 0 ]; do
  case "$1" in
    --openblas-core) force_core=${2:?--openblas-core needs a name, e.g. Haswell}; shift 2 ;;
    --openblas-core=*) force_core=${1#*=}; shift ;;
    *) args+=("$1"); shift ;;
  esac
done

have_openblas() {
  local header="" library="" f
  for f in /usr/include/x86_64-linux-gnu/openblas-pthread/cblas.h /usr/include/openblas/cblas.h \
           /usr/include/cblas.h; do
    [ -f "$f" ] && header=$f
  done
  for f in /usr/lib/x86_64-linux-gnu/openblas-pthread/libopenblas.so \
           /usr/lib/x86_64-linux-gnu/libopenblas.so /usr/lib/libopenblas.so; do
    [ -e "$f" ] && library=$f
  done
  [ -n "$header" ] && [ -n "$library" ]
}
if ! have_openblas; then
  install_cmd="apt-get update && apt-get install -y libopenblas-dev"
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "bench-gemm: OpenBLAS (cblas.h, libopenblas) is missing; running: $install_cmd" >&2
    apt-get update >&2 && apt-get install -y libopenblas-dev >&2
  else
    echo "bench-gemm: OpenBLAS (cblas.h, libopenblas) is missing. Install it with:" >&2
    echo "  sudo sh -c '$install_cmd'" >&2
    exit 1
  fi
fi

# Build output goes to stderr: stdout carries only the results (JSON lines with --json).
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release >&2
cmake --build build-bench -j2 --target gemm_bench >&2
bench="$root/build-bench/gemm_bench"

# Every run: without the caller's OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE. And OpenBLAS's idle
# threads spin for only 2^18 cycles (~0.1 ms, as long as myelin's pool spins) instead of its
# default 2^28 (~0.1 s, measured here: 70-90 ms of CPU after every 2-thread call): with the
# repetitions interleaved, that spinning thread would take a core from the myelin repetition
# that follows. Calls within a repetition come back to back, so neither side ever parks there.
clean_env=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE
           "OPENBLAS_THREAD_TIMEOUT=${OPENBLAS_THREAD_TIMEOUT:-18}")
note=""
if [ -n "$force_core" ]; then
  clean_env+=("OPENBLAS_CORETYPE=$force_core")
  note="OPENBLAS_CORETYPE=$force_core forced by --openblas-core"
elif ! check=$("${clean_env[@]}" "$bench" --check-openblas 2>&1); then
  echo "bench-gemm: OpenBLAS with its own kernel choice fails the correctness check here:" >&2
  echo "$check" | tail -n 5 >&2
  fallback=""
  for core in Zen Haswell; do
    if "${clean_env[@]}" "OPENBLAS_CORETYPE=$core" "$bench" --check-openblas >/dev/null 2>&1; then
      fallback=$core
      break
    fi
  done
  if [ -z "$fallback" ]; then
    echo "bench-gemm: OpenBLAS fails with OPENBLAS_CORETYPE=Zen and Haswell too; no comparison" >&2
    exit 1
  fi
  clean_env+=("OPENBLAS_CORETYPE=$fallback")
  note="OpenBLAS's own kernel choice crashed or computed wrong results on this CPU;"
  note+=" fell back to OPENBLAS_CORETYPE=$fallback"
  echo "bench-gemm: $note" >&2
fi

if [ -n "$note" ]; then
  exec "${clean_env[@]}" "MYELIN_BENCH_NOTE=$note" "$bench" ${args[@]+"${args[@]}"}
fi
exec "${clean_env[@]}" "$bench" ${args[@]+"${args[@]}"}
