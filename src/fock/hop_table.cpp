#include "fockmix/fock/hop_table.hpp"
#include "fockmix/core/parallel.hpp"

#include <cmath>
#include <limits>
#include <string>

#include "fockmix/core/error.hpp"

namespace fockmix {

namespace {

void check_size(Index D) {
  if (D >= std::numeric_limits<std::int32_t>::max())
    throw CapacityError("a species basis of " + std::to_string(D) + " states exceeds the 2^31 kernel Index range");
}

/// Fill a table state by state; `visit(k, emit_hop, emit_occ)` lists the moves of state k.
/// Two passes: count, then fill, each parallel over states.
template <class Visit>
HopTable build(Index D, Index L, Visit visit) {
  check_size(D);
  HopTable t;
  t.size = D;
  t.sites = L;
  t.hop_offset.assign(static_cast<std::size_t>(D + 1), 0);
  t.occ_offset.assign(static_cast<std::size_t>(D + 1), 0);
#pragma omp parallel for schedule(static) if (worth_threading(D))
  for (Index k = 0; k < D; ++k) {
    Index nh = 0, no = 0;
    visit(k, [&](const HopTable::Hop&) { ++nh; }, [&](const HopTable::Occ&) { ++no; });
    t.hop_offset[k + 1] = nh;
    t.occ_offset[k + 1] = no;
  }
  for (Index k = 0; k < D; ++k) {
    t.hop_offset[k + 1] += t.hop_offset[k];
    t.occ_offset[k + 1] += t.occ_offset[k];
  }
  t.hops.resize(static_cast<std::size_t>(t.hop_offset[D]));
  t.occ.resize(static_cast<std::size_t>(t.occ_offset[D]));
#pragma omp parallel for schedule(static) if (worth_threading(D))
  for (Index k = 0; k < D; ++k) {
    Index ih = t.hop_offset[k], io = t.occ_offset[k];
    visit(k, [&](const HopTable::Hop& h) { t.hops[ih++] = h; }, [&](const HopTable::Occ& o) { t.occ[io++] = o; });
  }
  return t;
}

}  // namespace

HopTable hop_table(const FermionBasis& basis) {
  const Index L = basis.sites();
  return build(basis.size(), L, [&](Index k, auto&& hop, auto&& occ) {
    const std::uint64_t s = basis.state(k);
    for (Index from = 0; from < L; ++from) {
      if (!((s >> from) & 1u)) continue;
      occ(HopTable::Occ{static_cast<std::uint16_t>(from), 1});
      for (Index to = 0; to < L; ++to) {
        if ((s >> to) & 1u) continue;
        const std::uint64_t s2 = (s & ~(std::uint64_t{1} << from)) | (std::uint64_t{1} << to);
        hop(HopTable::Hop{static_cast<std::int32_t>(basis.rank(s2)), static_cast<std::uint16_t>(from),
                          static_cast<std::uint16_t>(to), static_cast<double>(FermionBasis::hop_sign(s, from, to))});
      }
    }
  });
}

HopTable hop_table(const BosonBasis& basis) {
  const Index L = basis.sites();
  const Index cap = basis.cap();
  return build(basis.size(), L, [&](Index k, auto&& hop, auto&& occ) {
    std::uint8_t n[256];
    const std::uint8_t* nk = basis.occupations(k);
    std::copy(nk, nk + L, n);
    for (Index from = 0; from < L; ++from) {
      if (n[from] == 0) continue;
      occ(HopTable::Occ{static_cast<std::uint16_t>(from), n[from]});
      for (Index to = 0; to < L; ++to) {
        if (to == from || n[to] >= cap) continue;
        const double coef = std::sqrt(static_cast<double>(n[from]) * static_cast<double>(n[to] + 1));
        --n[from];
        ++n[to];
        const Index target = basis.rank(n);
        ++n[from];
        --n[to];
        hop(HopTable::Hop{static_cast<std::int32_t>(target), static_cast<std::uint16_t>(from),
                          static_cast<std::uint16_t>(to), coef});
      }
    }
  });
}

Csr one_body_matrix(const HopTable& table, const arma::mat& t, arma::vec& diag) {
  const Index D = table.size;
  Csr m;
  m.rows = D;
  m.row_ptr.assign(static_cast<std::size_t>(D + 1), 0);
  diag.set_size(D);
  // Row k holds <target| t(to,from) c*_to c_from |k>; H is real symmetric, so row k of the
  // transpose equals row k itself.
  for (Index k = 0; k < D; ++k) {
    double d = 0.0;
    for (Index o = table.occ_offset[k]; o < table.occ_offset[k + 1]; ++o) d += t(table.occ[o].site, table.occ[o].site) * table.occ[o].n;
    diag(k) = d;
    for (Index q = table.hop_offset[k]; q < table.hop_offset[k + 1]; ++q) {
      const auto& h = table.hops[q];
      const double v = t(h.to, h.from);
      if (v == 0.0) continue;
      m.col.push_back(h.target);
      m.val.push_back(v * h.coef);
    }
    m.row_ptr[k + 1] = static_cast<Index>(m.col.size());
  }
  return m;
}

}  // namespace fockmix
