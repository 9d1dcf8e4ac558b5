#include "fockmix/fluct/fluct_space.hpp"

#include <algorithm>
#include <bit>
#include <string>

#include "fockmix/core/error.hpp"
#include "fockmix/fock/binomial.hpp"

namespace fockmix {

namespace {

Index checked_sites(Index L) {
  if (L < 1 || L > 64) throw InputError("", "sites", "must lie in [1, 64], got " + std::to_string(L));
  return L;
}
Index checked_fermions(Index L, Index M) {
  if (M < 0 || M > L) throw InputError("", "fermions", "must lie in [0, sites], got " + std::to_string(M));
  return M;
}
Index checked_cutoff(Index K) {
  if (K < 0 || K > 255) throw InputError("", "boson_cutoff", "must lie in [0, 255], got " + std::to_string(K));
  return K;
}

}  // namespace

FluctuationSpace::FluctuationSpace(Index sites, Index fermions, Index boson_cutoff)
    : L_(checked_sites(sites)),
      M_(checked_fermions(sites, fermions)),
      KB_(checked_cutoff(boson_cutoff)),
      F_(L_, M_),
      B_(L_, 0, KB_, 0),
      moves_F_(hop_table(F_)),
      moves_B_(hop_table(B_)) {
  const std::uint64_t occupied_modes = M_ == 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << M_) - 1;
  nF_.resize(static_cast<std::size_t>(F_.size()));
  for (Index i = 0; i < F_.size(); ++i) nF_[static_cast<std::size_t>(i)] = 2 * std::popcount(F_.state(i) & ~occupied_modes);
  const Index DB = B_.size();
  nB_.resize(static_cast<std::size_t>(DB));
  lower_.assign(static_cast<std::size_t>(DB * L_), -1);
  raise_.assign(static_cast<std::size_t>(DB * L_), -1);
  std::vector<std::uint8_t> n(static_cast<std::size_t>(L_));
  for (Index j = 0; j < DB; ++j) {
    std::copy(B_.occupations(j), B_.occupations(j) + L_, n.begin());
    nB_[static_cast<std::size_t>(j)] = static_cast<int>(B_.total(j));
    for (Index y = 0; y < L_; ++y) {
      auto& ny = n[static_cast<std::size_t>(y)];
      if (ny > 0) {
        --ny;
        lower_[static_cast<std::size_t>(j * L_ + y)] = B_.rank(n.data());
        ++ny;
      }
      if (nB_[static_cast<std::size_t>(j)] < KB_) {
        ++ny;
        raise_[static_cast<std::size_t>(j * L_ + y)] = B_.rank(n.data());
        --ny;
      }
    }
  }
}

double FluctuationSpace::table_bytes() const {
  auto hop_bytes = [](const HopTable& t) {
    return static_cast<double>(t.hops.size() * sizeof(HopTable::Hop) + t.occ.size() * sizeof(HopTable::Occ) +
                               (t.hop_offset.size() + t.occ_offset.size()) * sizeof(Index));
  };
  return hop_bytes(moves_F_) + hop_bytes(moves_B_) + static_cast<double>((lower_.size() + raise_.size()) * sizeof(Index)) +
         static_cast<double>(F_.size()) * 8.0 + static_cast<double>(B_.size() * L_);
}

Index fluctuation_dimension(Index sites, Index fermions, Index boson_cutoff) {
  checked_cutoff(boson_cutoff);
  return checked_mul(binomial(checked_sites(sites), checked_fermions(sites, fermions)), binomial(boson_cutoff + sites, sites),
                     "fluctuation dimension");
}

FluctuationFootprint fluctuation_footprint(Index sites, Index fermions, Index boson_cutoff, Index krylov_dim) {
  if (krylov_dim < 4) throw InputError("", "krylov_dim", "must be at least 4");
  FluctuationFootprint f;
  f.dim_fermions = binomial(checked_sites(sites), checked_fermions(sites, fermions));
  f.dim_bosons = binomial(checked_cutoff(boson_cutoff) + sites, sites);
  f.dim = checked_mul(f.dim_fermions, f.dim_bosons, "fluctuation dimension");
  f.state_bytes = 16.0 * static_cast<double>(f.dim);
  const double DF = static_cast<double>(f.dim_fermions), DB = static_cast<double>(f.dim_bosons), L = static_cast<double>(sites);
  const double M = static_cast<double>(fermions);
  // fermion moves M (L - M) per state, boson moves <= L (L - 1) per state (16 bytes each), raise/lower 2 L Index, occupations L
  f.table_bytes = 16.0 * DF * (M * (L - M) + M) + DB * (16.0 * L * L + 16.0 * L + L);
  f.total_bytes = f.state_bytes * static_cast<double>(krylov_dim + 1 + 2 + 2) + f.table_bytes;
  return f;
}

}  // namespace fockmix
