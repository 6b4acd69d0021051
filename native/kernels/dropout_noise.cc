// Elementwise products and sums over long arrays, in fixed chunks on the thread pool.
#include "dropout_noise.h"

#include "../runtime/chunked.h"

namespace myelin {

void multiply_elementwise(float* out, const float* a, const float* b, std::int64_t count) {
  for_chunks(count, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) out[i] = a[i] * b[i];
  });
}

void add_elementwise(float* out, const float* a, const float* b, std::int64_t count) {
  for_chunks(count, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i) out[i] = a[i] + b[i];
  });
}

}  // namespace myelin
