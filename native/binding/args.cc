// Argument checking for the binding; see args.h for the contract.
#include "args.h"

#include <cmath>
#include <limits>
#include <string>

namespace myelin::binding {

namespace {

std::string describe(const Napi::Value& value) {
  switch (value.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "boolean";
    case napi_number: return "number " + value.ToString().Utf8Value();
    case napi_string: return "string";
    case napi_symbol: return "symbol";
    case napi_function: return "function";
    case napi_bigint: return "bigint";
    default: break;
  }
  if (value.IsTypedArray()) {
    switch (value.As<Napi::TypedArray>().TypedArrayType()) {
      case napi_float32_array: return "Float32Array";
      case napi_float64_array: return "Float64Array";
      case napi_int32_array: return "Int32Array";
      case napi_uint8_array: return "Uint8Array";
      case napi_uint32_array: return "Uint32Array";
      default: return "a TypedArray of another type";
    }
  }
  if (value.IsArray()) return "Array";
  return "object";
}

[[noreturn]] void throw_type(const Napi::Env& env, const char* name, const char* expected,
                             const Napi::Value& got) {
  throw Napi::TypeError::New(env, std::string("Expected ") + expected + " for " + name +
                                      " but received " + describe(got));
}

}  // namespace

Args::Args(const Napi::CallbackInfo& info) : env_(info.Env()), info_(&info) {}

Args::Args(Napi::Env env, const Napi::Array& values, std::uint32_t first, const PlanContext* plan)
    : env_(env), plan_(plan) {
  for (std::uint32_t i = first; i < values.Length(); ++i) values_.push_back(values.Get(i));
}

std::size_t Args::Length() const { return info_ != nullptr ? info_->Length() : values_.size(); }

Napi::Value Args::operator[](std::size_t index) const {
  if (info_ != nullptr) return (*info_)[index];
  return index < values_.size() ? values_[index] : env_.Undefined();
}

void expect_arg_count(const Args& info, std::size_t count, const char* function) {
  if (info.Length() != count) {
    throw Napi::TypeError::New(info.Env(), std::string(function) + " expects " +
                                               std::to_string(count) + " arguments but received " +
                                               std::to_string(info.Length()));
  }
}

FloatSpan float_array(const Args& info, std::size_t index, const char* name) {
  const Napi::Value value = info[index];
  if (!value.IsTypedArray() ||
      value.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array) {
    throw_type(info.Env(), name, "a Float32Array", value);
  }
  Napi::Float32Array array = value.As<Napi::Float32Array>();
  return FloatSpan{array.Data(), static_cast<std::int64_t>(array.ElementLength()), true};
}

IndexSpan index_array(const Args& info, std::size_t index, const char* name) {
  const Napi::Value value = info[index];
  if (!value.IsTypedArray() ||
      value.As<Napi::TypedArray>().TypedArrayType() != napi_uint32_array) {
    throw_type(info.Env(), name, "a Uint32Array", value);
  }
  Napi::Uint32Array array = value.As<Napi::Uint32Array>();
  return IndexSpan{array.Data(), static_cast<std::int64_t>(array.ElementLength())};
}

FloatSpan optional_float_array(const Args& info, std::size_t index,
                               const char* name) {
  const Napi::Value value = info[index];
  if (value.IsNull() || value.IsUndefined()) return FloatSpan{};
  return float_array(info, index, name);
}

int dimension(const Args& info, std::size_t index, const char* name) {
  const Napi::Value value = info[index];
  if (!value.IsNumber()) throw_type(info.Env(), name, "a non-negative integer", value);
  const double d = value.As<Napi::Number>().DoubleValue();
  if (!(d >= 0.0) || d > std::numeric_limits<std::int32_t>::max() || std::floor(d) != d) {
    throw Napi::RangeError::New(info.Env(), std::string("Expected a non-negative integer below 2^31 for ") +
                                                name + " but received " + describe(value));
  }
  return static_cast<int>(d);
}

double finite_number(const Args& info, std::size_t index, const char* name) {
  const Napi::Value value = info[index];
  if (!value.IsNumber()) throw_type(info.Env(), name, "a finite number", value);
  const double d = value.As<Napi::Number>().DoubleValue();
  if (!std::isfinite(d)) {
    throw Napi::RangeError::New(info.Env(), std::string("Expected a finite number for ") + name +
                                                " but received " + describe(value));
  }
  return d;
}

bool boolean(const Args& info, std::size_t index, const char* name) {
  const Napi::Value value = info[index];
  if (!value.IsBoolean()) throw_type(info.Env(), name, "a boolean", value);
  return value.As<Napi::Boolean>().Value();
}

void expect_length(const Napi::Env& env, const FloatSpan& span, std::int64_t rows,
                   std::int64_t cols, const char* name) {
  // rows and cols are each below 2^31, so the product fits in int64.
  const std::int64_t expected = rows * cols;
  if (span.length != expected) {
    throw Napi::RangeError::New(env, std::string("Expected ") + name + " to hold " +
                                         std::to_string(rows) + "x" + std::to_string(cols) +
                                         " = " + std::to_string(expected) +
                                         " floats but its length is " +
                                         std::to_string(span.length));
  }
}

void expect_disjoint(const Napi::Env& env, Named output, std::initializer_list<Named> inputs,
                     InPlace in_place) {
  const FloatSpan& out = output.span;
  if (!out.present || out.length == 0) return;
  for (const Named& input : inputs) {
    const FloatSpan& in = input.span;
    if (!in.present || in.length == 0) continue;
    const bool identical = in.data == out.data && in.length == out.length;
    if (identical && in_place == InPlace::allowed) continue;
    if (in.data < out.data + out.length && out.data < in.data + in.length) {
      throw Napi::RangeError::New(
          env, std::string("Expected ") + output.name + " not to share memory with " + input.name +
                   (in_place == InPlace::allowed ? " (the very same array is allowed)" : "") +
                   " but they overlap: the kernel writes " + output.name + " while it reads " +
                   input.name);
    }
  }
}

void expect_all_disjoint(const Napi::Env& env, std::initializer_list<Named> spans) {
  for (auto a = spans.begin(); a != spans.end(); ++a) {
    for (auto b = a + 1; b != spans.end(); ++b) expect_disjoint(env, *a, {*b});
  }
}

// A number argument that may be a plan input ({ planInput: i }): read at each step of a plan.
NumberArg number_arg(const Args& info, std::size_t index, const char* name) {
  const Napi::Value value = info[index];
  if (value.IsObject() && !value.IsArray() && !value.IsTypedArray()) {
    const Napi::Value slot = value.As<Napi::Object>().Get("planInput");
    if (info.plan() == nullptr || !slot.IsNumber()) {
      throw Napi::TypeError::New(info.Env(), std::string("Expected a number for ") + name +
                                                 (info.plan() == nullptr ? "" : " (or { planInput })") +
                                                 " but received an object");
    }
    const double i = slot.As<Napi::Number>().DoubleValue();
    if (!(i >= 0.0) || std::floor(i) != i || i >= static_cast<double>(info.plan()->count)) {
      throw Napi::RangeError::New(info.Env(), std::string("Expected a plan input below ") +
                                                  std::to_string(info.plan()->count) + " for " +
                                                  name + " but received " + slot.ToString().Utf8Value());
    }
    return NumberArg{0.0, info.plan()->inputs + static_cast<std::size_t>(i)};
  }
  return NumberArg{finite_number(info, index, name), nullptr};
}

}  // namespace myelin::binding
