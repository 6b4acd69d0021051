// The registry of kernel decoders (kernel_call.h). Each Node environment (the main thread, each
// worker) loads the addon and registers the same decoders again: the first registration of a
// name is kept, under a mutex since workers start at once.
#include "kernel_call.h"

#include <map>
#include <mutex>

namespace myelin::binding {

namespace {

std::mutex g_registry_mutex;

std::map<std::string, Decoder>& registry() {
  static auto* decoders = new std::map<std::string, Decoder>();  // never destroyed: workers may outlive statics
  return *decoders;
}

}  // namespace

void bind_kernel(Napi::Env env, Napi::Object exports, const char* name, Decoder decode) {
  {
    std::lock_guard<std::mutex> lock(g_registry_mutex);
    registry().emplace(name, decode);
  }
  exports.Set(name, Napi::Function::New(
                        env,
                        [decode](const Napi::CallbackInfo& info) -> Napi::Value {
                          const KernelCall call = decode(Args(info));
                          if (call.value) return Napi::Number::New(info.Env(), call.value());
                          call.run();
                          return info.Env().Undefined();
                        },
                        name));
}

const Decoder* find_decoder(const std::string& name) {
  std::lock_guard<std::mutex> lock(g_registry_mutex);
  const auto found = registry().find(name);
  return found == registry().end() ? nullptr : &found->second;
}

}  // namespace myelin::binding
