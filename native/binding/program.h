// Programs: kernel calls recorded with their checked arguments and run later, as one unit, on
// the calling thread or on a libuv thread. A training step or a prediction is recorded on the
// main thread (every argument checked as usual), then crosses into native once; run async, it
// leaves the event loop free while the kernels work.
//
// While recording, a kernel binding does not run its kernel: dispatch() appends it to the
// program and pins the call's typed arrays (a reference each) until the program is done with
// them. A kernel with a scalar result stores it in the program's scalars and the binding
// returns the scalar's index instead of its value; guardFinite(index) stops the program there
// when that scalar is not finite (a diverged loss must not reach the optimizer).
#pragma once

#include <napi.h>

#include <functional>

namespace myelin::binding {

// Runs `kernel` now, or appends it to the program being recorded on this thread.
Napi::Value dispatch(const Napi::CallbackInfo& info, std::function<void()> kernel);

// Runs `kernel` now and returns its value, or appends it to the program being recorded on this
// thread and returns the index of the scalar that will receive the value.
Napi::Value dispatch_scalar(const Napi::CallbackInfo& info, std::function<double()> kernel);

}  // namespace myelin::binding
