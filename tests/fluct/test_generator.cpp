// The fluctuation space and the matrix-free generator against an independent dense construction of SPEC §7's
// L(t) (R_t built from its product formula, D_x = R_t* n_x R_t - omega(x,x), truncated Weyl-frame bosons).
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <tuple>

#include "fluct/dense_fock.hpp"
#include "fluct/fluct_fixture.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/fluct/dynamics.hpp"
#include "fockmix/fluct/fluct_space.hpp"
#include "fockmix/fluct/generator.hpp"
#include "fockmix/fock/binomial.hpp"

using namespace fockmix;

namespace {

/// The library operator as a dense matrix (apply to unit vectors).
template <class Op>
arma::cx_mat dense_of(const Op& G) {
  const Index D = G.rows();
  arma::cx_mat A(D, D);
  arma::cx_vec e(D, arma::fill::zeros), out(D);
  for (Index k = 0; k < D; ++k) {
    e.zeros();
    e(k) = 1.0;
    G.apply(e.memptr(), out.memptr());
    A.col(k) = out;
  }
  return A;
}

/// The map J = R_t^* Gamma(E) from the library space (mode sector x bosons <= K_B) into the dense product space.
arma::cx_mat embedding(const test::DenseFock& df, const FluctuationSpace& sp, const arma::cx_mat& E, const arma::cx_mat& R) {
  const Index DFl = sp.dim_fermions(), DBl = sp.dim_bosons();
  arma::cx_mat Jf(df.DF, DFl);
  for (Index i = 0; i < DFl; ++i) {
    arma::cx_vec v(df.DF, arma::fill::zeros);
    v(0) = 1.0;
    std::uint64_t bits = sp.fermion_basis().state(i);
    std::vector<Index> modes;
    for (Index a = 0; a < sp.sites(); ++a)
      if ((bits >> a) & 1u) modes.push_back(a);
    for (std::size_t k = modes.size(); k-- > 0;) v = df.adag_of(E.col(modes[k])) * v;
    Jf.col(i) = R.t() * v;
  }
  arma::cx_mat Pb(df.DB, DBl, arma::fill::zeros);
  for (Index j = 0; j < DBl; ++j) {
    std::vector<int> occ(static_cast<std::size_t>(sp.sites()));
    for (Index y = 0; y < sp.sites(); ++y) occ[static_cast<std::size_t>(y)] = sp.boson_basis().occupation(j, y);
    Pb(df.bos_index.at(occ), j) = 1.0;
  }
  return arma::kron(Pb, Jf);
}

struct DenseGenerator {
  arma::cx_mat exact, truncated;
};

/// SPEC §7 on the dense product space, minus dGamma_F[h_F] (the part the mode frame absorbs).
DenseGenerator dense_generator(const test::DenseFock& df, const ModelOperators& ops, const arma::cx_mat& R, const arma::cx_mat& orb,
                               const arma::cx_vec& phi, double cutoff) {
  const Index L = df.L;
  const double lambda = ops.lambda, N = static_cast<double>(ops.N);
  const arma::vec om = arma::real(arma::diagvec(orb * orb.t()));
  const arma::cx_mat IF = arma::eye<arma::cx_mat>(df.DF, df.DF), IB = arma::eye<arma::cx_mat>(df.DB, df.DB);
  const arma::mat hB = ops.one_body_B() + arma::diagmat(lambda * (ops.V * om));
  double S = 0.0;
  for (Index x = 0; x < L; ++x)
    for (Index y = 0; y < L; ++y) S -= lambda * N * ops.V(x, y) * om(x) * std::norm(phi(y));
  arma::cx_mat chi(df.DB, df.DB, arma::fill::zeros);
  for (Index j = 0; j < df.DB; ++j) chi(j, j) = df.bosons(j) <= cutoff + 1e-9 ? 1.0 : 0.0;
  DenseGenerator g;
  g.exact = S * df.prod(IF, IB) + df.prod(IF, df.dGammaB(arma::conv_to<arma::cx_mat>::from(hB)));
  g.truncated = g.exact;
  for (Index x = 0; x < L; ++x) {
    const arma::cx_mat D = R.t() * df.nF(x) * R - om(x) * IF;
    // N_F-conserving part: blocks of equal fermion number
    arma::cx_mat Dc(df.DF, df.DF, arma::fill::zeros);
    for (Index s = 0; s < df.DF; ++s)
      for (Index r = 0; r < df.DF; ++r)
        if (df.fermions(s) == df.fermions(r)) Dc(s, r) = D(s, r);
    for (Index y = 0; y < L; ++y) {
      const double v = ops.V(x, y);
      const arma::cx_mat by = df.by(y);
      const arma::cx_mat B1 = phi(y) * by.t() + std::conj(phi(y)) * by;
      const arma::cx_mat L22 = lambda * v * df.prod(D, df.nB(y));
      g.exact += lambda * std::sqrt(N) * v * df.prod(D, B1) + L22;
      g.truncated += lambda * std::sqrt(N) * v * (df.prod(IF, chi) * df.prod(Dc, B1) * df.prod(IF, chi) + df.prod(D - Dc, B1)) + L22;
    }
  }
  return g;
}

}  // namespace

TEST(FluctSpace, DimensionsVacuumAndNumbers) {
  const FluctuationSpace sp(5, 2, 3);
  EXPECT_EQ(sp.dim_fermions(), binomial(5, 2));
  EXPECT_EQ(sp.dim_bosons(), binomial(3 + 5, 5));
  EXPECT_EQ(sp.size(), fluctuation_dimension(5, 2, 3));
  EXPECT_EQ(sp.fermion_number(sp.vacuum()), 0);
  EXPECT_EQ(sp.boson_number(0), 0);
  EXPECT_EQ(sp.fermion_basis().state(sp.vacuum()), 0b11u);
  int max_nF = 0;
  for (Index i = 0; i < sp.dim_fermions(); ++i) max_nF = std::max(max_nF, sp.fermion_number(i));
  EXPECT_EQ(max_nF, 4);  // two particle-hole pairs
  for (Index j = 0; j < sp.dim_bosons(); ++j)
    for (Index y = 0; y < 5; ++y) {
      if (sp.raise(j, y) >= 0) {
        EXPECT_EQ(sp.lower(sp.raise(j, y), y), j);
      }
      EXPECT_EQ(sp.raise(j, y) < 0, sp.boson_number(j) == 3);
    }
  const auto fp = fluctuation_footprint(5, 2, 3, 20);
  EXPECT_EQ(fp.dim, sp.size());
  EXPECT_GT(fp.total_bytes, 20 * fp.state_bytes);
  EXPECT_THROW(FluctuationSpace(5, 6, 3), InputError);
  EXPECT_THROW(FluctuationSpace(5, 2, -1), InputError);
  EXPECT_THROW(fluctuation_footprint(5, 2, 3, 2), InputError);
}

TEST(FluctGenerator, DenseParticleHoleTransformationObeysTheConjugationRules) {
  // Validates the test's own R (3.28)-(3.31) before it is used as the reference.
  const test::TinyModel m(4, 2, 1, 1.0);
  const test::DenseFock df(4, 0);
  const arma::cx_mat R = df.particle_hole(m.orbitals);
  EXPECT_LT(arma::norm(R.t() * R - arma::eye<arma::cx_mat>(df.DF, df.DF), "fro"), 1e-12);
  EXPECT_LT(arma::norm(R * df.slater(arma::cx_mat(4, 0)) - df.slater(m.orbitals)), 1e-12);  // R Omega
  const arma::cx_mat om = m.orbitals * m.orbitals.t();
  const arma::cx_mat u = arma::eye<arma::cx_mat>(4, 4) - om;
  arma::cx_mat vbar(4, 4, arma::fill::zeros);  // vbar(y, x) = sum_j phi_j(y) phi_j(x)
  for (arma::uword j = 0; j < m.orbitals.n_cols; ++j) vbar += m.orbitals.col(j) * m.orbitals.col(j).st();
  for (Index x = 0; x < 4; ++x) {
    const arma::cx_mat lhs = R.t() * df.a[x].t() * R;
    const arma::cx_mat rhs = df.adag_of(u.col(x)) + df.a_of(vbar.col(x));
    EXPECT_LT(arma::norm(lhs - rhs, "fro"), 1e-12) << "x " << x;
  }
  // R* N_F R = N_F - 2 dGamma(omega) + M (NOTES O12)
  arma::cx_mat NF(df.DF, df.DF, arma::fill::zeros);
  for (Index x = 0; x < 4; ++x) NF += df.nF(x);
  EXPECT_LT(arma::norm(R.t() * NF * R - (NF - 2.0 * df.dGammaF(om) + 2.0 * arma::eye<arma::cx_mat>(df.DF, df.DF)), "fro"), 1e-12);
}

TEST(FluctGenerator, MatchesDenseConstructionOfSpecGenerator) {
  for (auto [L, M, N, KB, c] : {std::tuple<Index, Index, Index, Index, double>{3, 1, 2, 3, 1.0},
                                std::tuple<Index, Index, Index, Index, double>{4, 2, 1, 2, 0.0}}) {
    const test::TinyModel m(L, M, N, 0.9);
    FluctuationOptions opt;
    opt.boson_cutoff = KB;
    opt.dt = 0.05;
    FluctuationDynamics dyn(m.ops, m.orbitals, m.phi0, opt);
    dyn.evolve_to(0.3);  // a non-trivial frame
    const FluctuationFrame f = dyn.trajectory().frame();
    EXPECT_LT(dyn.trajectory().gauge_deviation(), 1e-10);
    const FluctuationGenerator G(dyn.space(), m.ops.V, m.ops.lambda, static_cast<double>(N), {{1.0, f}}, -1.0);
    const FluctuationGenerator Gt(dyn.space(), m.ops.V, m.ops.lambda, static_cast<double>(N), {{1.0, f}}, c);
    const arma::cx_mat A = dense_of(G), At = dense_of(Gt);
    EXPECT_LT(arma::norm(A - A.t(), "fro"), 1e-12);
    EXPECT_LT(arma::norm(At - At.t(), "fro"), 1e-12);

    const test::DenseFock df(L, KB);
    const arma::cx_mat orb = f.modes.cols(0, M - 1);
    const arma::cx_mat R = df.particle_hole(orb);
    const arma::cx_mat J = embedding(df, dyn.space(), f.modes, R);
    EXPECT_LT(arma::norm(J.t() * J - arma::eye<arma::cx_mat>(J.n_cols, J.n_cols), "fro"), 1e-12);
    const DenseGenerator g = dense_generator(df, m.ops, R, orb, f.phi, c);
    const double scale = arma::norm(g.exact, "fro");
    const double err = arma::norm(J.t() * g.exact * J - A, "fro") / scale;
    const double err_t = arma::norm(J.t() * g.truncated * J - At, "fro") / scale;
    // the SPEC operator leaves the embedded space invariant: the representation is exact, not a projection
    const double leak = arma::norm(g.exact * J - J * (J.t() * g.exact * J), "fro") / scale;
    const double leak_t = arma::norm(g.truncated * J - J * (J.t() * g.truncated * J), "fro") / scale;
    std::printf("L=%lld M=%lld N=%lld K_B=%lld: generator rel. error %.2e, truncated %.2e, leak %.2e / %.2e\n",
                static_cast<long long>(L), static_cast<long long>(M), static_cast<long long>(N), static_cast<long long>(KB), err,
                err_t, leak, leak_t);
    EXPECT_LT(err, 1e-13);
    EXPECT_LT(err_t, 1e-13);
    EXPECT_LT(leak, 1e-13);
    EXPECT_LT(leak_t, 1e-13);
    EXPECT_GT(arma::norm(A - At, "fro"), 1e-3);  // the cut-off does something here
  }
}

TEST(FluctGenerator, RejectsBadArguments) {
  const FluctuationSpace sp(3, 1, 2);
  FluctuationFrame f;
  f.modes = arma::eye<arma::cx_mat>(3, 3);
  f.phi = arma::cx_vec(3, arma::fill::ones) / std::sqrt(3.0);
  f.omega_diag = arma::vec{1, 0, 0};
  f.h_B = arma::zeros<arma::mat>(3, 3);
  const arma::mat V = arma::eye<arma::mat>(3, 3);
  EXPECT_THROW(FluctuationGenerator(sp, arma::eye<arma::mat>(2, 2), 1.0, 1.0, {{1.0, f}}), InputError);
  EXPECT_THROW(FluctuationGenerator(sp, V, 1.0, -1.0, {{1.0, f}}), InputError);
  EXPECT_THROW(FluctuationGenerator(sp, V, 1.0, 1.0, {}), InputError);
  FluctuationFrame bad = f;
  bad.phi = arma::cx_vec(2, arma::fill::ones);
  EXPECT_THROW(FluctuationGenerator(sp, V, 1.0, 1.0, {{1.0, bad}}), InputError);
  const test::TinyModel m(3, 1, 1, 1.0);
  FluctuationOptions o;
  o.dt = 0.0;
  EXPECT_THROW(FluctuationDynamics(m.ops, m.orbitals, m.phi0, o), InputError);
  o = {};
  o.krylov_dim = 2;
  EXPECT_THROW(FluctuationDynamics(m.ops, m.orbitals, m.phi0, o), InputError);
  EXPECT_THROW(FluctuationDynamics(m.ops, arma::cx_mat(3, 2, arma::fill::ones), m.phi0), InputError);
  EXPECT_THROW(FluctuationDynamics(m.ops, m.orbitals, 2.0 * m.phi0), InputError);
  FluctuationDynamics dyn(m.ops, m.orbitals, m.phi0);
  EXPECT_THROW(dyn.evolve_to(-1.0), InputError);
}
