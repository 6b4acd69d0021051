// Bindings for gradient clipping, weight regularizers and weight constraints.
#include <napi.h>

#include "args.h"
#include "bindings.h"

namespace myelin::binding {

void register_regularization(Napi::Env env, Napi::Object exports) {
  (void)env;
  (void)exports;
}

}  // namespace myelin::binding
