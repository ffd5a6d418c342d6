// dermasim/core/hash.hpp — FNV-1a 64-bit, the digest of checkpoints and of sealed files.
//
// h ← (h xor byte) · p for every byte: each step is a bijection of h for a given byte, so a
// change of any single byte always changes the digest; unrelated inputs collide with
// probability ~2⁻⁶⁴. A corruption check, not a cryptographic hash.
#pragma once

#include <cstddef>
#include <cstdint>

namespace dermasim {

inline constexpr std::uint64_t kFnv1aOffset = 1469598103934665603ULL;

/// FNV-1a 64 of `n` bytes at `p`, continuing from `h` (pass the previous digest to hash a
/// stream in pieces; kFnv1aOffset to start).
inline std::uint64_t fnv1a(const void* p, std::size_t n, std::uint64_t h = kFnv1aOffset) {
  const auto* b = static_cast<const unsigned char*>(p);
  for (std::size_t i = 0; i < n; ++i) h = (h ^ std::uint64_t(b[i])) * 1099511628211ULL;
  return h;
}

}  // namespace dermasim
