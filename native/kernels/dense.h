// A fully connected layer in two calls: forward = GEMM + bias + activation (fused in the GEMM
// epilogue), backward = activation derivative, dW, db and dX.
// N = batch, K = inputs, M = units.
#pragma once

#include "activations.h"

namespace myelin {

// y = act(z), z = x w + b. x is (N,K), w is (K,M), b is (M) or null, y is (N,M). z (N,M) receives
// the pre-activation when not null; a backward with activation_needs_input(act) needs it. alpha as in activation_forward.
void dense_forward(float* y, float* z, const float* x, const float* w, const float* b, int n, int k,
                   int m, Activation act, float alpha);

// Overwrites (does not accumulate) the gradients. dy (N,M) comes in as dL/dy and is overwritten
// with dL/dz = dy * act'. dw (K,M) = x^T dz and db (M) = column sums of dz, each skipped when
// null (a frozen layer);
// dx (N,K) = dz w^T, skipped when null (the first layer needs no input gradient).
// x is the forward input (N,K), w the weights (K,M), z and y the forward's pre-activation and
// output (N,M); z may be null unless activation_needs_input(act).
void dense_backward(float* dx, float* dw, float* db, float* dy, const float* x, const float* w,
                    const float* z, const float* y, int n, int k, int m, Activation act,
                    float alpha);

}  // namespace myelin
