// dermasim/resources.hpp — what a run will cost before it starts: memory (refused above what
// the machine or the user allows, before anything is allocated), fixed-step counts (refused
// above numerics' step limit) and thread counts (bounded by the processors there are).
//
// The memory estimate counts the arrays the run allocates per voxel (docs/performance.md §5):
//   state of the healing model                      S doubles
//   step-doubling scratch (TimeStepper)             2 S
//   dense output (previous state + interpolant)     2 S
//   chemotaxis face velocities, fluxes, buffer      7
//   injury raster (damage + bleeding)               2 per raster voxel (the 2D raster is finer)
//   each snapshot                                   S
//   a checkpoint (state + snapshots, C++ record, its bytes and the Python copy)   3 (1 + snapshots) S
// plus the lateral-average copy of the injury and a fixed allowance for the process (the
// outcome series, the binary, the Python interpreter). tests/cpp/test_resources.cpp checks it
// against the resident set of real runs.
#pragma once

#include <sys/resource.h>

#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <algorithm>
#include <unistd.h>
#include <limits>
#include <sstream>
#include <string>

#include "dermasim/core/error.hpp"
#include "dermasim/core/parallel.hpp"
#include "dermasim/core/units.hpp"
#include "dermasim/healing/model.hpp"
#include "dermasim/scenario.hpp"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace dermasim {

/// The most fixed steps a run may take (the stepper's numerics.max_steps default).
inline constexpr double kMaxFixedSteps = 1e7;
/// Threads per processor a run may ask for (more only slows it down; 100000 stalled).
inline constexpr int kThreadsPerProcessor = 4;

struct MemoryEstimate {
  long long nx = 1, ny = 1, nz = 1;  ///< healing grid
  long long raster_cells = 0;        ///< injury raster voxels
  double bytes_per_voxel = 0;        ///< B, healing grid
  double bytes = 0;                  ///< B, whole run
  std::string explain() const;
};

/// Memory a run of `sc` will need with `snapshots` field snapshots, with or without
/// checkpoints. Allocates nothing (the z faces only).
inline MemoryEstimate estimate_memory(const Scenario& sc, std::size_t snapshots = 2, bool checkpoint = false) {
  sc.numerics.validate();
  const Numerics& nu = sc.numerics;
  MemoryEstimate m;
  m.nz = static_cast<long long>(graded_z_faces(sc.skin.interfaces(), nu.h_min, nu.h_max, nu.growth).size()) - 1;
  const double nlat = std::max(1.0, std::round(nu.patch_size / nu.lateral_spacing));
  if (nu.dimension >= 2) m.nx = static_cast<long long>(nlat);
  if (nu.dimension == 3) m.ny = m.nx;
  const double cells = double(m.nx) * double(m.ny) * double(m.nz);
  double raster = cells;
  if (nu.dimension == 2) {
    const double nr = std::max(1.0, std::round(nu.patch_size / nu.raster_spacing));
    raster = std::max(double(m.nx), nr) * nr * double(m.nz);
  }
  m.raster_cells = static_cast<long long>(raster);
  const double S = double(sc.species_layout().first.size());
  const double snaps = double(snapshots);
  // state + the stepper's 4 copies, 7 operator scalars, snapshots, checkpoint images, injury;
  // × 1.1 for allocator overhead and per-thread scratch (the resident-set growth of a 3D run
  // measured 0.99–1.03 × the count without it, tests/python/test_robustness.py)
  m.bytes_per_voxel = 1.1 * 8.0 * (5.0 * S + 7.0 + snaps * S + (checkpoint ? 3.0 * (1.0 + snaps) * S : 0.0) + 2.0);
  m.bytes = cells * m.bytes_per_voxel + 16.0 * raster + 64.0 * 1024 * 1024;
  return m;
}

namespace detail {
inline std::string gb(double b) {
  char buf[64];
  if (b >= 1e9)
    std::snprintf(buf, sizeof buf, "%.1f GB", b / 1e9);
  else
    std::snprintf(buf, sizeof buf, "%.0f MB", b / 1e6);
  return buf;
}
inline double read_number_file(const char* path) {
  std::ifstream f(path);
  std::string s;
  if (!(f >> s) || s == "max") return std::numeric_limits<double>::infinity();
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  return end && *end == '\0' && v > 0 ? v : std::numeric_limits<double>::infinity();
}
}  // namespace detail

inline std::string MemoryEstimate::explain() const {
  std::ostringstream o;
  o << detail::gb(bytes) << " (" << nx << " x " << ny << " x " << nz << " = " << double(nx) * ny * nz
    << " voxels x " << int(std::lround(bytes_per_voxel)) << " B";
  if (raster_cells != nx * ny * nz) o << ", injury raster " << double(raster_cells) << " voxels";
  o << ")";
  return o.str();
}

/// Memory this process may still use, B: the smaller of MemAvailable (/proc/meminfo) and the
/// cgroup's limit minus its usage (v2, then v1); infinity where neither is known.
inline double available_memory() {
  double avail = std::numeric_limits<double>::infinity();
  std::ifstream mi("/proc/meminfo");
  std::string key;
  double kb;
  std::string unit;
  while (mi >> key >> kb >> unit)
    if (key == "MemAvailable:") {
      avail = kb * 1024.0;
      break;
    }
  const double lim2 = detail::read_number_file("/sys/fs/cgroup/memory.max");
  if (std::isfinite(lim2)) avail = std::min(avail, lim2 - std::min(lim2, detail::read_number_file("/sys/fs/cgroup/memory.current")));
  const double lim1 = detail::read_number_file("/sys/fs/cgroup/memory/memory.limit_in_bytes");
  if (std::isfinite(lim1) && lim1 < 1e18)
    avail = std::min(avail, lim1 - std::min(lim1, detail::read_number_file("/sys/fs/cgroup/memory/memory.usage_in_bytes")));
  return avail;
}

/// The limit a run is held to, B: `requested` (> 0) if given, else DERMASIM_MAX_MEMORY (bytes)
/// if set, else the available memory.
inline double memory_limit(double requested = 0.0) {
  if (requested > 0) return requested;
  if (const char* e = std::getenv("DERMASIM_MAX_MEMORY")) {
    char* end = nullptr;
    const double v = std::strtod(e, &end);
    if (end && *end == '\0' && v > 0) return v;
    throw invalid_argument(std::string("DERMASIM_MAX_MEMORY: expected a number of bytes > 0 (got '") + e + "')");
  }
  return available_memory();
}

/// Throws invalid_argument naming the parameters that drive the memory if a run of `sc` would
/// need more than `limit` bytes.
inline void check_memory(const Scenario& sc, std::size_t snapshots, bool checkpoint, double limit) {
  const MemoryEstimate m = estimate_memory(sc, snapshots, checkpoint);
  if (!(m.bytes > limit)) return;
  const Numerics& nu = sc.numerics;
  std::ostringstream o;
  o << "numerics: this " << nu.dimension << "D run needs an estimated " << m.explain() << ", more than the "
    << detail::gb(limit) << " allowed (" << (std::getenv("DERMASIM_MAX_MEMORY") ? "DERMASIM_MAX_MEMORY" : "max_memory or the available memory")
    << "). The voxel count is set by";
  if (nu.dimension >= 2)
    o << " numerics.patch_size = " << nu.patch_size / units::mm << " mm / numerics.lateral_spacing = "
      << nu.lateral_spacing / units::um << " um (" << m.nx << " lateral cells" << (nu.dimension == 3 ? " squared" : "") << ") and";
  o << " numerics.h_min = " << nu.h_min / units::um << " um, numerics.h_max = " << nu.h_max / units::um
    << " um, numerics.growth = " << nu.growth << " (" << m.nz << " z cells)";
  if (snapshots > 2) o << "; each of the " << snapshots << " snapshots adds a copy of the state";
  o << ". Coarsen numerics.lateral_spacing, shrink numerics.patch_size, lower numerics.dimension or raise the limit.";
  throw invalid_argument(o.str());
}

/// Throws invalid_argument if a fixed-step run of `sc` would take more than kMaxFixedSteps steps.
inline void check_fixed_steps(const Scenario& sc) {
  if (sc.numerics.adaptive) return;
  const double steps = sc.protocol.end_time() / sc.numerics.dt_initial;
  if (!(steps > kMaxFixedSteps)) return;
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "numerics.dt_initial: %g s with numerics.adaptive = false needs %.3g fixed steps for this %.4g-day "
                "course, more than the %.0e allowed; use numerics.dt_initial >= %.3g s, adaptive steps, or a "
                "shorter protocol",
                sc.numerics.dt_initial, steps, sc.protocol.end_time() / units::day, kMaxFixedSteps,
                sc.protocol.end_time() / kMaxFixedSteps);
  throw invalid_argument(buf);
}

/// Processors this process may run on (OpenMP's count; 1 without OpenMP).
inline int processors() {
#ifdef _OPENMP
  return std::max(1, omp_get_num_procs());
#else
  return 1;
#endif
}

/// Throws invalid_argument unless 0 (leave as is) <= threads <= kThreadsPerProcessor × processors.
inline void check_threads(long long threads) {
  const long long hi = (long long)kThreadsPerProcessor * processors();
  if (threads < 0 || threads > hi)
    throw invalid_argument("threads: " + std::to_string(threads) + " is out of range [1, " + std::to_string(hi) +
                           "] (at most " + std::to_string(kThreadsPerProcessor) + " per processor; this machine has " +
                           std::to_string(processors()) + ")");
}

/// Keeps a run's OpenMP team off cores that other processes are using. Every `period` of
/// wall-clock time (an at-step-end observer in simulate) it compares the machine's busy CPU
/// time (/proc/stat) with this process's own (getrusage, which includes its spinning OpenMP
/// workers) over the interval: the difference is the number of cores other processes kept
/// busy. The team is then cut to the cores left (at least 1, at most the requested count) and
/// grown back when they free up. Why: a worker thread that shares a core with another busy
/// process is descheduled for whole time slices while the other threads wait for it at the
/// end of every parallel region, so a 2D run took 2.6-3.0 s on 2 threads vs 1.2 s on 1 with
/// one core busy (docs/performance.md §9). Results do not depend on the thread count
/// (tested bitwise), so changing it between steps changes no result.
class ThreadGovernor {
 public:
  /// Starts from the processes running right now (/proc/loadavg's runnable count minus this
  /// process's running threads), so the first parallel regions already avoid busy cores.
  /// Disabled (`enabled` false, or a team of one): reads nothing and never changes the team.
  explicit ThreadGovernor(int max_threads, bool enabled = true)
      : max_(std::max(1, max_threads)), cores_(processors()), enabled_(enabled && max_ > 1) {
    if (!enabled_) return;
    sample();
    const int others = running_elsewhere();
    if (others >= 0) {
      current_ = std::clamp(cores_ - others, 1, max_);
      if (current_ != max_) set_threads(current_);
    }
  }
  bool enabled() const { return enabled_; }
  int threads() const { return current_; }
  /// Re-measures and sets the team size; returns it.
  int update() {
    if (!enabled_) return current_;
    const double busy0 = busy_, self0 = self_;
    const auto wall0 = wall_;
    if (!sample()) return current_;
    const double wall = std::chrono::duration<double>(wall_ - wall0).count();
    if (wall < 1e-3) return current_;
    const double others = std::max(0.0, ((busy_ - busy0) - (self_ - self0)) / wall);
    const int free_cores = int(std::floor(double(cores_) - others + 0.3));
    const int n = std::clamp(free_cores, 1, max_);
    if (n != current_) {
      current_ = n;
      set_threads(n);
    }
    return current_;
  }

 private:
  // runnable tasks of other processes now, or -1 if unknown
  static int running_elsewhere() {
    std::ifstream la("/proc/loadavg");
    std::string a, b, c, run;
    if (!(la >> a >> b >> c >> run)) return -1;
    const int all = std::atoi(run.c_str());  // "running/total"
    int own = 0;
    std::ifstream self("/proc/self/stat");
    std::string line;
    std::getline(self, line);
    // this process's state (after "pid (comm) ") is 'R' while it reads: count it once (its
    // idle OpenMP workers sleep)
    const auto close = line.rfind(')');
    if (close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'R') own = 1;
    return std::max(0, all - own);
  }
  // busy CPU seconds of the machine, CPU seconds of this process, now
  bool sample() {
    std::ifstream st("/proc/stat");
    std::string cpu;
    double v[8] = {0, 0, 0, 0, 0, 0, 0, 0};
    if (!(st >> cpu) || cpu != "cpu") return false;
    for (double& x : v)
      if (!(st >> x)) return false;
    static const double tick = double(sysconf(_SC_CLK_TCK));
    // user nice system idle iowait irq softirq steal
    busy_ = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) / tick;
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    self_ = double(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) + 1e-6 * double(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
    wall_ = std::chrono::steady_clock::now();
    return true;
  }
  int max_, cores_;
  bool enabled_;
  int current_ = max_;
  double busy_ = 0, self_ = 0;
  std::chrono::steady_clock::time_point wall_{};
};

}  // namespace dermasim
