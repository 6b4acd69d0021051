// The addon's entry point: registration only. Each kernel family binds itself in its own file.
#include <napi.h>

#include "bindings.h"

namespace {

Napi::Object init(Napi::Env env, Napi::Object exports) {
  myelin::binding::register_runtime(env, exports);
  myelin::binding::register_gemm(env, exports);
  myelin::binding::register_nn(env, exports);
  myelin::binding::register_losses(env, exports);
  myelin::binding::register_optimizers(env, exports);
  myelin::binding::register_data(env, exports);
  myelin::binding::register_regularization(env, exports);
  myelin::binding::register_layers(env, exports);
  myelin::binding::register_merge(env, exports);
  myelin::binding::register_plans(env, exports);
  return exports;
}

}  // namespace

NODE_API_MODULE(myelin, init)
