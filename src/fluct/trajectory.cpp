#include "fockmix/fluct/trajectory.hpp"

#include <cmath>
#include <string>

#include "fockmix/core/error.hpp"

namespace fockmix {

namespace {

/// exp(-i tau h / hbar) X for real symmetric h.
arma::cx_mat expi(const arma::mat& h, double tau_over_hbar, const arma::cx_mat& X) {
  arma::vec e;
  arma::mat Q;
  if (!arma::eig_sym(e, Q, h)) throw Error("ModeTrajectory: eigen-decomposition of h_F failed");
  arma::cx_vec ph(e.n_elem);
  for (arma::uword k = 0; k < e.n_elem; ++k) ph(k) = std::polar(1.0, -tau_over_hbar * e(k));
  const arma::cx_mat Qc = arma::conv_to<arma::cx_mat>::from(Q);
  return Qc * arma::diagmat(ph) * (Qc.t() * X);
}

HartreeOptions midpoint_options(double tolerance) {
  if (!(tolerance > 0.0)) throw InputError("", "tolerance", "must be positive");
  HartreeOptions o;
  o.scheme = HartreeScheme::Midpoint2;
  o.tolerance = tolerance;
  o.max_iterations = 200;
  return o;
}

}  // namespace

ModeTrajectory::ModeTrajectory(const ModelOperators& ops, const arma::cx_mat& orbitals, const arma::cx_vec& phi0, double max_step,
                               double tolerance)
    : hh_(ops, midpoint_options(tolerance)),
      h0F_(ops.one_body_F()),
      h0B_(ops.one_body_B()),
      V_(ops.V),
      lambda_(ops.lambda),
      N_(static_cast<double>(ops.N)),
      hbar_(ops.hbar),
      max_step_(max_step) {
  const auto L = static_cast<arma::uword>(ops.lattice.sites());
  if (!(max_step > 0.0) || !std::isfinite(max_step)) throw InputError("", "max_step", "must be positive and finite");
  if (orbitals.n_rows != L || orbitals.n_cols != static_cast<arma::uword>(ops.M))
    throw InputError("", "orbitals", "must be L x M (" + std::to_string(L) + " x " + std::to_string(ops.M) + ")");
  if (phi0.n_elem != L) throw InputError("", "phi0", "must have L entries");
  if (std::abs(arma::norm(phi0) - 1.0) > 1e-10) throw InputError("", "phi0", "must be normalised");
  const arma::uword M = orbitals.n_cols;
  if (M > 0 && arma::norm(orbitals.t() * orbitals - arma::eye<arma::cx_mat>(M, M), "fro") > 1e-10)
    throw InputError("", "orbitals", "must be orthonormal");
  s_ = HartreeState{0.0, orbitals, phi0};
  // Orthonormal completion: eigenvectors of 1 - omega with eigenvalue 1.
  E_.set_size(L, L);
  if (M > 0) E_.cols(0, M - 1) = orbitals;
  if (M < L) {
    const arma::cx_mat u = arma::eye<arma::cx_mat>(L, L) - orbitals * orbitals.t();
    arma::vec ev;
    arma::cx_mat Q;
    arma::eig_sym(ev, Q, arma::cx_mat(0.5 * (u + u.t())));
    E_.cols(M, L - 1) = Q.cols(M, L - 1);  // ascending: the M zero eigenvalues come first
  }
}

double ModeTrajectory::gauge_deviation() const {
  if (s_.orbitals.n_cols == 0) return 0.0;
  return arma::abs(E_.cols(0, s_.orbitals.n_cols - 1) - s_.orbitals).max();
}

void ModeTrajectory::midpoint(double tau) {
  const arma::vec rho0 = arma::square(arma::abs(s_.phi));
  const HartreeStepInfo sub = hh_.step(s_, tau);
  info_.steps += sub.steps;
  info_.iterations += sub.iterations;
  info_.converged = info_.converged && sub.converged;
  info_.max_residual = std::max(info_.max_residual, sub.max_residual);
  // The midpoint Hamiltonian HartreeHartree converged to: h_F[(rho_B(t) + rho_B(t + tau)) / 2].
  const arma::vec rho1 = arma::square(arma::abs(s_.phi));
  const arma::mat hF = h0F_ + arma::diagmat(lambda_ * N_ * (V_ * (0.5 * (rho0 + rho1))));
  E_ = expi(hF, tau / hbar_, E_);
}

void ModeTrajectory::advance_to(double t) {
  if (!std::isfinite(t)) throw InputError("", "t", "must be finite");
  const double span = t - s_.t;
  if (span == 0.0) return;
  const long n = std::max(1L, static_cast<long>(std::ceil(std::abs(span) / max_step_ - 1e-9)));
  const double g1 = 1.0 / (2.0 - std::cbrt(2.0)), g2 = 1.0 - 2.0 * g1;
  const double t0 = s_.t;
  for (long k = 1; k <= n; ++k) {
    const double target = k == n ? t : t0 + span * static_cast<double>(k) / static_cast<double>(n);
    const double h = target - s_.t;
    midpoint(g1 * h);
    midpoint(g2 * h);
    midpoint(g1 * h);
    s_.t = target;
  }
}

void ModeTrajectory::restore(const HartreeState& hartree, const arma::cx_mat& modes, const HartreeStepInfo& info) {
  if (hartree.orbitals.n_rows != s_.orbitals.n_rows || hartree.orbitals.n_cols != s_.orbitals.n_cols || hartree.phi.n_elem != s_.phi.n_elem)
    throw InputError("", "hartree", "orbitals and condensate must have the trajectory's shapes");
  if (modes.n_rows != E_.n_rows || modes.n_cols != E_.n_cols) throw InputError("", "modes", "must be L x L");
  if (!std::isfinite(hartree.t)) throw InputError("", "hartree.t", "must be finite");
  s_ = hartree;
  E_ = modes;
  info_ = info;
}

FluctuationFrame ModeTrajectory::frame() const {
  FluctuationFrame f;
  f.t = s_.t;
  f.modes = E_;
  f.phi = s_.phi;
  const arma::uword M = s_.orbitals.n_cols;
  f.omega_diag = arma::zeros<arma::vec>(E_.n_rows);
  if (M > 0) f.omega_diag = arma::sum(arma::square(arma::abs(E_.cols(0, M - 1))), 1);
  f.h_B = h0B_ + arma::diagmat(lambda_ * (V_ * f.omega_diag));
  f.S = -lambda_ * N_ * arma::dot(f.omega_diag, V_ * arma::square(arma::abs(f.phi)));
  return f;
}

}  // namespace fockmix
