#pragma once
/// \file Periodic lattice of SPEC §1: sites, coordinates and minimum-image displacements.
#include <array>
#include <vector>

#include "fockmix/core/types.hpp"

namespace fockmix {

/// A periodic grid in d = 1, 2 or 3 dimensions with spacing h on every axis.
/// Sites are numbered row-major, axis 0 slowest. Site coordinates are x_a = i_a h.
class Lattice {
 public:
  /// \param extent points per axis L_a (1 to 3 entries, each >= 1)  \param spacing h > 0
  Lattice(std::vector<Index> extent, double spacing);

  int dim() const noexcept { return static_cast<int>(extent_.size()); }
  const std::vector<Index>& extent() const noexcept { return extent_; }
  double spacing() const noexcept { return h_; }
  /// Total number of sites L = prod L_a.
  Index sites() const noexcept { return sites_; }
  /// Box length ell_a = L_a h.
  double box(int axis) const { return static_cast<double>(extent_[axis]) * h_; }

  /// Integer coordinates (i_0, ..., i_{d-1}) of site s.
  std::array<Index, 3> coords(Index s) const;
  /// Site number of integer coordinates (taken modulo L_a).
  Index site(const std::array<Index, 3>& c) const;
  /// Position x_a = i_a h of site s along every axis.
  std::array<double, 3> position(Index s) const;
  /// Minimum-image displacement x - c: each component mapped into (-ell_a/2, ell_a/2].
  std::array<double, 3> displacement(const std::array<double, 3>& x, const std::array<double, 3>& c) const;
  /// Minimum-image displacement between sites s and t (x_s - x_t).
  std::array<double, 3> displacement(Index s, Index t) const { return displacement(position(s), position(t)); }

 private:
  std::vector<Index> extent_;
  double h_;
  Index sites_;
};

/// Squared Euclidean length of the first d components.
double norm2(const std::array<double, 3>& r, int d);

}  // namespace fockmix
