// Row gathering for shuffled batches: one memcpy per row.
#include "gather.h"

#include <cstddef>
#include <cstring>

namespace myelin {

void gather_rows(float* dst, const float* src, const std::uint32_t* order, int count, int cols) {
  const std::size_t row_bytes = static_cast<std::size_t>(cols) * sizeof(float);
  for (int r = 0; r < count; ++r) {
    std::memcpy(dst + static_cast<std::ptrdiff_t>(r) * cols,
                src + static_cast<std::ptrdiff_t>(order[r]) * cols, row_bytes);
  }
}

}  // namespace myelin
