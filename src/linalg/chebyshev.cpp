#include "fockmix/linalg/chebyshev.hpp"

#include <algorithm>
#include <cmath>

namespace fockmix::chebyshev {

std::vector<double> bessel_j(Index n, double R) {
  if (n < 0) throw InputError("", "n", "must be non-negative");
  if (!(R >= 0.0)) throw InputError("", "R", "must be non-negative");
  std::vector<double> J(static_cast<std::size_t>(n + 1), 0.0);
  if (R < 1e-300) {
    J[0] = 1.0;
    return J;
  }
  // Start well beyond both n and the turning point k ~ R, where J_k(R) is negligible.
  const Index start = std::max<Index>(n, static_cast<Index>(std::ceil(R))) + 40 + static_cast<Index>(std::ceil(4.0 * std::cbrt(R)));
  std::vector<double> f(static_cast<std::size_t>(start + 2), 0.0);
  f[start] = 1e-280;
  for (Index k = start; k >= 1; --k) {
    f[k - 1] = 2.0 * static_cast<double>(k) / R * f[k] - f[k + 1];
    if (std::abs(f[k - 1]) > 1e250)  // rescale what has been computed (the small tail underflows harmlessly)
      for (Index q = k - 1; q <= start; ++q) f[q] *= 1e-250;
  }
  double norm = f[0];
  for (Index k = 2; k <= start; k += 2) norm += 2.0 * f[k];
  for (Index k = 0; k <= n; ++k) J[k] = f[k] / norm;
  return J;
}

Index terms_for(double R, double bound, double& tail) {
  if (!(bound > 0.0)) throw InputError("", "bound", "must be positive");
  const Index top = static_cast<Index>(std::ceil(R + 10.0 * std::cbrt(R))) + 60;
  const std::vector<double> J = bessel_j(top, R);
  // suffix[k] = 2 sum_{q >= k} |J_q| (beyond `top` the terms are below 1e-40 relative)
  double s = 0.0;
  Index K = top;
  for (Index k = top; k >= 1; --k) {
    if (s + 2.0 * std::abs(J[k]) > bound) {
      K = k;  // terms 0..k are needed: the tail beyond k is s <= bound
      break;
    }
    s += 2.0 * std::abs(J[k]);
    K = k - 1;
  }
  tail = s;
  return K;
}

SpectralBounds widen_ritz(const std::vector<double>& alpha, const std::vector<double>& beta, double margin) {
  const auto k = static_cast<arma::uword>(alpha.size());
  if (k == 0 || beta.size() != alpha.size()) throw InputError("", "alpha", "need k >= 1 Lanczos coefficients and k betas");
  arma::mat T(k, k, arma::fill::zeros);
  for (arma::uword i = 0; i < k; ++i) {
    T(i, i) = alpha[i];
    if (i + 1 < k) T(i, i + 1) = T(i + 1, i) = beta[i];
  }
  arma::vec theta;
  arma::mat S;
  if (!arma::eig_sym(theta, S, T)) throw Error("chebyshev: eig_sym of the Lanczos matrix failed");
  const double b = beta.back();
  const double r_lo = b * std::abs(S(k - 1, 0)), r_hi = b * std::abs(S(k - 1, k - 1));
  const double width = theta(k - 1) - theta(0);
  return {theta(0) - r_lo - margin * width, theta(k - 1) + r_hi + margin * width};
}

}  // namespace fockmix::chebyshev
