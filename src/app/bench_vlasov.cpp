// `fockmix bench --vlasov`: throughput of the Vlasov–Hartree transport step (docs/performance.md).
#include <fmt/format.h>
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "fockmix/app/bench.hpp"
#include "fockmix/meanfield/hartree.hpp"
#include "fockmix/meanfield/vlasov_hartree.hpp"
#include "fockmix/model/model.hpp"
#include "fockmix/model/model_operators.hpp"

namespace fockmix {

namespace {

VlasovBenchResult run_one(const VlasovBenchOptions& opt, double lambda, std::ostream& out) {
  Model m;
  m.sites.assign(static_cast<std::size_t>(opt.dim), opt.sites_per_axis);
  m.kinetic = KineticKind::Hopping;
  m.lambda = lambda;
  m.fermions.number = 4;
  m.bosons.number = 4;
  m.bosons.potential = {PotentialKind::Cosine, 0.5, 1.0, {}, {}};
  m.fermions.potential = {PotentialKind::Cosine, 0.3, 1.0, {}, {}};
  const ModelOperators ops = build_operators(m);
  VlasovOptions vo;
  vo.dt = 0.01;
  const VlasovHartree vh(ops, vo);
  // a smooth f: a Maxwellian in p times a modulated density (no Wigner transform needed)
  const Index L = ops.lattice.sites(), P = vh.momentum_grid().size();
  arma::mat f(static_cast<arma::uword>(L), static_cast<arma::uword>(P));
  for (Index x = 0; x < L; ++x)
    for (Index j = 0; j < P; ++j) {
      const auto p = vh.momentum_grid().momentum(j);
      f(x, j) = (1.0 + 0.1 * std::cos(2.0 * 3.141592653589793 * static_cast<double>(x % opt.sites_per_axis) / static_cast<double>(opt.sites_per_axis))) *
                std::exp(-(p[0] * p[0] + p[1] * p[1] + p[2] * p[2]));
    }
  arma::cx_vec phi(static_cast<arma::uword>(L), arma::fill::ones);
  VlasovState s = vh.state_from_array(f / (arma::accu(f) * std::pow(m.spacing, opt.dim) * vh.momentum_grid().cell()), phi / std::sqrt(static_cast<double>(L)));
  VlasovBenchResult r;
  r.sites = L;
  r.momenta = P;
  r.cells = L * P;
  vh.step(s);  // warm-up: plans, first touch
  double best = 1e300;
  for (int k = 0; k < opt.repeats; ++k) {
    const double t0 = omp_get_wtime();
    vh.step(s);
    best = std::min(best, omp_get_wtime() - t0);
  }
  r.step_seconds = best;
  r.cells_per_second = static_cast<double>(r.cells) / best;
  r.mass_drift = std::abs(vh.diagnostics(s).mass - 1.0);
  r.bytes = static_cast<double>(VlasovHartree::memory_bytes(ops.lattice, m.kinetic, vo));
  r.lambda = lambda;
  out << fmt::format("vlasov: lambda = {}: {}D, {} sites x {} momenta = {} cells, Strang step best of {}: {:.3f} s = {:.2e} cells/s "
                     "({} threads); mass drift {:.1e}; memory estimate {:.1f} MiB\n",
                     lambda, opt.dim, L, P, r.cells, opt.repeats, best, r.cells_per_second, omp_get_max_threads(), r.mass_drift,
                     r.bytes / 1048576.0);
  return r;
}

/// One Hartree–Hartree step (Midpoint2, dt = 0.01, lambda = 0.5) on a 2D n x n lattice of box 8 with M random
/// orthonormal orbitals: the cost of the one-body exponentials of the mean-field solvers at a size the old
/// eigen-decomposition could not reach (docs/performance.md). Prints one line.
void time_hartree_step(Index n, Index M, KineticKind kind, std::ostream& out) {
  Model m;
  m.sites = {n, n};
  m.spacing = 8.0 / static_cast<double>(n);
  m.kinetic = kind;
  m.lambda = 0.5;
  m.fermions.number = M;
  m.bosons.number = 10;
  m.bosons.potential = {PotentialKind::Cosine, 0.5, 1.0, {}, {}};
  m.fermions.potential = {PotentialKind::Cosine, 0.3, 1.0, {}, {}};
  const ModelOperators ops = build_operators(m);
  HartreeOptions o;
  o.dt = 0.01;
  const HartreeHartree hh(ops, o);
  const Index L = n * n;
  arma::arma_rng::set_seed(7);
  arma::cx_mat Q, R;
  arma::qr_econ(Q, R, arma::cx_mat(static_cast<arma::uword>(L), static_cast<arma::uword>(M), arma::fill::randn));
  HartreeState s{0.0, Q, arma::normalise(arma::cx_vec(static_cast<arma::uword>(L), arma::fill::randn))};
  const double e0 = hh.energy(s);
  hh.step(s);  // warm-up
  double sec = 1e300;
  HartreeStepInfo info;
  for (int k = 0; k < 3; ++k) {
    const double t0 = omp_get_wtime();
    info = hh.step(s);
    sec = std::min(sec, omp_get_wtime() - t0);
  }
  out << fmt::format("hartree: 2D {} x {} sites ({}), M = {}: Midpoint2 step best of 3 {:.3f} s, {} fixed-point iterations, {:.3f} s "
                     "per iteration; relative energy change over 4 steps {:.1e}\n",
                     n, n, to_string(kind), M, sec, info.iterations, sec / std::max(1, info.iterations),
                     std::abs(hh.energy(s) - e0) / std::abs(e0));
}

}  // namespace

std::vector<VlasovBenchResult> run_vlasov_bench(const VlasovBenchOptions& opt, std::ostream& out) {
  // lambda = 0: the transport alone (and the boson exponential of the fixed K_B + U_B); lambda = 0.5: coupled,
  // with the boson half steps (the Chebyshev exponential of h_B[rho_F])
  std::vector<VlasovBenchResult> res{run_one(opt, 0.0, out), run_one(opt, 0.5, out)};
  // The Hartree–Hartree step (the mean-field solvers share the one-body exponential) on 2D lattices of
  // n = sites_per_axis and 3n/2 sites per axis with M = 2n and ~2.1 (3n/2) orbitals: 32 x 32, M = 64 and
  // 48 x 48, M = 100 for the default options.
  if (opt.dim == 2) {
    const Index n1 = opt.sites_per_axis, n2 = (3 * opt.sites_per_axis) / 2;
    for (const KineticKind kind : {KineticKind::Hopping, KineticKind::Spectral}) {
      time_hartree_step(n1, std::min(n1 * n1, 2 * n1), kind, out);
      time_hartree_step(n2, std::min(n2 * n2, (25 * n2 + 6) / 12), kind, out);
    }
  }
  return res;
}

}  // namespace fockmix
