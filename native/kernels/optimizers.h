// Optimizer updates, each one call over the whole parameter arena: params, gradients and every
// slot are arenas of the same layout, so the update is a flat loop over `count` floats.
// count = floats in the arena; every pointer below points at `count` floats. lr is the learning
// rate of this step (a schedule is evaluated by the caller). step is t, the number of this update
// counted from 1 (Keras's iterations + 1). Formulas as the keras.optimizers docstrings and code
// (Keras 3) write them; `g` is the (already clipped) gradient.
//
// Every update is all or nothing: it returns true when it was applied, and false when any value
// it would write, a parameter or a slot, would be NaN or infinite; then params and every slot's
// in array keep their bits. A NaN or infinite gradient is refused too: each update writes a value
// that is a sum with a term lr g, (1 - beta) g or g^2 (SGD's p or velocity, every other one's
// first slot), never finite when g is not (0 * inf is NaN), so no separate finiteness pass over
// the gradients is needed before it.
//
// What undoing a step needs is kept as the step runs, in one pass over the arena (optimizers.cc):
//  - params are updated in place, and grads receive the old params: the gradient is dead once
//    the update has read it. After the call, applied or refused, grads hold the params as they
//    were before it; a refused update copies them back into params.
//  - each slot is two arrays: the update reads `_in` and writes `_out`, so a refused update leaves
//    the in arrays as they were (the outs then hold unspecified values). The caller makes the out
//    arrays the current slots only when the update was applied. This doubles the slots' memory.
// Every array must be disjoint from every other (a slot's in from its out too).
#pragma once

#include <cstdint>

namespace myelin {

// SGD with momentum (Sutskever et al. 2013), as keras.optimizers.SGD:
//   momentum 0:  p = p - lr g                        (velocity untouched, both may be null)
//   otherwise:   v = momentum v - lr g;  p = p + v
//   nesterov:    v = momentum v - lr g;  p = p + momentum v - lr g
[[nodiscard]] bool sgd_step(float* params, float* grads, float* velocity_out,
                            const float* velocity_in, std::int64_t count, float lr, float momentum,
                            bool nesterov);

// Adagrad (Duchi et al. 2011), as keras.optimizers.Adagrad; epsilon inside the square root:
//   a = a + g^2;  p = p - lr g / sqrt(a + epsilon)
// The accumulator starts at initialAccumulatorValue (the caller fills it).
[[nodiscard]] bool adagrad_step(float* params, float* grads, float* accumulator_out,
                                const float* accumulator_in, std::int64_t count, float lr,
                                float epsilon);

// Adadelta (Zeiler 2012, Algorithm 1), as keras.optimizers.Adadelta; epsilon inside both roots:
//   Eg = rho Eg + (1 - rho) g^2
//   d  = -sqrt(Ed + epsilon) g / sqrt(Eg + epsilon)
//   Ed = rho Ed + (1 - rho) d^2;  p = p + lr d
[[nodiscard]] bool adadelta_step(float* params, float* grads, float* accum_grad_out,
                                 float* accum_delta_out, const float* accum_grad_in,
                                 const float* accum_delta_in, std::int64_t count, float lr,
                                 float rho, float epsilon);

// RMSprop (Hinton, Neural Networks for Machine Learning, lecture 6e; centered as Graves 2013),
// as keras.optimizers.RMSprop; epsilon inside the square root:
//   v = rho v + (1 - rho) g^2
//   centered: a = rho a + (1 - rho) g;  den = v - a^2 + epsilon;  otherwise den = v + epsilon
//   inc = lr g / sqrt(den)
//   momentum > 0: mom = momentum mom + inc;  p = p - mom;  otherwise p = p - inc
// average (centered only) and mom (momentum > 0 only), in and out, are null when unused.
[[nodiscard]] bool rmsprop_step(float* params, float* grads, float* velocity_out, float* mom_out,
                                float* average_out, const float* velocity_in,
                                const float* mom_in, const float* average_in, std::int64_t count,
                                float lr, float rho, float momentum, float epsilon);

// Adam (Kingma & Ba 2015, Algorithm 1 with the efficient ordering of section 2), AMSGrad (Reddi
// et al. 2018) and AdamW (Loshchilov & Hutter 2019), as keras.optimizers.Adam / AdamW:
//   weight_decay > 0 (AdamW, decoupled, before the Adam step): p = p - lr weight_decay p
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   amsgrad: v_hat = max(v_hat, v), used below in place of v (v_hat in and out null otherwise)
//   lr_t = lr sqrt(1 - b2^t) / (1 - b1^t);  p = p - lr_t m / (sqrt(v) + epsilon)
// Bias correction is folded into lr_t, so epsilon is added to the uncorrected sqrt(v) ("epsilon
// hat" in the paper).
[[nodiscard]] bool adam_step(float* params, float* grads, float* m_out, float* v_out,
                             float* v_hat_out, const float* m_in, const float* v_in,
                             const float* v_hat_in, std::int64_t count, float lr, float beta1,
                             float beta2, float epsilon, float weight_decay, std::int64_t step);

// Adamax (Kingma & Ba 2015, Algorithm 2), as keras.optimizers.Adamax; epsilon added to u:
//   m = b1 m + (1 - b1) g;  u = max(b2 u, |g|);  p = p - lr m / ((1 - b1^t) (u + epsilon))
[[nodiscard]] bool adamax_step(float* params, float* grads, float* m_out, float* u_out,
                               const float* m_in, const float* u_in, std::int64_t count, float lr,
                               float beta1, float beta2, float epsilon, std::int64_t step);

// Nadam (Dozat 2016) with Keras's momentum schedule u_t = b1 (1 - 0.5 * 0.96^t), as
// keras.optimizers.Nadam; epsilon added to the corrected sqrt(v_hat):
//   m = b1 m + (1 - b1) g;  v = b2 v + (1 - b2) g^2
//   m_hat = u_{t+1} m / (1 - U_t u_{t+1}) + (1 - u_t) g / (1 - U_t)
//   v_hat = v / (1 - b2^t);  p = p - lr m_hat / (sqrt(v_hat) + epsilon)
// u_product is U_t = u_1 u_2 ... u_t, the running product the caller keeps (Keras's u_product).
[[nodiscard]] bool nadam_step(float* params, float* grads, float* m_out, float* v_out,
                              const float* m_in, const float* v_in, std::int64_t count, float lr,
                              float beta1, float beta2, float epsilon, std::int64_t step,
                              double u_product);

}  // namespace myelin
