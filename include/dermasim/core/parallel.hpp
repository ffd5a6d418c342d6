// dermasim/core/parallel.hpp — thin OpenMP helpers that compile to serial code without OpenMP.
//
// Reproducibility rule: loops split work by index with a static schedule and never reduce
// floating-point values across threads; reductions that feed results are done in a fixed order
// (see FieldSet::integral) or with max, which is exact. Hence any thread count gives bitwise
// identical results.
#pragma once

#include <algorithm>

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

/// for (i = begin; i < end; ++i) body(i), statically partitioned over the team when
/// `parallel`, else on the calling thread without entering an OpenMP region at all (even an
/// `if(false)` region forks a team of one, which costs more than a 1D column's kernel).
template <class F>
inline void parallel_for(long begin, long end, bool parallel, F&& body) {
#ifdef _OPENMP
  if (parallel) {
#pragma omp parallel for schedule(static)
    for (long i = begin; i < end; ++i) body(i);
    return;
  }
#else
  (void)parallel;
#endif
  for (long i = begin; i < end; ++i) body(i);
}

/// max over i of body(i) (exact, so any partition gives the same bits), starting from `init`.
template <class F>
inline double parallel_max(long begin, long end, bool parallel, double init, F&& body) {
  double m = init;
#ifdef _OPENMP
  if (parallel) {
#pragma omp parallel for schedule(static) reduction(max : m)
    for (long i = begin; i < end; ++i) m = std::max(m, body(i));
    return m;
  }
#else
  (void)parallel;
#endif
  for (long i = begin; i < end; ++i) m = std::max(m, body(i));
  return m;
}

/// Sum of body(i) over [begin, end) whose bits do not depend on the thread count: the range is
/// cut into blocks of `block` terms (fixed, not per thread), each block is summed in index order
/// (blocks in parallel when `parallel`), and the block sums are added in block order. `partial`
/// must hold ceil((end − begin) / block) doubles (caller-owned scratch: no allocation here).
template <class F>
inline double deterministic_sum(long begin, long end, bool parallel, long block, double* partial, F&& body) {
  const long n = end - begin;
  if (n <= 0) return 0.0;
  const long nb = (n + block - 1) / block;
  parallel_for(0, nb, parallel && nb > 1, [&](long b) {
    const long i0 = begin + b * block, i1 = std::min(end, i0 + block);
    double s = 0.0;
    for (long i = i0; i < i1; ++i) s += body(i);
    partial[b] = s;
  });
  double s = 0.0;
  for (long b = 0; b < nb; ++b) s += partial[b];
  return s;
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
