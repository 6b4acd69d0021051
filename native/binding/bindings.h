// One registration function per kernel family; addon.cc calls them all.
#pragma once

#include <napi.h>

namespace myelin::binding {

void register_runtime(Napi::Env env, Napi::Object exports);
void register_gemm(Napi::Env env, Napi::Object exports);
void register_nn(Napi::Env env, Napi::Object exports);
void register_losses(Napi::Env env, Napi::Object exports);
void register_optimizers(Napi::Env env, Napi::Object exports);
void register_data(Napi::Env env, Napi::Object exports);
void register_regularization(Napi::Env env, Napi::Object exports);
void register_layers(Napi::Env env, Napi::Object exports);
void register_merge(Napi::Env env, Napi::Object exports);
void register_plans(Napi::Env env, Napi::Object exports);

}  // namespace myelin::binding
