// Bindings for the runtime: which ISA path and how many threads the kernels use, and the
// measured FMA ceiling that benchmarks report against.
#include <napi.h>

#include <string>

#include "../runtime/cpu_features.h"
#include "../runtime/fma_peak.h"
#include "../runtime/thread_pool.h"
#include "args.h"
#include "bindings.h"

namespace myelin::binding {

namespace {

Napi::Value backend_info(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 0, "backendInfo");
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  out.Set("isa", isa_name(active_isa()));
  out.Set("threads", num_threads());
  out.Set("maxThreads", max_threads());
  Napi::Array supported = Napi::Array::New(env);
  std::uint32_t next = 0;
  for (Isa isa : kAllIsas) {
    if (isa_supported(isa)) supported.Set(next++, isa_name(isa));
  }
  out.Set("supportedIsas", supported);
  return out;
}

Napi::Value set_threads(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 1, "setNumThreads");
  const int n = dimension(info, 0, "threads");
  if (n < 1 || n > max_threads()) {
    throw Napi::RangeError::New(info.Env(), "Expected an integer from 1 to " +
                                                std::to_string(max_threads()) +
                                                " for threads but received " + std::to_string(n));
  }
  set_num_threads(n);
  return info.Env().Undefined();
}

Napi::Value set_isa_path(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 1, "setIsa");
  if (!info[0].IsString()) throw Napi::TypeError::New(info.Env(), "Expected a string for isa");
  const std::string name = info[0].As<Napi::String>().Utf8Value();
  Isa isa;
  if (!parse_isa(name.c_str(), &isa)) {
    throw Napi::RangeError::New(info.Env(),
                                "Expected 'generic', 'avx2', 'avx512' or 'neon' for isa but received '" +
                                    name + "'");
  }
  if (!set_isa(isa)) {
    throw Napi::RangeError::New(info.Env(), "The ISA path '" + name + "' is not supported by this CPU");
  }
  return info.Env().Undefined();
}

// fmaPeakGflops(threads, milliseconds): the FMA-chain ceiling the benchmarks compare against.
Napi::Value fma_peak_binding(const Napi::CallbackInfo& info) {
  expect_arg_count(info, 2, "fmaPeakGflops");
  const int threads = dimension(info, 0, "threads");
  const double milliseconds = finite_number(info, 1, "milliseconds");
  if (threads < 1 || !(milliseconds > 0.0 && milliseconds <= 10000.0)) {
    throw Napi::RangeError::New(info.Env(), "Expected threads >= 1 and milliseconds in (0, 10000] but received " +
                                                std::to_string(threads) + " and " + std::to_string(milliseconds));
  }
  return Napi::Number::New(info.Env(), fma_peak_gflops(threads, milliseconds));
}

}  // namespace

void register_runtime(Napi::Env env, Napi::Object exports) {
  exports.Set("backendInfo", Napi::Function::New(env, backend_info, "backendInfo"));
  exports.Set("setNumThreads", Napi::Function::New(env, set_threads, "setNumThreads"));
  exports.Set("setIsa", Napi::Function::New(env, set_isa_path, "setIsa"));
  exports.Set("fmaPeakGflops", Napi::Function::New(env, fma_peak_binding, "fmaPeakGflops"));
}

}  // namespace myelin::binding
