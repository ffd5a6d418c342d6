// dermasim/core/simd.hpp — run-time dispatch to AVX2 code paths in a portable build.
//
// The default build targets the baseline ISA (x86-64: SSE2), so the library runs on any
// machine. The hot kernels (x sweep, reaction step) are compute-bound there: they do their
// 8-lane recurrences and divisions 2 lanes at a time. Each such kernel is written once as an
// always-inline body and instantiated twice: a baseline function and one compiled with
// `__attribute__((target("avx2")))`; `use_avx2()` picks one at run time (CPUID, once).
//
// Results do not depend on the path taken: AVX2 is enabled without FMA (GCC and Clang do not
// contract a·b + c into an FMA unless FMA is enabled), every element goes through the same
// IEEE operations in the same order, and lanes never mix. Tests check the two paths bitwise.
//
// DERMASIM_SIMD=generic in the environment (read once) or `set_simd_path(SimdPath::generic)`
// forces the baseline path, e.g. to compare paths or to rule out the dispatch when debugging.
#pragma once

#include <atomic>
#include <cstdlib>
#include <cstring>

// DERMASIM_AVX2_DISPATCH: baseline build on x86 with GCC/Clang, AVX2 variants chosen at run
// time. DERMASIM_AVX2_KERNELS: the AVX2 variants exist (dispatched, or a build with -mavx2 or
// -march=native, where they are always taken unless the generic path is forced).
#if (defined(__GNUC__) || defined(__clang__)) && (defined(__x86_64__) || defined(__i386__)) && \
    !defined(__AVX2__) && !defined(DERMASIM_NO_SIMD_DISPATCH)
#define DERMASIM_AVX2_DISPATCH 1
#define DERMASIM_TARGET_AVX2 __attribute__((target("avx2")))
#else
#define DERMASIM_AVX2_DISPATCH 0
#define DERMASIM_TARGET_AVX2
#endif
#if DERMASIM_AVX2_DISPATCH || (defined(__AVX2__) && !defined(DERMASIM_NO_SIMD_DISPATCH))
#define DERMASIM_AVX2_KERNELS 1
#include <immintrin.h>
#else
#define DERMASIM_AVX2_KERNELS 0
#endif

#if defined(__GNUC__) || defined(__clang__)
#define DERMASIM_ALWAYS_INLINE inline __attribute__((always_inline))
#else
#define DERMASIM_ALWAYS_INLINE inline
#endif

namespace dermasim {

enum class SimdPath { automatic, generic, avx2 };

namespace detail {
inline std::atomic<int>& simd_override() {
  static std::atomic<int> v{-1};
  return v;
}
inline bool cpu_avx2() {
#if DERMASIM_AVX2_DISPATCH
  static const bool has = [] {
    __builtin_cpu_init();
    const char* env = std::getenv("DERMASIM_SIMD");
    if (env && std::strcmp(env, "generic") == 0) return false;
    return __builtin_cpu_supports("avx2") != 0;
  }();
  return has;
#else
  return false;
#endif
}
}  // namespace detail

/// Forces a code path (`generic`: the baseline ISA; `avx2`: only honoured where the CPU has
/// it) or returns to the automatic choice. Process-wide; meant for tests and benchmarks.
inline void set_simd_path(SimdPath p) {
  detail::simd_override().store(p == SimdPath::automatic ? -1 : (p == SimdPath::avx2 ? 1 : 0));
}

/// True when the dispatched kernels take their AVX2 variant.
inline bool use_avx2() {
#if DERMASIM_AVX2_DISPATCH
  const int o = detail::simd_override().load(std::memory_order_relaxed);
  if (o == 0) return false;
  if (o == 1) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") != 0;
  }
  return detail::cpu_avx2();
#elif DERMASIM_AVX2_KERNELS
  if (detail::simd_override().load(std::memory_order_relaxed) == 0) return false;
  const char* env = std::getenv("DERMASIM_SIMD");
  return !(env && std::strcmp(env, "generic") == 0);
#else
  return false;
#endif
}

/// The name of the path the dispatched kernels take now: "avx2" or "generic".
inline const char* simd_path_name() { return use_avx2() ? "avx2" : "generic"; }

}  // namespace dermasim
