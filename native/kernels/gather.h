// Gathering rows by index: how a shuffled mini-batch is assembled from a data set without
// allocating. rows = samples in the source, cols = floats per sample, count = rows gathered.
#pragma once

#include <cstdint>

namespace myelin {

// dst (count, cols) row r = src row order[r]; every order[r] must be < the source's rows
// (checked by the caller).
void gather_rows(float* dst, const float* src, const std::uint32_t* order, int count, int cols);

}  // namespace myelin
