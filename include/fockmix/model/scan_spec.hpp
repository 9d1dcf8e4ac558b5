#pragma once
/// \file The description of a scan (SPEC §8): a base model, a scaling regime, the scanned particle
/// numbers and the rules that carry the lattice, the box and the traps along, and the points it makes.
/// Plain data, like Model: io/scan_file.hpp reads it from a scan file (models/README.md, "Scan files"),
/// app/scan_plan.hpp turns it into the points' models.
#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "fockmix/core/types.hpp"
#include "fockmix/model/model.hpp"

namespace fockmix {

/// The scaling regime (SPEC §8).
enum class ScanRegime {
  Microscopic,    ///< (2.18): lambda = 1/N, hbar = 1, N = M, m_F = m_B = 1/2
  Semiclassical,  ///< (2.20): lambda = 1/N, hbar = M^{-1/d}, m_B = hbar, m_F = 1, N = round(M^{1+1/d})
  Custom          ///< N (or M), lambda, hbar and the masses as lists or power laws
};

/// Which particle number the list `values` holds.
enum class ScanVariable { M, N };

/// How the box follows the lattice when the number of sites changes.
enum class BoxRule {
  Grow,  ///< spacing h fixed: the box ell_a = L_a h grows with L_a
  Fixed  ///< box ell_a of the base model fixed: h = ell_a / L_a is refined
};

/// The x axis of the scan's fits (scan.fit_against).
enum class FitAgainst {
  Particles,  ///< log e vs log N and log M (Theorem 1's rates)
  Hbar        ///< log e vs log hbar (Theorem 2's rates, semiclassical studies)
};

/// How external potentials (traps and dynamic potentials of both species) follow the box.
enum class TrapRule {
  Fixed,  ///< unchanged in physical units (centres default to the box centre anyway)
  Box     ///< scaled with the box by s = ell / ell_base: harmonic strength / s^2, gaussian widths and explicit centres * s
};

/// The scan file's words: "microscopic", "semiclassical", "custom".
inline std::string to_string(ScanRegime r) {
  switch (r) {
    case ScanRegime::Microscopic: return "microscopic";
    case ScanRegime::Semiclassical: return "semiclassical";
    case ScanRegime::Custom: return "custom";
  }
  return "?";
}
/// "M" or "N".
inline std::string to_string(ScanVariable v) { return v == ScanVariable::M ? "M" : "N"; }
/// "grow" or "fixed".
inline std::string to_string(BoxRule b) { return b == BoxRule::Grow ? "grow" : "fixed"; }
/// "particles" or "hbar".
inline std::string to_string(FitAgainst f) { return f == FitAgainst::Particles ? "particles" : "hbar"; }
/// "fixed" or "box".
inline std::string to_string(TrapRule t) { return t == TrapRule::Fixed ? "fixed" : "box"; }

/// A parameter of a custom scan: the base model's value, a constant, one value per point, or the power
/// law coef * X^power of X = M or N of the point.
struct ScanLaw {
  enum class Kind { Base, Constant, List, Power };
  Kind kind = Kind::Base;
  double constant = 0.0;
  std::vector<double> list;
  double coef = 1.0, power = 0.0;
  ScanVariable of = ScanVariable::M;
};

/// A parsed scan file. Every field maps to one key of models/README.md, "Scan files".
struct ScanSpec {
  std::string source;      ///< the scan file (for messages)
  std::string text;        ///< its text (echoed into the HDF5 file)
  std::string name;        ///< scan name (default: file stem)
  std::string base_path;   ///< the base model file (resolved relative to the scan file)
  Model base;              ///< the base model, loaded and validated
  ScanRegime regime = ScanRegime::Microscopic;
  ScanVariable vary = ScanVariable::M;
  std::vector<Index> values;  ///< M values (or N values with vary = N), >= 1, distinct
  // the lattice along the scan (at most one rule; none keeps the base lattice)
  double sites_per_fermion = 0.0;                 ///< > 0: L = round(r M) (per axis in d > 1, see README)
  Index extra_sites = -1;                         ///< >= 0: L = M + c (1D)
  std::vector<std::vector<Index>> sites;          ///< explicit lattice of every point
  double points_per_hbar = 0.0;                   ///< > 0 (lattice = "refine_with_hbar"): L_a = round(c ell_a / hbar), so hbar / h ~ c
  BoxRule box = BoxRule::Grow;
  TrapRule trap = TrapRule::Fixed;
  // custom regime
  ScanLaw N_law, M_law, lambda_law, hbar_law, mass_F_law, mass_B_law;
  // time
  double horizon = 0.0;              ///< T (default: the base model's time.final)
  double output_every = 0.0;         ///< output interval (default: the base model's)
  std::vector<double> times;         ///< chosen times in (0, T], each an output time
  Index fit_from = 0;                ///< fits use the points whose scanned value is >= this (0: all points)
  FitAgainst fit_against = FitAgainst::Particles;  ///< the fits' x axis: N and M, or hbar
  // output and execution
  std::string output;                ///< scan HDF5 file (relative to the working directory)
  int threads = 0;                   ///< OpenMP threads in all (0 = all cores)
  int parallel_points = 1;           ///< points run at once when small
  Index parallel_max_dim = 200000;   ///< "small": D <= this
  std::vector<std::string> warnings; ///< e.g. the d = 1 semiclassical regime violating (2.15)
};

/// L = the product of the lattice's extents.
inline Index total_sites(const std::vector<Index>& sites) {
  Index L = 1;
  for (Index e : sites) L *= e;
  return L;
}

/// A lattice as text: "8", "4x4".
inline std::string sites_text(const std::vector<Index>& sites) {
  std::string s;
  for (std::size_t a = 0; a < sites.size(); ++a) {
    if (a > 0) s += 'x';
    s += std::to_string(sites[a]);
  }
  return s;
}

/// Equality of two times of the output grid of a scan with horizon T: within 1e-9 relative to max(1, T).
inline bool same_output_time(double a, double b, double T) { return std::abs(a - b) <= 1e-9 * std::max(1.0, std::abs(T)); }

/// One point of a scan: its model (output = its point file, threads unset) and what the regime made of it.
struct ScanPoint {
  Model model;
  Index value = 0;             ///< the entry of `values`
  Index index = 0;             ///< position in `values`
  double N_unrounded = 0.0;    ///< N before rounding to an integer (= N when no rounding)
  double M_unrounded = 0.0;    ///< M before rounding (custom scans over N)
  std::string id;              ///< parameter-derived identifier, e.g. "M004_N004_L8_1f2e3d4c"
  std::string fingerprint;     ///< every model parameter that changes the results, as text
  Index sites() const { return total_sites(model.sites); }  ///< L
  /// Exponent function A = lambda sqrt(N M / hbar) (1 + sqrt(hbar M / N)) of Theorem 1 (NOTES §1.3).
  double exponent_A() const {
    const double N = static_cast<double>(model.bosons.number), M = static_cast<double>(model.fermions.number);
    const double hbar = model.hbar;
    return std::abs(model.lambda) * std::sqrt(N * M / hbar) * (1.0 + std::sqrt(hbar * M / N));
  }
};

}  // namespace fockmix
