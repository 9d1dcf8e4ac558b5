#include "fockmix/exact/coherent.hpp"

#include <algorithm>
#include <cmath>
#include <string>

#include "fockmix/core/error.hpp"
#include "fockmix/exact/initial_state.hpp"
#include "fockmix/exact/observables.hpp"
#include "fockmix/fock/binomial.hpp"
#include "fockmix/linalg/vector_ops.hpp"

namespace fockmix {

namespace {

/// log of the Poisson weight e^{-mu} mu^n / n! (mu = 0: only n = 0 has weight).
double log_poisson(double mu, Index n) {
  if (mu == 0.0) return n == 0 ? 0.0 : -INFINITY;
  const double dn = static_cast<double>(n);
  return -mu + dn * std::log(mu) - std::lgamma(dn + 1.0);
}

}  // namespace

PoissonWindow poisson_window(double mean, double tolerance) {
  if (!(mean >= 0.0) || !std::isfinite(mean)) throw InputError("", "mean", "must be finite and >= 0");
  if (!(tolerance > 0.0 && tolerance < 1.0)) throw InputError("", "tolerance", "must lie in (0, 1)");
  PoissonWindow w;
  const Index mode = static_cast<Index>(std::floor(mean));
  w.n_lo = w.n_hi = mode;
  w.included = std::exp(log_poisson(mean, mode));
  // The weights decrease monotonically away from the mode: add the larger neighbour until done.
  while (1.0 - w.included > tolerance) {
    const double lo = w.n_lo > 0 ? std::exp(log_poisson(mean, w.n_lo - 1)) : -1.0;
    const double hi = std::exp(log_poisson(mean, w.n_hi + 1));
    if (lo <= 0.0 && hi <= 0.0) break;  // round-off floor reached
    if (lo >= hi) {
      --w.n_lo;
      w.included += lo;
    } else {
      ++w.n_hi;
      w.included += hi;
    }
  }
  w.included = std::min(w.included, 1.0);
  return w;
}

Index coherent_dimension(Index sites, Index fermions, double N, double tolerance, Index cap) {
  if (sites < 1 || sites > 64) throw InputError("", "sites", "must lie in [1, 64]");
  if (fermions < 0 || fermions > sites) throw InputError("", "fermions", "must lie in [0, sites]");
  const PoissonWindow w = poisson_window(N, tolerance);
  const Index DF = binomial(sites, fermions);
  Index d = 0;
  for (Index n = w.n_lo; n <= w.n_hi; ++n) d = checked_add(d, checked_mul(DF, BosonBasis::count_states(sites, n, cap)));
  return d;
}

CoherentState::CoherentState(Index sites, const arma::cx_mat& orbitals, const arma::cx_vec& phi0, double N, const arma::mat& tF,
                             const arma::mat& tB, const arma::mat& V, double lambda, double hbar, CoherentOptions opt)
    : L_(sites), opt_(opt) {
  if (!(hbar > 0.0)) throw InputError("", "hbar", "must be positive");
  opt_.krylov.hbar = hbar;
  build(orbitals, phi0, N, tF, tB, V, lambda);
}

CoherentState::CoherentState(const ModelOperators& ops, const arma::cx_mat& orbitals, const arma::cx_vec& phi0, CoherentOptions opt)
    : CoherentState(ops.lattice.sites(), orbitals, phi0, static_cast<double>(ops.N), ops.one_body_F(), ops.one_body_B(), ops.V,
                    ops.lambda, ops.hbar, opt) {}

void CoherentState::build(const arma::cx_mat& orbitals, const arma::cx_vec& phi0, double N, const arma::mat& tF,
                          const arma::mat& tB, const arma::mat& V, double lambda) {
  const auto L = static_cast<arma::uword>(L_);
  if (L_ < 1) throw InputError("", "sites", "must be at least 1");
  if (orbitals.n_rows != L || orbitals.n_cols > L) throw InputError("", "orbitals", "must be L x M with M <= L");
  if (phi0.n_elem != L) throw InputError("", "phi0", "must have L entries");
  if (std::abs(arma::norm(phi0) - 1.0) > 1e-10) throw InputError("", "phi0", "must be normalised");
  if (!(N >= 0.0)) throw InputError("", "N", "must be >= 0");
  if (tF.n_rows != L || tF.n_cols != L) throw InputError("", "tF", "must be L x L");
  if (tB.n_rows != L || tB.n_cols != L) throw InputError("", "tB", "must be L x L");
  if (V.n_rows != L || V.n_cols != L) throw InputError("", "V", "must be L x L");
  window_ = poisson_window(N, opt_.tolerance);
  const Index M = static_cast<Index>(orbitals.n_cols);
  arma::cx_vec slater;
  for (Index n = window_.n_lo; n <= window_.n_hi; ++n) {
    auto sec = std::make_unique<Sector>(L_, M, n, opt_.cap);
    if (n == window_.n_lo) slater = slater_determinant(sec->fermions(), orbitals);
    const arma::cx_vec bos = product_bosons(sec->bosons(), phi0);
    const double a = std::exp(0.5 * log_poisson(N, n));  // e^{-N/2} N^{n/2} / sqrt(n!)
    arma::cx_vec psi(static_cast<arma::uword>(sec->size()));
    const Index DF = sec->dim_fermions();
    for (Index j = 0; j < sec->dim_bosons(); ++j)
      for (Index i = 0; i < DF; ++i) psi(static_cast<arma::uword>(i + j * DF)) = a * slater(i) * bos(j);
    hams_.push_back(std::make_unique<SectorHamiltonian>(*sec, tF, tB, V, lambda));
    sectors_.push_back(std::move(sec));
    states_.push_back(std::move(psi));
  }
}

Index CoherentState::dimension() const {
  Index d = 0;
  for (const auto& s : sectors_) d += s->size();
  return d;
}

CoherentEvolveInfo CoherentState::evolve_to(double t, const std::atomic<bool>* stop) {
  CoherentEvolveInfo info;
  if (!std::isfinite(t)) throw InputError("", "t", "must be finite");
  const double span = t - t_;
  if (span != 0.0) {
    std::vector<arma::cx_vec> start;
    if (stop != nullptr) start = states_;
    auto stopped = [&] {  // every sector back to its state at the call
      states_ = std::move(start);
      CoherentEvolveInfo back;
      back.status = KrylovStatus::Stopped;
      return back;
    };
    for (std::size_t k = 0; k < sectors_.size(); ++k) {
      if (stop != nullptr && stop->load(std::memory_order_relaxed)) return stopped();
      KrylovPropagator<SectorHamiltonian> prop(*hams_[k], opt_.krylov);
      const KrylovResult r = prop.propagate(states_[k].memptr(), span, stop);
      if (r.status == KrylovStatus::Stopped) return stopped();
      if (r.status != KrylovStatus::Converged) info.status = r.status;
      info.matvecs += r.matvecs;
      info.error_estimate = std::max(info.error_estimate, r.error_estimate);
    }
  }
  t_ = t;
  return info;
}

double CoherentState::norm2() const {
  double s = 0.0;
  for (const auto& p : states_) s += vec::norm2(static_cast<Index>(p.n_elem), p.memptr());
  return s;
}

double CoherentState::energy() const {
  double e = 0.0;
  for (std::size_t k = 0; k < sectors_.size(); ++k) {
    arma::cx_vec Hp(states_[k].n_elem);
    hams_[k]->apply(states_[k].memptr(), Hp.memptr());
    e += arma::cdot(states_[k], Hp).real();
  }
  return e;
}

arma::cx_mat CoherentState::gamma_F() const {
  arma::cx_mat g(L_, L_, arma::fill::zeros);
  for (std::size_t k = 0; k < sectors_.size(); ++k) g += rdm_fermions(*sectors_[k], states_[k].memptr());
  return g;
}

arma::cx_mat CoherentState::gamma_B() const {
  arma::cx_mat g(L_, L_, arma::fill::zeros);
  for (std::size_t k = 0; k < sectors_.size(); ++k) g += rdm_bosons(*sectors_[k], states_[k].memptr());
  return g;
}

double CoherentState::mean_bosons() const { return arma::trace(gamma_B()).real(); }

arma::cx_vec CoherentState::field() const {
  arma::cx_vec b(L_, arma::fill::zeros);
  // <psi_{n-1}, b_y psi_n> = sum_{i,k} conj(psi_{n-1}[i,k]) sqrt(n_y(k) + 1) psi_n[i, rank_n(k + e_y)]
  for (std::size_t s = 1; s < sectors_.size(); ++s) {
    const Sector& lo = *sectors_[s - 1];
    const Sector& hi = *sectors_[s];
    const cplx* plo = states_[s - 1].memptr();
    const cplx* phi = states_[s].memptr();
    const Index DF = lo.dim_fermions();
    const BosonBasis& Blo = lo.bosons();
    const BosonBasis& Bhi = hi.bosons();
    std::vector<std::uint8_t> occ(static_cast<std::size_t>(L_));
    for (Index k = 0; k < Blo.size(); ++k) {
      std::copy(Blo.occupations(k), Blo.occupations(k) + L_, occ.begin());
      for (Index y = 0; y < L_; ++y) {
        ++occ[static_cast<std::size_t>(y)];
        const Index j = Bhi.rank(occ.data());
        const double c = std::sqrt(static_cast<double>(occ[static_cast<std::size_t>(y)]));
        --occ[static_cast<std::size_t>(y)];
        if (j < 0) continue;  // beyond a per-site cap
        b(static_cast<arma::uword>(y)) += c * vec::dot(DF, plo + k * DF, phi + j * DF);
      }
    }
  }
  return b;
}

}  // namespace fockmix
