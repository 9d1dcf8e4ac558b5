#include "fockmix/model/footprint.hpp"

#include <unistd.h>

#include <fmt/core.h>

#include <algorithm>
#include <cmath>

#include "fockmix/core/error.hpp"
#include "fockmix/fock/binomial.hpp"
#include "fockmix/fock/boson_basis.hpp"
#include "fockmix/model/model.hpp"

namespace fockmix {

Index krylov_dim_for_memory(Index dim, Index max_dim, double table_bytes, double limit_bytes) {
  // Everything in double until the count is known to lie in [4, max_dim]: a huge or infinite limit
  // (memory_limit_gib = 1e300) gives max_dim, never an out-of-range float-to-integer conversion.
  if (dim < 1 || max_dim < 4 || std::isnan(table_bytes) || std::isnan(limit_bytes)) return 0;
  const double vec = 16.0 * static_cast<double>(dim);
  const double room = limit_bytes - table_bytes - static_cast<double>(kLanczosExtraStates) * vec;
  if (!(room >= 4.0 * vec)) return 0;  // also false for NaN (an infinite limit minus infinite tables)
  const double vectors = std::floor(room / vec);
  return vectors >= static_cast<double>(max_dim) ? max_dim : static_cast<Index>(vectors);
}

PropagatorChoice choose_propagator(Index dim, Index max_krylov_dim, double table_bytes, double limit_bytes,
                                   PropagatorPreference preference) {
  if (max_krylov_dim < 4) throw InputError("", "exact.krylov_dim", "must be at least 4");
  const double vec = 16.0 * static_cast<double>(dim);
  const Index m = krylov_dim_for_memory(dim, max_krylov_dim, table_bytes, limit_bytes);
  PropagatorChoice c;
  const bool lanczos = preference == PropagatorPreference::Lanczos ||
                       (preference == PropagatorPreference::Auto && m >= std::min(max_krylov_dim, kMinAutoKrylovDim));
  if (lanczos) {
    c.kind = PropagatorKind::Lanczos;
    c.krylov_dim = m;
    c.total_bytes = static_cast<double>((m > 0 ? m : 4) + kLanczosExtraStates) * vec + table_bytes;
    c.fits = m >= 4;
  } else {
    c.kind = PropagatorKind::Chebyshev;
    c.total_bytes = static_cast<double>(kChebyshevStates) * vec + table_bytes;
    c.fits = c.total_bytes <= limit_bytes;
    const double spare = std::floor((limit_bytes - c.total_bytes) / vec);  // NaN or negative: none
    c.window = spare >= 2.0 ? (spare >= static_cast<double>(kMaxChebyshevWindow) ? kMaxChebyshevWindow : static_cast<Index>(spare)) : 1;
    if (c.window > 1) c.total_bytes += static_cast<double>(c.window) * vec;
  }
  return c;
}

double physical_memory_bytes() {
  return static_cast<double>(sysconf(_SC_PHYS_PAGES)) * static_cast<double>(sysconf(_SC_PAGE_SIZE));
}

std::string format_bytes(double bytes) {
  if (bytes >= 1073741824.0) return fmt::format("{:.2f} GiB", bytes / 1073741824.0);
  if (bytes >= 1048576.0) return fmt::format("{:.1f} MiB", bytes / 1048576.0);
  return fmt::format("{:.0f} KiB", bytes / 1024.0);
}

ExactFootprint exact_footprint(const Model& model) {
  ExactFootprint f;
  Index L = 1;
  for (Index e : model.sites) L = checked_mul(L, e, "number of sites");
  const Index M = model.fermions.number, N = model.bosons.number;
  f.dim_fermions = binomial(L, M);
  f.dim_bosons = BosonBasis::count_states(L, N, model.bosons.max_per_site);
  f.dim = checked_mul(f.dim_fermions, f.dim_bosons, "sector dimension D_F x D_B");
  f.state_bytes = 16.0 * static_cast<double>(f.dim);
  // move tables: 16 bytes a move; fermions M (L - M) moves a state, bosons at most min(N, L) (L - 1)
  const double moves_F = static_cast<double>(f.dim_fermions) * static_cast<double>(M * (L - M) + M);
  const double moves_B = static_cast<double>(f.dim_bosons) * static_cast<double>(std::min(N, L) * L);
  f.table_bytes = 16.0 * (moves_F + moves_B) * 2.0 + static_cast<double>(f.dim_bosons) * static_cast<double>(L) +
                  8.0 * static_cast<double>(f.dim_fermions) * static_cast<double>(L);
  // the moments' b(phi) psi (exact/observables.cpp), allocated at every output next to the propagator's states
  if (model.hartree.enabled && N > 0)
    f.moments_bytes = 16.0 * static_cast<double>(f.dim_fermions) *
                      static_cast<double>(BosonBasis::count_states(L, N - 1, model.bosons.max_per_site));
  const double fixed = f.table_bytes + f.moments_bytes;
  const double limit = model.exact.memory_limit_gib > 0 ? model.exact.memory_limit_gib * 1073741824.0 : physical_memory_bytes();
  f.krylov_dim = krylov_dim_for_memory(f.dim, model.exact.krylov_dim, fixed, limit);
  const PropagatorChoice c = choose_propagator(f.dim, std::max<Index>(4, model.exact.krylov_dim), fixed, limit, model.exact.propagator);
  f.propagator = c.kind;
  f.chebyshev_window = c.window;
  f.total_bytes = c.total_bytes;
  f.fits = c.fits;
  return f;
}

}  // namespace fockmix
