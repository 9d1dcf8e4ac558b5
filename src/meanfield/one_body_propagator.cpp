#include "fockmix/meanfield/one_body_propagator.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <string>

#include "fockmix/core/error.hpp"

namespace fockmix {

namespace {

/// Truncation bound of one expansion, relative to the block's norm: below round-off.
constexpr double truncation_bound = 1e-16;

/// A fixed pseudo-random probe in [-1, 1) (splitmix64; independent of Armadillo's global generator).
arma::mat probe(Index L, Index n, std::uint64_t seed) {
  arma::mat r(static_cast<arma::uword>(L), static_cast<arma::uword>(n));
  std::uint64_t z = seed;
  for (arma::uword i = 0; i < r.n_elem; ++i) {
    z += 0x9e3779b97f4a7c15ULL;
    std::uint64_t v = z;
    v = (v ^ (v >> 30)) * 0xbf58476d1ce4e5b9ULL;
    v = (v ^ (v >> 27)) * 0x94d049bb133111ebULL;
    v ^= v >> 31;
    r(i) = 2.0 * static_cast<double>(v >> 11) * 0x1.0p-53 - 1.0;
  }
  return r;
}

/// Inner stride of axis a in the row-major site numbering (product of the later extents).
Index stride_of(const std::vector<Index>& extent, int a) {
  Index s = 1;
  for (std::size_t b = static_cast<std::size_t>(a) + 1; b < extent.size(); ++b) s *= extent[b];
  return s;
}

/// 2D DFT of an r x c array (the plain DFT when one extent is 1: arma::fft2 mishandles an r x 1 array).
arma::cx_mat dft2(const arma::mat& A) {
  if (A.n_rows == 1 || A.n_cols == 1) return arma::reshape(arma::cx_mat(arma::fft(arma::vectorise(A))), A.n_rows, A.n_cols);
  return arma::fft2(A);
}

/// Inverse of dft2, real part.
arma::mat idft2_real(const arma::cx_mat& A) {
  if (A.n_rows == 1 || A.n_cols == 1) return arma::reshape(arma::mat(arma::real(arma::ifft(arma::vectorise(A)))), A.n_rows, A.n_cols);
  return arma::real(arma::ifft2(A));
}

}  // namespace

OneBodyPropagator::OneBodyPropagator(const Lattice& lat, KineticKind kind, double hbar, double mass, const arma::mat& K,
                                     double max_phase)
    : lat_(lat), hbar_(hbar), max_phase_(max_phase) {
  const Index L = lat_.sites();
  if (!(hbar_ > 0.0)) throw InputError("", "hbar", "must be positive");
  if (!(mass > 0.0)) throw InputError("", "mass", "must be positive");
  if (!(max_phase_ >= 1.0)) throw InputError("", "max_phase", "must be at least 1");
  if (K.n_rows != static_cast<arma::uword>(L) || K.n_cols != static_cast<arma::uword>(L))
    throw InputError("", "K", "must be L x L with L = " + std::to_string(L));
  if (!K.is_finite()) throw InputError("", "K", "must be finite");

  // The model's kinetic operator, axis by axis (grid/one_body.cpp builds K as this Kronecker sum).
  const double h = lat_.spacing();
  double lo = 0.0, hi = 0.0;
  axis_.clear();
  for (int a = 0; a < lat_.dim(); ++a) {
    const Lattice line({lat_.extent()[a]}, h);
    axis_.push_back(kinetic(line, kind, hbar_, mass));
    const arma::vec e = arma::eig_sym(axis_.back());
    lo += e.min();
    hi += e.max();
  }
  app_ = kind == KineticKind::Hopping ? KineticApplication::Stencil : KineticApplication::AxisDense;
  hop_ = hbar_ * hbar_ / (2.0 * mass * h * h);
  kbounds_ = {lo, hi};

  // Is K that operator? Two random probes decide (a different K differs on them with probability 1).
  const arma::mat r = probe(L, 2, 0x0b0d1e5eedULL);
  arma::mat Kr;
  apply_kinetic(r, Kr);
  const arma::mat ref = K * r;
  const double scale = std::max(1e-300, arma::abs(ref).max());
  if (!(arma::abs(Kr - ref).max() <= 1e-12 * scale)) {
    app_ = KineticApplication::Dense;
    dense_ = 0.5 * (K + K.t());
    axis_.clear();
    // Gershgorin discs of the symmetric matrix.
    const arma::vec centre = dense_.diag();
    const arma::vec radius = arma::sum(arma::abs(dense_), 1) - arma::abs(centre);
    kbounds_ = {arma::min(centre - radius), arma::max(centre + radius)};
  }
}

void OneBodyPropagator::apply_kinetic(const arma::mat& X, arma::mat& out) const {
  const Index L = lat_.sites();
  if (X.n_rows != static_cast<arma::uword>(L)) throw InputError("", "X", "must have L = " + std::to_string(L) + " rows");
  if (app_ == KineticApplication::Dense) {
    out = dense_ * X;
    return;
  }
  out.zeros(X.n_rows, X.n_cols);
  const Index n = static_cast<Index>(X.n_cols);
  const std::vector<Index>& ext = lat_.extent();
  for (int a = 0; a < lat_.dim(); ++a) {
    const Index La = ext[a];
    if (La == 1) continue;  // a single site along this axis carries no kinetic energy
    const Index s = stride_of(ext, a);
    const Index outer = L / (La * s);
    if (app_ == KineticApplication::Stencil) {
      // Serial: a few flops per entry, and the terms are many and short, so a fork/join per term would cost more
      // than it saves on a shared machine (measured: 32 x 32, M = 64 ran 4x slower with two threads).
      const double c = hop_;
      for (Index col = 0; col < n; ++col) {
        const double* xc = X.colptr(static_cast<arma::uword>(col));
        double* oc = out.colptr(static_cast<arma::uword>(col));
        for (Index o = 0; o < outer; ++o) {
          const Index base = o * La * s;
          for (Index i = 0; i < La; ++i) {
            const double* x0 = xc + base + i * s;
            const double* xp = xc + base + (i + 1 == La ? 0 : i + 1) * s;
            const double* xm = xc + base + (i == 0 ? La - 1 : i - 1) * s;
            double* oi = oc + base + i * s;
            for (Index q = 0; q < s; ++q) oi[q] += c * (2.0 * x0[q] - xp[q] - xm[q]);
          }
        }
      }
    } else if (s == 1) {
      // The fastest axis: all lines of all columns at once, K_a (L_a x L_a) times an L_a x (L n / L_a) view.
      const arma::mat Xv(const_cast<double*>(X.memptr()), La, X.n_elem / La, false, true);
      arma::mat Ov(out.memptr(), La, out.n_elem / La, false, true);
      Ov += axis_[a] * Xv;
    } else {
      // Slabs of s x L_a (s fast): slab * K_a (K_a symmetric). Serial: the GEMMs are BLAS's, which must not
      // run inside a parallel region of ours (docs/architecture.md, "Threads and linear algebra").
      const Index slabs = n * outer;
      for (Index k = 0; k < slabs; ++k) {
        const Index off = k * La * s;  // columns are contiguous, so slab k of the whole block starts here
        const arma::mat Xs(const_cast<double*>(X.memptr()) + off, s, La, false, true);
        arma::mat Os(out.memptr() + off, s, La, false, true);
        Os += Xs * axis_[a];
      }
    }
  }
}

OneBodyStepInfo OneBodyPropagator::propagate(arma::cx_mat& X, const arma::vec& u, double tau) const {
  OneBodyStepInfo info;
  const Index L = lat_.sites();
  if (u.n_elem != static_cast<arma::uword>(L)) throw InputError("", "u", "must have L = " + std::to_string(L) + " entries");
  if (X.n_rows != static_cast<arma::uword>(L)) throw InputError("", "X", "must have L = " + std::to_string(L) + " rows");
  if (!std::isfinite(tau)) throw InputError("", "tau", "must be finite");
  if (!u.is_finite()) throw Error("OneBodyPropagator: non-finite potential");
  if (X.n_cols == 0 || tau == 0.0) return info;

  // Spectral interval of h = K + diag(u), padded by a few ulps of its scale.
  double lo = kbounds_.lower + u.min(), hi = kbounds_.upper + u.max();
  const double pad = 1e-12 * std::max({hi - lo, std::abs(lo), std::abs(hi), 1e-300});
  lo -= pad;
  hi += pad;
  const double a = 0.5 * (hi + lo), w = 0.5 * (hi - lo);
  const arma::vec shifted = u - a;  // h - a = K + diag(u - a)

  const arma::uword k = X.n_cols;
  arma::mat Y = arma::join_rows(arma::real(X), arma::imag(X));  // [A B], L x 2k
  arma::mat prev, cur, next, E, O;
  const double sigma = tau < 0.0 ? -1.0 : 1.0;
  const double total = std::abs(tau);
  const Index nsub = std::max<Index>(1, static_cast<Index>(std::ceil(total * w / hbar_ / max_phase_ - 1e-12)));
  const double dtau = total / static_cast<double>(nsub);
  const double R = dtau * w / hbar_;
  double tail = 0.0;
  const Index K = chebyshev::terms_for(R, truncation_bound, tail);
  const std::vector<double> J = chebyshev::bessel_j(K, R);

  // next = f (h - a) cur - g prev, with (h - a) cur = K cur + (u - a) cur.
  auto recur = [&](const arma::mat& c, const arma::mat* p, double f, arma::mat& out) {
    apply_kinetic(c, out);
    const Index cols = static_cast<Index>(c.n_cols);
    for (Index j = 0; j < cols; ++j) {
      double* o = out.colptr(static_cast<arma::uword>(j));
      const double* cc = c.colptr(static_cast<arma::uword>(j));
      const double* pp = p ? p->colptr(static_cast<arma::uword>(j)) : nullptr;
      for (Index i = 0; i < L; ++i) {
        const double v = f * (o[i] + shifted(static_cast<arma::uword>(i)) * cc[i]);
        o[i] = pp ? v - pp[i] : v;
      }
    }
  };

  for (Index step = 0; step < nsub; ++step) {
    // exp(-i sigma R Hn) = E - i sigma O with E = sum_{k even} (2 - delta_k0) (-1)^{k/2} J_k T_k(Hn) and
    // O = sum_{k odd} 2 (-1)^{(k-1)/2} J_k T_k(Hn), Hn = (h - a)/w.
    E = J[0] * Y;
    O.zeros(Y.n_rows, Y.n_cols);
    if (K >= 1) {
      recur(Y, nullptr, 1.0 / w, cur);
      O += (2.0 * J[1]) * cur;
      prev = Y;
      for (Index q = 2; q <= K; ++q) {
        recur(cur, &prev, 2.0 / w, next);
        const double c = 2.0 * J[static_cast<std::size_t>(q)];
        if (q % 2 == 0)
          E += ((q / 2) % 2 == 0 ? c : -c) * next;  // (-1)^{q/2}
        else
          O += (((q - 1) / 2) % 2 == 0 ? c : -c) * next;  // (-1)^{(q-1)/2}
        std::swap(prev, cur);
        std::swap(cur, next);
      }
    }
    // (E - i sigma O)(A + i B) = P + i Q, times the phase exp(-i sigma dtau a/hbar) = cs - i sigma sn.
    const arma::mat P = E.cols(0, k - 1) + sigma * O.cols(k, 2 * k - 1);
    const arma::mat Q = E.cols(k, 2 * k - 1) - sigma * O.cols(0, k - 1);
    const double theta = dtau * a / hbar_;
    const double cs = std::cos(theta), sn = std::sin(theta);
    Y.cols(0, k - 1) = cs * P + (sigma * sn) * Q;
    Y.cols(k, 2 * k - 1) = cs * Q - (sigma * sn) * P;
    info.terms += K;
    ++info.substeps;
  }
  if (!Y.is_finite()) throw Error("OneBodyPropagator: non-finite result");
  X = arma::cx_mat(Y.cols(0, k - 1), Y.cols(k, 2 * k - 1));
  return info;
}

PeriodicConvolution::PeriodicConvolution(const Lattice& lat, const arma::mat& V) : extent_(lat.extent()) {
  const Index L = lat.sites();
  if (V.is_empty()) return;
  if (V.n_rows != static_cast<arma::uword>(L) || V.n_cols != static_cast<arma::uword>(L))
    throw InputError("", "V", "must be L x L with L = " + std::to_string(L));
  zero_ = false;
  dense_ = V;
  if (lat.dim() > 2) return;
  // Translation invariance: V(x, y) = V(x - y, 0) with periodic coordinates.
  const double tol = 1e-14 * std::max(1e-300, arma::abs(V).max());
  std::vector<std::array<Index, 3>> c(static_cast<std::size_t>(L));
  for (Index x = 0; x < L; ++x) c[static_cast<std::size_t>(x)] = lat.coords(x);
  for (Index y = 0; y < L; ++y) {
    const auto& cy = c[static_cast<std::size_t>(y)];
    for (Index x = 0; x < L; ++x) {
      const auto& cx = c[static_cast<std::size_t>(x)];
      const Index r = lat.site({cx[0] - cy[0] + extent_[0], lat.dim() > 1 ? cx[1] - cy[1] + extent_[1] : 0, 0});
      if (std::abs(V(x, y) - V(r, 0)) > tol) return;
    }
  }
  const arma::vec v = V.col(0);
  const arma::uword inner = lat.dim() == 2 ? static_cast<arma::uword>(extent_[1]) : static_cast<arma::uword>(L);
  const arma::uword outer = static_cast<arma::uword>(L) / inner;
  symbol_ = dft2(arma::mat(const_cast<double*>(v.memptr()), inner, outer, false, true));
  fft_ = true;
  dense_.reset();
}

arma::vec PeriodicConvolution::operator()(const arma::vec& rho) const {
  if (zero_) return arma::vec(rho.n_elem, arma::fill::zeros);
  if (!fft_) {
    if (rho.n_elem != dense_.n_cols) throw InputError("", "rho", "must have L entries");
    return dense_ * rho;
  }
  if (rho.n_elem != symbol_.n_elem) throw InputError("", "rho", "must have L entries");
  const arma::mat R(const_cast<double*>(rho.memptr()), symbol_.n_rows, symbol_.n_cols, false, true);
  return arma::vectorise(idft2_real(arma::cx_mat(dft2(R) % symbol_)));
}

}  // namespace fockmix
