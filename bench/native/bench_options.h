// The command-line flags every native benchmark shares: --json, --filter SUBSTRING, --reps N,
// --min-ms MS and --threads 1,2. Each benchmark adds its own flags around them.
#pragma once

#include <algorithm>
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

}  // namespace myelin_bench
