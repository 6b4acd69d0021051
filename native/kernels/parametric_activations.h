// Leaky ReLU with a slope per unit or per element: PReLU (He et al. 2015, arXiv:1502.01852), a
// learnable slope per unit, and RReLU (Xu et al. 2015, arXiv:1505.00853), a random slope per
// element while training, which is PReLU over one row of N*M values with the slopes as alpha.
// N = batch (rows), M = units (cols).
#pragma once

namespace myelin {

// y = z > 0 ? z : alpha_j z. z and y are (N,M), alpha is (M); y == z is allowed. NaN stays NaN.
void prelu_forward(float* y, const float* z, const float* alpha, int n, int m);

// dz = dy * (z > 0 ? 1 : alpha_j), skipped when dz is null; dz == dy is allowed.
// dalpha_j = sum over the batch of dy * z where z < 0, overwritten (not accumulated), skipped
// when dalpha is null; summed in double in an order fixed by n and m (not the thread count).
void prelu_backward(float* dz, float* dalpha, const float* dy, const float* z, const float* alpha,
                    int n, int m);

}  // namespace myelin
