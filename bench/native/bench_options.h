// The command-line flags every native benchmark shares: --json, --filter SUBSTRING, --reps N,
// --min-ms MS and --threads 1,2. Each benchmark adds its own flags around them.
#pragma once

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

namespace myelin_bench {

struct BenchOptions {
  bool json = false;
  std::string filter;
  int reps;
  double min_seconds;
  std::vector<int> threads;
};

// "1,2" -> {1, 2}; false (and out untouched) when malformed or a count is below 1.
inline bool parse_thread_list(const char* text, std::vector<int>* out) {
  std::vector<int> counts;
  for (const char* p = text; *p;) {
    char* end = nullptr;
    const long t = std::strtol(p, &end, 10);
    if (end == p || t < 1 || (*end != ',' && *end != '\0')) return false;
    counts.push_back(static_cast<int>(t));
    p = *end == ',' ? end + 1 : end;
  }
  if (counts.empty()) return false;
  *out = counts;
  return true;
}

enum class Parsed { taken, not_common, malformed };

// Consumes argv[*i] (and its value, advancing *i) when it is one of the shared flags.
inline Parsed parse_common_option(int argc, char** argv, int* i, BenchOptions* o) {
  const std::string arg = argv[*i];
  const bool has_value = *i + 1 < argc;
  if (arg == "--json") {
    o->json = true;
  } else if (arg == "--filter" && has_value) {
    o->filter = argv[++*i];
  } else if (arg == "--reps" && has_value) {
    o->reps = std::max(1, std::atoi(argv[++*i]));
  } else if (arg == "--min-ms" && has_value) {
    o->min_seconds = std::max(1.0, std::atof(argv[++*i])) * 1e-3;
  } else if (arg == "--threads" && has_value) {
    if (!parse_thread_list(argv[++*i], &o->threads)) return Parsed::malformed;
  } else {
    return Parsed::not_common;
  }
  return Parsed::taken;
}

// Parses argv for a benchmark that takes the shared flags alone; false when one is unknown or
// malformed.
inline bool parse_common_options(int argc, char** argv, BenchOptions* o) {
  for (int i = 1; i < argc; ++i) {
    if (parse_common_option(argc, argv, &i, o) != Parsed::taken) return false;
  }
  return true;
}

// Where a benchmark prints its header lines (stderr under --json, so that stdout holds one JSON
// object a line), after printing the first: the ISA path and the thread count.
inline FILE* begin_header(const BenchOptions& o, const char* isa, int max_threads) {
  FILE* header = o.json ? stderr : stdout;
  std::fprintf(header, "myelin isa %s, max threads %d\n", isa, max_threads);
  return header;
}

}  // namespace myelin_bench
