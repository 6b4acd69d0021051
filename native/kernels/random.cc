// Filling buffers from the shared xoshiro128** stream; see random.h for the mappings.
#include "random.h"

#include <cmath>

namespace myelin {

namespace {

constexpr double kTwoPi = 6.283185307179586476925286766559;
constexpr double kInv2To32 = 1.0 / 4294967296.0;
constexpr double kInv2To24 = 1.0 / 16777216.0;

// One xoshiro128** step, word for word as Random.nextUint32 in lib/random.ts.
inline std::uint32_t next_uint32(std::uint32_t* state) {
  const auto rotl = [](std::uint32_t x, int k) { return (x << k) | (x >> (32 - k)); };
  const std::uint32_t result = rotl(state[1] * 5u, 7) * 9u;
  const std::uint32_t t = state[1] << 9;
  state[2] ^= state[0];
  state[3] ^= state[1];
  state[1] ^= state[2];
  state[0] ^= state[3];
  state[2] ^= t;
  state[3] = rotl(state[3], 11);
  return result;
}

}  // namespace

void fill_uniform(float* dst, std::uint32_t* state, float low, float high, std::int64_t count) {
  const double lo = low;
  const double span = static_cast<double>(high) - lo;
  // The largest float below high: where a value that rounds up to high goes instead.
  const float below_high = std::nextafter(high, low);
  for (std::int64_t i = 0; i < count; ++i) {
    const double u = static_cast<double>(next_uint32(state) >> 8) * kInv2To24;
    const float value = static_cast<float>(lo + span * u);
    dst[i] = value < high ? value : below_high;
  }
}

void fill_normal(float* dst, std::uint32_t* state, float mean, float stddev, std::int64_t count) {
  const double mu = mean;
  const double sigma = stddev;
  for (std::int64_t i = 0; i < count; i += 2) {
    const double u1 = 1.0 - static_cast<double>(next_uint32(state)) * kInv2To32;
    const double u2 = static_cast<double>(next_uint32(state)) * kInv2To32;
    const double r = std::sqrt(-2.0 * std::log(u1));
    dst[i] = static_cast<float>(mu + sigma * (r * std::cos(kTwoPi * u2)));
    if (i + 1 < count) dst[i + 1] = static_cast<float>(mu + sigma * (r * std::sin(kTwoPi * u2)));
  }
}

void shuffle(std::uint32_t* values, std::uint32_t* state, std::int64_t count) {
  constexpr std::uint64_t kTwoTo32 = std::uint64_t{1} << 32;
  for (std::int64_t i = count - 1; i > 0; --i) {
    const std::uint64_t n = static_cast<std::uint64_t>(i) + 1;
    const std::uint64_t limit = kTwoTo32 - kTwoTo32 % n;
    std::uint64_t draw = next_uint32(state);
    while (draw >= limit) draw = next_uint32(state);
    const std::int64_t j = static_cast<std::int64_t>(draw % n);
    const std::uint32_t kept = values[i];
    values[i] = values[j];
    values[j] = kept;
  }
}

void fill_dropout_mask(float* dst, std::uint32_t* state, double rate, std::int64_t count) {
  const float kept = static_cast<float>(1.0 / (1.0 - rate));
  for (std::int64_t i = 0; i < count; ++i) {
    const double u = static_cast<double>(next_uint32(state)) * kInv2To32;
    dst[i] = u >= rate ? kept : 0.0f;
  }
}

}  // namespace myelin
