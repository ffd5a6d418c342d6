// dermasim/core/parallel.hpp — thin OpenMP helpers that compile to serial code without OpenMP.
//
// Reproducibility rule: loops split work by index with a static schedule and never reduce
// floating-point values across threads; reductions that feed results are done in a fixed order
// (see FieldSet::integral) or with max, which is exact. Hence any thread count gives bitwise
// identical results.
#pragma once

#ifdef _OPENMP
#include <omp.h>
#endif

namespace dermasim {

/// Loops over grids with fewer cells than this run on the calling thread (an OpenMP `if`
/// clause in every kernel): a fork/join with its barrier costs microseconds, and far more when
/// the other cores are busy, i.e. more than a whole sweep of a 1D column or a small 2D slice.
/// The choice depends on the grid only and loops are partitioned, never reduced in a
/// thread-dependent order, so results stay bitwise identical for any thread count.
inline constexpr long parallel_min_cells = 2048;

inline int max_threads() {
#ifdef _OPENMP
  return omp_get_max_threads();
#else
  return 1;
#endif
}

inline void set_threads(int n) {
#ifdef _OPENMP
  if (n > 0) omp_set_num_threads(n);
#else
  (void)n;
#endif
}

/// RAII: sets the OpenMP thread count for a scope (0 = leave as is) and restores it.
class ThreadScope {
 public:
  explicit ThreadScope(int n) : old_(max_threads()) {
    if (n > 0) set_threads(n);
  }
  ~ThreadScope() { set_threads(old_); }
  ThreadScope(const ThreadScope&) = delete;
  ThreadScope& operator=(const ThreadScope&) = delete;

 private:
  int old_;
};

}  // namespace dermasim
