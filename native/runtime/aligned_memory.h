// Aligned heap memory on every platform: std::aligned_alloc is C++17 but not in the Windows C
// runtime (MSVC's or MinGW-w64's), whose blocks from _aligned_malloc go back through _aligned_free.
#pragma once

#include <cstddef>

namespace myelin {

// bytes (a multiple of alignment) at an address that is a multiple of alignment (a power of two);
// null when out of memory. Give it back with aligned_free.
void* aligned_allocate(std::size_t alignment, std::size_t bytes);
void aligned_free(void* block);

}  // namespace myelin
