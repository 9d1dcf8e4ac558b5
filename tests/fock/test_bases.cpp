// Fock bases: ranking inverts enumeration, dimensions, signs, caps and overflow checks (SPEC §3).
#include <gtest/gtest.h>

#include <bit>
#include <set>
#include <string>

#include "fockmix/core/error.hpp"
#include "fockmix/fock/binomial.hpp"
#include "fockmix/fock/boson_basis.hpp"
#include "fockmix/fock/fermion_basis.hpp"
#include "fockmix/fock/hop_table.hpp"

using namespace fockmix;

TEST(Binomial, ValuesAndOverflow) {
  EXPECT_EQ(binomial(10, 5), 252);
  EXPECT_EQ(binomial(12, 0), 1);
  EXPECT_EQ(binomial(3, 5), 0);
  EXPECT_EQ(binomial(66, 33), 7219428434016265740LL);  // C(66, 33) < 2^63 (Pascal's triangle)
  EXPECT_THROW(binomial(68, 34), CapacityError);
  EXPECT_THROW(checked_mul(Index{1} << 40, Index{1} << 40), CapacityError);
}

TEST(FermionBasis, RankInvertsEnumerationInIncreasingBitOrder) {
  for (Index L : {1, 5, 9}) {
    for (Index M = 0; M <= L; ++M) {
      const FermionBasis b(L, M);
      ASSERT_EQ(b.size(), binomial(L, M));
      for (Index i = 0; i < b.size(); ++i) {
        EXPECT_EQ(std::popcount(b.state(i)), M);
        EXPECT_EQ(b.rank(b.state(i)), i);
        if (i > 0) {
          EXPECT_LT(b.state(i - 1), b.state(i));
        }
      }
    }
  }
  EXPECT_THROW(FermionBasis(4, 5), InputError);
  EXPECT_THROW(FermionBasis(65, 1), InputError);
}

TEST(FermionBasis, HopSignCountsFermionsInBetween) {
  // a*_4 a_1 on |0 1 2 4? no>: state {1, 2, 3}: moving 1 -> 4 passes 2 and 3: sign +1; {1, 2}: passes 2: -1
  EXPECT_EQ(FermionBasis::hop_sign(0b1110, 1, 4), 1);
  EXPECT_EQ(FermionBasis::hop_sign(0b0110, 1, 4), -1);
  EXPECT_EQ(FermionBasis::hop_sign(0b0110, 2, 0), -1);
  EXPECT_EQ(FermionBasis::hop_sign(0b0101, 2, 1), 1);
}

TEST(BosonBasis, RankInvertsEnumerationAndCountsMatch) {
  for (Index L : {1, 3, 5})
    for (Index N : {0, 1, 4})
      for (Index cap : {0, 1, 2}) {
        if (cap > 0 && cap * L < N) {
          EXPECT_THROW(BosonBasis(L, N, cap), InputError);
          continue;
        }
        const BosonBasis b(L, N, cap);
        EXPECT_EQ(b.size(), BosonBasis::count_states(L, N, cap));
        // brute force count
        Index brute = 0;
        const Index c = cap > 0 ? cap : N;
        std::vector<int> n(L, 0);
        while (true) {
          int s = 0;
          for (int v : n) s += v;
          brute += (s == N);
          int k = 0;
          while (k < L && n[k] == c) n[k++] = 0;
          if (k == L) break;
          ++n[k];
        }
        EXPECT_EQ(b.size(), brute) << "L " << L << " N " << N << " cap " << cap;
        std::set<std::string> seen;
        for (Index j = 0; j < b.size(); ++j) {
          EXPECT_EQ(b.rank(b.occupations(j)), j);
          EXPECT_EQ(b.total(j), N);
          seen.insert(std::string(reinterpret_cast<const char*>(b.occupations(j)), static_cast<std::size_t>(L)));
        }
        EXPECT_EQ(static_cast<Index>(seen.size()), b.size());
        EXPECT_EQ(b.truncated(), cap > 0 && cap < N);
      }
  EXPECT_EQ(BosonBasis::count_states(12, 6), binomial(17, 6));
}

TEST(BosonBasis, NumberRangeForFluctuationSpaces) {
  const BosonBasis b(4, 0, 3, 0);
  Index expected = 0;
  for (Index n = 0; n <= 3; ++n) {
    EXPECT_EQ(b.sector_offset(n), expected);
    expected += binomial(n + 3, n);
  }
  EXPECT_EQ(b.size(), expected);
  for (Index j = 0; j < b.size(); ++j) EXPECT_EQ(b.rank(b.occupations(j)), j);
  const std::uint8_t too_many[4] = {2, 2, 0, 0};
  EXPECT_EQ(b.rank(too_many), -1);
}

TEST(HopTable, MovesAreConsistentAndReversible) {
  const BosonBasis b(4, 3, 2);
  const HopTable t = hop_table(b);
  for (Index j = 0; j < b.size(); ++j)
    for (Index q = t.hop_offset[j]; q < t.hop_offset[j + 1]; ++q) {
      const auto& h = t.hops[q];
      const int nf = b.occupation(j, h.from), nt = b.occupation(j, h.to);
      EXPECT_DOUBLE_EQ(h.coef, std::sqrt(double(nf) * double(nt + 1)));
      EXPECT_LE(nt + 1, 2);
      EXPECT_EQ(b.occupation(h.target, h.from), nf - 1);
      // the reverse move exists with the same coefficient
      bool found = false;
      for (Index r = t.hop_offset[h.target]; r < t.hop_offset[h.target + 1]; ++r)
        found |= t.hops[r].target == j && t.hops[r].from == h.to && t.hops[r].to == h.from && t.hops[r].coef == h.coef;
      EXPECT_TRUE(found);
    }
}
