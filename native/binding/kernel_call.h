// A kernel call decoded from its arguments and checked: the kernel with its arguments bound, to
// run now (a call from JavaScript) or at every step of a plan (plan.cc). Each binding file
// registers its decoders under the names JavaScript calls them by, and a plan looks its calls up
// by those names: one decoder, so a call is checked the same way whichever way it comes.
#pragma once

#include <napi.h>

#include <functional>
#include <string>

#include "args.h"

namespace myelin::binding {

struct KernelCall {
  // The work: exactly one of the two is set.
  std::function<void()> run;
  // ... for a kernel with a value (a loss, a sum, an optimizer step's outcome).
  std::function<double()> value;
};

inline KernelCall work(std::function<void()> run) { return KernelCall{std::move(run), {}}; }
inline KernelCall valued(std::function<double()> value) { return KernelCall{{}, std::move(value)}; }

using Decoder = std::function<KernelCall(const Args& args)>;

// Exports `name`: a function that decodes its arguments and runs the kernel at once, returning
// its value if it has one. The decoder is kept for plans.
void bind_kernel(Napi::Env env, Napi::Object exports, const char* name, Decoder decode);

// The decoder registered under `name`, or null if there is none.
const Decoder* find_decoder(const std::string& name);

}  // namespace myelin::binding
