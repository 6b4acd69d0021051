// Random numbers on the stream of lib/random.ts: xoshiro128** (Blackman & Vigna, 2018,
// https://prng.di.unimi.it/xoshiro128starstar.c). The generator's four 32-bit words live in a
// Uint32Array that JS shares; every function here advances `state` in place, so JS draws and
// native draws form one sequence and seed(n) reproduces both. count = floats written.
// The generator is sequential, so these loops run on one thread.
#pragma once

#include <cstdint>

namespace myelin {

// dst[i] = low + (high - low) * u, u = (next >> 8) / 2^24 uniform in [0, 1) (24 bits: exact in
// float); computed in double and kept below high when rounding to float would reach it.
void fill_uniform(float* dst, std::uint32_t* state, float low, float high, std::int64_t count);

// dst[i] = mean + stddev * z, z standard normal by the Box-Muller transform over pairs of draws
// u1 = 1 - next / 2^32 in (0, 1] (so log(u1) is finite) and u2 = next / 2^32:
// z0 = sqrt(-2 ln u1) cos(2 pi u2), z1 = sqrt(-2 ln u1) sin(2 pi u2). An odd count consumes a
// whole pair for its last value and drops z1.
void fill_normal(float* dst, std::uint32_t* state, float mean, float stddev, std::int64_t count);

// Inverted-dropout mask: dst[i] = 1 / (1 - rate) when next / 2^32 >= rate (probability
// 1 - rate), else 0. rate must be in [0, 1) (checked by the caller); it stays a double so the
// kept value is 1 / (1 - rate) of the caller's rate, not of its float rounding.
void fill_dropout_mask(float* dst, std::uint32_t* state, double rate, std::int64_t count);

// Fisher-Yates shuffle of values[0, count), as Random.shuffle in lib/random.ts did it: for i from
// count - 1 down to 1, swap values[i] with values[j], j uniform in [0, i] by rejection (draws at
// or above 2^32 - 2^32 mod (i + 1) are drawn again, so no index is favoured), then j = draw mod
// (i + 1).
void shuffle(std::uint32_t* values, std::uint32_t* state, std::int64_t count);

}  // namespace myelin
