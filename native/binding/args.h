// Argument checking shared by every binding file. The binding trusts nothing the JS side sends:
// each buffer must be a Float32Array whose real length is what the sizes claim, each size a
// non-negative integer, and a mistake is a thrown JS error (TypeError for a wrong kind,
// RangeError for a wrong value), never a crash.
#pragma once

#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <vector>

namespace myelin::binding {

// What a plan lends the calls decoded into it (plan.cc): where its run inputs are read.
struct PlanContext {
  // The run's inputs (learning rate, step, an offset into the gather order, ...): `count`
  // doubles, refilled before each step.
  const double* inputs = nullptr;
  std::size_t count = 0;
};

// The arguments of a kernel call: those of a call from JavaScript, or of one call of a plan
// (the same values, in a JS array). Every binding decodes and checks its arguments through
// this, once, whichever way it is called.
class Args {
 public:
  // Implicit: a binding's CallbackInfo is its Args.
  Args(const Napi::CallbackInfo& info);  // NOLINT(google-explicit-constructor)
  // values[first...] of a plan's call; `plan` says where its run inputs are.
  Args(Napi::Env env, const Napi::Array& values, std::uint32_t first, const PlanContext* plan);

  std::size_t Length() const;
  // undefined past the end, as with a CallbackInfo.
  Napi::Value operator[](std::size_t index) const;
  Napi::Env Env() const { return env_; }
  // Null unless the call is being decoded into a plan.
  const PlanContext* plan() const { return plan_; }

 private:
  Napi::Env env_;
  const Napi::CallbackInfo* info_ = nullptr;
  std::vector<Napi::Value> values_;
  const PlanContext* plan_ = nullptr;
};

// A borrowed view of a Float32Array's memory, valid for the duration of the call. `present`
// tells an optional argument that was given from one that was not: an empty Float32Array may
// have a null data pointer too.
struct FloatSpan {
  float* data = nullptr;
  std::int64_t length = 0;
  bool present = false;
};

// Throws unless the call has exactly `count` arguments.
void expect_arg_count(const Args& info, std::size_t count, const char* function);

// The argument at `index` as a Float32Array; `name` is used in the error message.
FloatSpan float_array(const Args& info, std::size_t index, const char* name);

// A borrowed view of a Uint32Array (indices), valid for the duration of the call.
struct IndexSpan {
  std::uint32_t* data = nullptr;
  std::int64_t length = 0;
};

// The argument at `index` as a Uint32Array.
IndexSpan index_array(const Args& info, std::size_t index, const char* name);

// Like float_array, but null or undefined give a span that is not present.
FloatSpan optional_float_array(const Args& info, std::size_t index,
                               const char* name);

// A non-negative integer no larger than INT32_MAX (sizes the kernels index with int).
int dimension(const Args& info, std::size_t index, const char* name);

// A finite number.
double finite_number(const Args& info, std::size_t index, const char* name);

bool boolean(const Args& info, std::size_t index, const char* name);

// A number argument that a plan may read at each step instead: a plan input.
struct NumberArg {
  double value;
  const double* input;  // non-null for a plan input: read it when the kernel runs
  double get() const { return input != nullptr ? *input : value; }
};

// A finite number, or (in a plan only) { planInput: i }. A plan input is checked when the
// kernel reads it, not here: the kernel says what it does with one out of its range.
NumberArg number_arg(const Args& info, std::size_t index, const char* name);

// Throws RangeError unless span.length == rows * cols (computed without overflow).
void expect_length(const Napi::Env& env, const FloatSpan& span, std::int64_t rows,
                   std::int64_t cols, const char* name);

// A span with the name its errors use.
struct Named {
  const FloatSpan& span;
  const char* name;
};

// Whether an output may be the very same floats as an input: an elementwise kernel reads each
// element before it writes it, so in place is fine; any other overlap (shifted, or partial)
// still gives wrong results.
enum class InPlace { refused, allowed };

// Throws RangeError if `output` shares memory with any of `inputs` (an absent span shares
// none): the kernel writes the output while it reads them, so an alias would corrupt its result.
void expect_disjoint(const Napi::Env& env, Named output, std::initializer_list<Named> inputs,
                     InPlace in_place = InPlace::refused);

// Throws RangeError if any two of `spans` share memory: for kernels that read and write all of
// them (an optimizer's parameters, gradients and slots).
void expect_all_disjoint(const Napi::Env& env, std::initializer_list<Named> spans);

}  // namespace myelin::binding
