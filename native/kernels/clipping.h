// Gradient clipping over the gradient arena, before the optimizer update, as the Keras
// optimizers' clipnorm, global_clipnorm and clipvalue. count = floats in the arena; the arena
// holds segment_count tensors, tensor i being [segments[i], segments[i + 1]).
#pragma once

#include <cstdint>

namespace myelin {

// In Keras's order, each step skipped when its bound is 0:
//   clip_norm:        each tensor g_i = g_i * clip_norm / max(||g_i||, clip_norm)  (tf.clip_by_norm)
//   global_clip_norm: every g = g * global_clip_norm / max(N, global_clip_norm), N = ||g||
//                     (tf.clip_by_global_norm)
//   clip_value:       g = clamp(g, -clip_value, clip_value)
// The caller never sets both norms. NaN stays NaN: a NaN norm makes its whole tensor (or, global,
// the whole arena) NaN, as TensorFlow's clipping does, and the clamp never turns NaN into a bound.
// grads: (count); segments: (segment_count + 1), segments[0] = 0, non-decreasing, last = count.
void clip_gradients(float* grads, const std::uint32_t* segments, std::int64_t segment_count,
                    float clip_norm, float global_clip_norm, float clip_value);

}  // namespace myelin
