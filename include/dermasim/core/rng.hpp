// dermasim/core/rng.hpp — counter-based random numbers (Philox-4x32-10, Salmon et al., SC'11).
//
// A draw is a pure function of (seed, stream, index): no state is shared between threads, so
// results are bitwise identical for any thread count and any order of evaluation. Use one
// stream per purpose (e.g. session number × 16 + purpose) and the event number as index.
#pragma once

#include <array>
#include <cmath>
#include <cstdint>

namespace dermasim {

class Philox {
 public:
  explicit Philox(std::uint64_t seed) : key_{std::uint32_t(seed), std::uint32_t(seed >> 32)} {}

  /// Four independent 32-bit words for counter (stream, index).
  std::array<std::uint32_t, 4> bits(std::uint64_t stream, std::uint64_t index) const {
    std::array<std::uint32_t, 4> c{std::uint32_t(index), std::uint32_t(index >> 32),
                                   std::uint32_t(stream), std::uint32_t(stream >> 32)};
    std::array<std::uint32_t, 2> k = key_;
    for (int r = 0; r < 10; ++r) {
      c = round(c, k);
      k[0] += 0x9E3779B9u;
      k[1] += 0xBB67AE85u;
    }
    return c;
  }

  /// Uniform doubles in [0, 1) (53-bit), two per counter: which = 0 or 1.
  double uniform(std::uint64_t stream, std::uint64_t index, int which = 0) const {
    auto b = bits(stream, index);
    std::uint64_t w = (std::uint64_t(b[2 * which]) << 32) | b[2 * which + 1];
    return double(w >> 11) * 0x1.0p-53;
  }

  /// Standard normal via Box–Muller on the two uniforms of one counter.
  double normal(std::uint64_t stream, std::uint64_t index) const {
    double u1 = uniform(stream, index, 0), u2 = uniform(stream, index, 1);
    u1 = u1 > 0.0 ? u1 : 0x1.0p-53;
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
  }

 private:
  static std::array<std::uint32_t, 4> round(const std::array<std::uint32_t, 4>& c,
                                            const std::array<std::uint32_t, 2>& k) {
    const std::uint64_t p0 = std::uint64_t(0xD2511F53u) * c[0];
    const std::uint64_t p1 = std::uint64_t(0xCD9E8D57u) * c[2];
    return {std::uint32_t(p1 >> 32) ^ c[1] ^ k[0], std::uint32_t(p1),
            std::uint32_t(p0 >> 32) ^ c[3] ^ k[1], std::uint32_t(p0)};
  }
  std::array<std::uint32_t, 2> key_;
};

}  // namespace dermasim
