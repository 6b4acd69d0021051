// aligned_allocate / aligned_free: the C++17 call, or the Windows C runtime's pair, which MSVC
// and MinGW-w64 both have where their libraries lack std::aligned_alloc.
#include "aligned_memory.h"

#include <cstdlib>
#if defined(_WIN32)
#include <malloc.h>
#endif

namespace myelin {

void* aligned_allocate(std::size_t alignment, std::size_t bytes) {
#if defined(_WIN32)
  return _aligned_malloc(bytes, alignment);
#else
  return std::aligned_alloc(alignment, bytes);
#endif
}

void aligned_free(void* block) {
#if defined(_WIN32)
  _aligned_free(block);
#else
  std::free(block);
#endif
}

}  // namespace myelin
