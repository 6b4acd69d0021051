// Bindings for the stateful layers (batch normalization, dropout, noise, normalization) and the native random generator.
#include <napi.h>

#include "args.h"
#include "bindings.h"

namespace myelin::binding {

void register_layers(Napi::Env env, Napi::Object exports) {
  (void)env;
  (void)exports;
}

}  // namespace myelin::binding
