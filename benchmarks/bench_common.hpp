// benchmarks/bench_common.hpp — machine-normalised figures for every memory-bound benchmark.
//
// Timings on a shared, noisy machine mean little on their own, so every memory-bound benchmark
// reports its effective bandwidth beside a STREAM-like triad measured in the same process:
//   updates_per_s    voxel-species updates per second
//   bytes_per_update the bytes a perfect implementation must move per update (documented per
//                    benchmark and in docs/numerics.md; write-allocate traffic is not counted,
//                    exactly as STREAM does not count it)
//   GB_per_s         updates_per_s × bytes_per_update / 1e9
//   triad_GB_per_s   the triad bandwidth with the same thread count (STREAM byte count),
//                    measured right after the benchmark (triad_now)
//   frac_triad       GB_per_s / triad_GB_per_s — the figure benchmarks/compare.py gates on
#pragma once

#include <benchmark/benchmark.h>

#include <cstddef>

namespace dsbench {

/// STREAM-like triad a[i] = b[i] + q c[i] on arrays far larger than the last-level cache, with
/// `threads` OpenMP threads; returns GB/s with STREAM's byte count (24 B per element). Measured
/// once per thread count (best of several repetitions, as STREAM reports) and cached, so every
/// benchmark of one run divides by the same figure.
double triad_bandwidth(int threads);

/// The triad measured now (best of 5 passes): the denominator of frac_triad, taken right
/// after each benchmark so that it sees the same contention as the kernel did.
double triad_now(int threads);

/// One triad pass over n elements with the given thread count; returns seconds.
double triad_once(double* a, const double* b, const double* c, std::size_t n, int threads);

/// Sets the counters above. `updates` = voxel-species updates per benchmark iteration.
void report_bandwidth(benchmark::State& state, double updates, double bytes_per_update,
                      int threads);

}  // namespace dsbench
