// Time steps never allocate (issue 6): after a warm-up that fills the factorisation caches,
// diffusion steps (both schemes, alternating τ and τ/2 as step doubling does), reaction and
// chemotaxis steps make no call to operator new. Counted with a replaced global operator new.
#include <doctest/doctest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "common.hpp"
#include "dermasim/numerics/chemotaxis.hpp"
#include "dermasim/numerics/diffusion.hpp"
#include "dermasim/numerics/patankar_rd.hpp"
#include "dermasim/numerics/reaction.hpp"

namespace {
std::atomic<long> g_news{0};
}

void* operator new(std::size_t n) {
  g_news.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"  // malloc'd by the operator new above
#endif
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }

using namespace dermasim;

TEST_CASE("no allocation inside time steps (diffusion, reaction, chemotaxis)") {
  {  // the counter sees allocations (so a zero below means something)
    const long n0 = g_news.load();
    std::vector<double> probe(3, 1.0);
    CHECK(g_news.load() > n0);
  }
  for (auto lat : {Lateral::periodic, Lateral::zero_flux})
    for (auto sch : {TimeScheme::implicit_euler_lod, TimeScheme::crank_nicolson_strang}) {
      Grid g(20, 12, 1e-3, 0.6e-3, graded_z_faces({0.1e-3, 0.5e-3}, 20e-6, 80e-6), lat);
      FieldSet f(g, {"a", "b"}, 1.0);
      auto a = dstest::uniform_spec(g, 1e-10, 1e-4);
      a.top_h.assign(g.plane(), 1e-6);
      a.top_ext.assign(g.plane(), 0.5);
      DiffusionSolver s(g, {a, dstest::uniform_spec(g, 3e-11)}, sch);
      const double dt = 120.0;
      s.step(f, dt);
      s.step(f, 0.5 * dt);  // both cache slots filled
      const long before = g_news.load();
      for (int n = 0; n < 4; ++n) {
        s.step(f, dt);
        s.step(f, 0.5 * dt);
        s.step(f, 0.5 * dt);
      }
      CHECK(g_news.load() - before == 0);
    }
  Grid g = Grid::uniform(16, 16, 16, 1e-3, 1e-3, 1e-3);
  FieldSet f(g, {"n", "c"}, 1.0);
  for (std::size_t c = 0; c < g.size(); ++c) f[1][c] = 1.0 + 0.1 * double(c % 7);
  LinearDecay kin{{1e-4, 2e-4}};
  patankar_step(f, kin, 60.0);
  ChemotaxisSpec cs;
  cs.cells = 0;
  cs.attractant = 1;
  cs.chi0.assign(g.nz(), 1e-10);
  ChemotaxisOperator op(g, {cs});
  op.step(f, 10.0);
  const long before = g_news.load();
  for (int n = 0; n < 3; ++n) {
    patankar_step(f, kin, 60.0);
    op.step(f, 10.0);
  }
  CHECK(g_news.load() - before == 0);
  // unsplit reaction + z diffusion (scratch sized at construction)
  ReactionDiffusionZ rd(g, {dstest::uniform_spec(g, 1e-10), DiffusionSpec{}});
  rd.step(f, kin, 60.0);
  const long before_rd = g_news.load();
  for (int n = 0; n < 3; ++n) rd.step(f, kin, 60.0);
  CHECK(g_news.load() - before_rd == 0);
}
