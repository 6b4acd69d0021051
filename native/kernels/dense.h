// A fully connected layer in two calls: forward = GEMM + bias + activation (fused in the GEMM
// epilogue), backward = activation derivative, dW, db and dX.
// N = batch, K = inputs, M = units.
#pragma once

#include "activations.h"

namespace myelin {

// y = act(x w + b). x is (N,K), w is (K,M), b is (M) or null, y is (N,M).
void dense_forward(float* y, const float* x, const float* w, const float* b, int n, int k, int m,
                   Activation act);

// Overwrites (does not accumulate) the gradients. dy (N,M) comes in as dL/dy and is overwritten
// with dL/dz = dy * act'(y). dw (K,M) = x^T dz; db (M) = column sums of dz, skipped when null;
// dx (N,K) = dz w^T, skipped when null (the first layer needs no input gradient).
// y is the forward output (N,M), x the forward input (N,K), w the weights (K,M).
void dense_backward(float* dx, float* dw, float* db, float* dy, const float* x, const float* w,
                    const float* y, int n, int k, int m, Activation act);

}  // namespace myelin
