#include "fockmix/analysis/phase_space.hpp"

#include <cmath>
#include <string>

#include "fockmix/analysis/norms.hpp"
#include "fockmix/core/error.hpp"

namespace fockmix {

namespace {

void check_gamma(const arma::cx_mat& gamma, const Lattice& lat, Index M) {
  const auto L = static_cast<arma::uword>(lat.sites());
  if (gamma.n_rows != L || gamma.n_cols != L) throw InputError("", "gamma_F", "must be L x L with L = " + std::to_string(L));
  if (M < 1) throw InputError("", "M", "must be at least 1");
}

}  // namespace

double fermion_trace_error(const arma::cx_mat& gamma_F, const arma::mat& f, Index M, const Lattice& lat, double hbar,
                           const MomentumGrid& grid) {
  check_gamma(gamma_F, lat, M);
  const double m = static_cast<double>(M);
  return trace_norm(gamma_F - m * weyl_quantisation(f, lat, hbar, grid)) / m;
}

double density_error(const arma::cx_mat& gamma_F, const arma::mat& f, Index M, const Lattice& lat, const MomentumGrid& grid) {
  check_gamma(gamma_F, lat, M);
  const arma::vec rho = arma::real(gamma_F.diag()) / static_cast<double>(M);
  return arma::accu(arma::abs(rho - position_marginal(f, lat, grid)));
}

double fourier_distance(const arma::cx_mat& omega, Index M, const arma::mat& f, const Lattice& lat, double hbar,
                        const MomentumGrid& grid) {
  check_gamma(omega, lat, M);
  const arma::cx_mat diff = fourier_from_omega(omega, M, lat, hbar) - fourier_from_phase_space(f, lat, hbar, grid);
  return fourier_norm(diff, lat, hbar, 1.0);
}

}  // namespace fockmix
