#include "fockmix/grid/lattice.hpp"

#include <cmath>
#include <string>

#include "fockmix/core/error.hpp"

namespace fockmix {

Lattice::Lattice(std::vector<Index> extent, double spacing) : extent_(std::move(extent)), h_(spacing), sites_(1) {
  if (extent_.empty() || extent_.size() > 3)
    throw InputError("", "grid.sites", "needs 1 to 3 axes, got " + std::to_string(extent_.size()));
  for (Index L : extent_) {
    if (L < 1) throw InputError("", "grid.sites", "every axis needs at least one point, got " + std::to_string(L));
    sites_ *= L;
  }
  if (!(h_ > 0.0) || !std::isfinite(h_))
    throw InputError("", "grid.spacing", "must be a positive number, got " + std::to_string(h_));
}

std::array<Index, 3> Lattice::coords(Index s) const {
  std::array<Index, 3> c{0, 0, 0};
  for (int a = dim() - 1; a >= 0; --a) {
    c[a] = s % extent_[a];
    s /= extent_[a];
  }
  return c;
}

Index Lattice::site(const std::array<Index, 3>& c) const {
  Index s = 0;
  for (int a = 0; a < dim(); ++a) {
    const Index L = extent_[a];
    s = s * L + ((c[a] % L) + L) % L;
  }
  return s;
}

std::array<double, 3> Lattice::position(Index s) const {
  const auto c = coords(s);
  std::array<double, 3> x{0.0, 0.0, 0.0};
  for (int a = 0; a < dim(); ++a) x[a] = static_cast<double>(c[a]) * h_;
  return x;
}

std::array<double, 3> Lattice::displacement(const std::array<double, 3>& x, const std::array<double, 3>& c) const {
  std::array<double, 3> r{0.0, 0.0, 0.0};
  for (int a = 0; a < dim(); ++a) {
    const double ell = box(a);
    double d = std::fmod(x[a] - c[a], ell);  // in (-ell, ell)
    if (d > 0.5 * ell) d -= ell;
    if (d <= -0.5 * ell) d += ell;
    r[a] = d;
  }
  return r;
}

double norm2(const std::array<double, 3>& r, int d) {
  double s = 0.0;
  for (int a = 0; a < d; ++a) s += r[a] * r[a];
  return s;
}

}  // namespace fockmix
