// aligned_allocate / aligned_free: the C++17 call, or MSVC's pair where the library lacks it.
#include "aligned_memory.h"

#include <cstdlib>
#if defined(_MSC_VER)
#include <malloc.h>
#endif

namespace myelin {

void* aligned_allocate(std::size_t alignment, std::size_t bytes) {
#if defined(_MSC_VER)
  return _aligned_malloc(bytes, alignment);
#else
  return std::aligned_alloc(alignment, bytes);
#endif
}

void aligned_free(void* block) {
#if defined(_MSC_VER)
  _aligned_free(block);
#else
  std::free(block);
#endif
}

}  // namespace myelin
