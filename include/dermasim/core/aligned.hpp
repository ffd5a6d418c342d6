// dermasim/core/aligned.hpp — a 64-byte aligned allocator so every field array starts on a
// cache line (and an AVX-512 vector), which keeps vectorised sweeps free of split loads.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <new>
#include <vector>

namespace dermasim {

template <class T, std::size_t Align = 64>
struct aligned_allocator {
  using value_type = T;
  template <class U>
  struct rebind {
    using other = aligned_allocator<U, Align>;
  };
  aligned_allocator() noexcept = default;
  template <class U>
  aligned_allocator(const aligned_allocator<U, Align>&) noexcept {}
  T* allocate(std::size_t n) {
    if (n == 0) return nullptr;
    std::size_t bytes = ((n * sizeof(T) + Align - 1) / Align) * Align;
    void* p = std::aligned_alloc(Align, bytes);
    if (!p) throw std::bad_alloc();
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t) noexcept { std::free(p); }
  template <class U>
  bool operator==(const aligned_allocator<U, Align>&) const noexcept { return true; }
  template <class U>
  bool operator!=(const aligned_allocator<U, Align>&) const noexcept { return false; }
};

/// Contiguous, 64-byte aligned array of doubles: the storage of one species.
using aligned_vector = std::vector<double, aligned_allocator<double>>;

}  // namespace dermasim
