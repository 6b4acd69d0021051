// Gradient clipping: the norms come from sum_of_squares (reductions.cc), per tensor or over the
// whole arena, then one elementwise pass scales and clamps each range in
// fixed chunks, through the loop of the ISA path read once per call (arena_internal.h).
#include "clipping.h"

#include <cmath>
#include <limits>

#include "../runtime/chunked.h"
#include "../runtime/cpu_features.h"
#include "arena_internal.h"
#include "reductions.h"

namespace myelin {

namespace arena_detail {

void scale_clamp_chunk_generic(float* x, std::int64_t count, float scale, float limit) {
  for (std::int64_t i = 0; i < count; ++i) {
    float y = x[i] * scale;
    y = limit < y ? limit : y;  // comparisons with NaN are false: NaN passes through
    x[i] = -limit > y ? -limit : y;
  }
}

}  // namespace arena_detail

namespace {

// bound / max(norm, bound) as a factor: 1 inside the ball, NaN for a NaN norm.
float norm_scale(double squares, float bound) {
  const double norm = std::sqrt(squares);
  return norm <= bound ? 1.0f : static_cast<float>(bound / norm);
}

using ChunkFn = void (*)(float*, std::int64_t, float, float);

void scale_clamp(ChunkFn chunk, float* x, std::int64_t count, float scale, float limit) {
  if (scale == 1.0f && limit == std::numeric_limits<float>::infinity()) return;
  for_chunks(count, [=](std::int64_t begin, std::int64_t end) {
    chunk(x + begin, end - begin, scale, limit);
  });
}

}  // namespace

void clip_gradients(float* grads, const std::uint32_t* segments, std::int64_t segment_count,
                    float clip_norm, float global_clip_norm, float clip_value) {
  const ChunkFn chunk = arena_detail::arena_loops(active_isa()).scale_clamp;
  const float limit = clip_value > 0.0f ? clip_value : std::numeric_limits<float>::infinity();
  if (clip_norm > 0.0f) {
    for (std::int64_t s = 0; s < segment_count; ++s) {
      float* tensor = grads + segments[s];
      const std::int64_t size = static_cast<std::int64_t>(segments[s + 1]) - segments[s];
      scale_clamp(chunk, tensor, size, norm_scale(sum_of_squares(tensor, size), clip_norm), limit);
    }
    return;
  }
  const std::int64_t count = segments[segment_count];
  const float scale =
      global_clip_norm > 0.0f ? norm_scale(sum_of_squares(grads, count), global_clip_norm) : 1.0f;
  scale_clamp(chunk, grads, count, scale, limit);
}

}  // namespace myelin
