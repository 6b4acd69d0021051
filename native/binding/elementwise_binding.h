// The decoder shared by the elementwise kernels of two arrays (out = a op b): addElementwise,
// multiplyElementwise (layer_binding.cc), subtractElementwise, maximumElementwise,
// minimumElementwise (merge_binding.cc). One template, so they all check the same way.
#pragma once

#include <napi.h>

#include <cstdint>
#include <string>

#include "args.h"
#include "kernel_call.h"

namespace myelin::binding {

// (out, a, b): three Float32Arrays of one length; out may be a or b itself, no other overlap.
template <void (*Kernel)(float*, const float*, const float*, std::int64_t)>
KernelCall elementwise_binding(const Args& info) {
  expect_arg_count(info, 3, "an elementwise op");
  const FloatSpan out = float_array(info, 0, "out");
  const FloatSpan a = float_array(info, 1, "a");
  const FloatSpan b = float_array(info, 2, "b");
  if (a.length != out.length || b.length != out.length) {
    throw Napi::RangeError::New(
        info.Env(), "Expected out, a and b of one length but their lengths are " +
                        std::to_string(out.length) + ", " + std::to_string(a.length) + " and " +
                        std::to_string(b.length));
  }
  expect_disjoint(info.Env(), {out, "out"}, {{a, "a"}, {b, "b"}}, InPlace::allowed);
  return work([=] { Kernel(out.data, a.data, b.data, out.length); });
}

}  // namespace myelin::binding
