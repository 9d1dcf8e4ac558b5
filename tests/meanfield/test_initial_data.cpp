// Initial data of SPEC §3: trap eigenvectors, plane waves, packets, files, the Hartree–Hartree ground state.
#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "fockmix/core/error.hpp"
#include "fockmix/model/model_operators.hpp"
#include "fockmix/meanfield/hartree.hpp"
#include "fockmix/io/model.hpp"
#include "fockmix/meanfield/initial_data.hpp"

using namespace fockmix;

namespace {

constexpr double pi = 3.14159265358979323846;

Model base_model(std::vector<Index> sites, double h, Index M, Index N) {
  Model m;
  m.sites = std::move(sites);
  m.spacing = h;
  m.hbar = 1.0;
  m.lambda = 0.0;
  m.fermions.number = M;
  m.fermions.mass = 0.5;
  m.bosons.number = N;
  m.bosons.mass = 1.0;
  return m;
}

double orthonormality_error(const arma::cx_mat& Phi) {
  if (Phi.n_cols == 0) return 0.0;
  return arma::abs(Phi.t() * Phi - arma::eye<arma::cx_mat>(Phi.n_cols, Phi.n_cols)).max();
}

/// K + U on a 1D ring written out here (no library grid code): hopping -Delta_h with hbar = 1, i.e.
/// (1/(2 m h^2)) (2 on the diagonal, -1 to each neighbour), plus kappa/2 (x - c)^2 with c = ell/2 and the
/// minimum image x - c in (-ell/2, ell/2].
arma::mat ring_one_body(Index L, double h, double mass, double kappa) {
  const double ell = static_cast<double>(L) * h, k = 1.0 / (2.0 * mass * h * h);
  arma::mat t(L, L, arma::fill::zeros);
  for (Index x = 0; x < L; ++x) {
    double r = static_cast<double>(x) * h - 0.5 * ell;
    while (r > 0.5 * ell) r -= ell;
    while (r <= -0.5 * ell) r += ell;
    t(x, x) = 2.0 * k + 0.5 * kappa * r * r;
    t(x, (x + 1) % L) -= k;
    t(x, (x + L - 1) % L) -= k;
  }
  return t;
}

/// Projector onto the `count` lowest eigenvectors of the real symmetric h (dense eig_sym here).
arma::cx_mat lowest_projector(const arma::mat& h, Index count) {
  arma::vec e;
  arma::mat Q;
  EXPECT_TRUE(arma::eig_sym(e, Q, h));
  const arma::mat P = Q.cols(0, count - 1) * Q.cols(0, count - 1).t();
  return arma::conv_to<arma::cx_mat>::from(P);
}

/// A scratch directory for table files, unique per test binary run.
std::filesystem::path scratch_dir() {
  const auto dir = std::filesystem::path(FOCKMIX_BINARY_DIR) / "tests" / "scratch_initial_data";
  std::filesystem::create_directories(dir);
  return dir;
}

void write_table(const std::filesystem::path& path, const arma::cx_mat& A) {
  std::FILE* f = std::fopen(path.string().c_str(), "w");
  ASSERT_NE(f, nullptr);
  std::fprintf(f, "# Re Im per column\n\n");
  for (arma::uword i = 0; i < A.n_rows; ++i) {
    for (arma::uword j = 0; j < A.n_cols; ++j) std::fprintf(f, " %.17g %.17g", A(i, j).real(), A(i, j).imag());
    std::fprintf(f, "\n");
  }
  std::fclose(f);
}

/// <P> for P = F^{-1} diag(hbar k) F along axis 0 of a 1D grid (spectral momentum).
double spectral_momentum_1d(const arma::cx_vec& psi, double h, double hbar) {
  const Index L = static_cast<Index>(psi.n_elem);
  const arma::cx_vec f = arma::fft(psi);
  double p = 0.0, norm = 0.0;
  for (Index j = 0; j < L; ++j) {
    Index jj = j <= L / 2 ? j : j - L;  // FFT bin j <-> Fourier Index
    if (2 * j == L) jj = 0;             // drop the (negligible) Nyquist bin: its sign is ambiguous
    const double w = std::norm(f(j));
    p += hbar * 2.0 * pi * static_cast<double>(jj) / (static_cast<double>(L) * h) * w;
    norm += w;
  }
  return p / norm;
}

}  // namespace

TEST(InitialData, TrapOrbitalsAreOrthonormalEigenvectorsWithOscillatorLevels) {
  Model m = base_model({128}, 0.125, 4, 10);
  m.fermions.trap = {PotentialKind::Harmonic, 4.0, 1.0, {}, {}};
  m.bosons.trap = {PotentialKind::Harmonic, 2.0, 1.0, {}, {}};
  const ModelOperators ops = build_operators(m);
  const arma::cx_mat Phi = fermion_orbitals(m, ops);
  ASSERT_EQ(Phi.n_rows, 128u);
  ASSERT_EQ(Phi.n_cols, 4u);
  EXPECT_LT(orthonormality_error(Phi), 1e-13);
  const arma::mat h = ops.trap_one_body_F();
  const double omega_osc = std::sqrt(4.0 / m.fermions.mass);  // hbar sqrt(kappa/m)
  for (arma::uword j = 0; j < 4; ++j) {
    const arma::cx_vec v = Phi.col(j);
    const double e = std::real(arma::cdot(v, h * v));
    EXPECT_LT(arma::norm(h * v - e * v), 1e-11) << "orbital " << j;
    // Independent number: the continuum oscillator levels hbar w (j + 1/2), to lattice accuracy.
    EXPECT_NEAR(e, omega_osc * (j + 0.5), 0.01 * omega_osc * (j + 0.5)) << "orbital " << j;
    // Phase convention: real, the first largest-magnitude entry (within 1e-9 relative) positive.
    EXPECT_EQ(arma::abs(arma::imag(v)).max(), 0.0);
    const double big = arma::abs(arma::real(v)).max();
    const arma::uvec hits = arma::find(arma::abs(arma::real(v)) >= (1.0 - 1e-9) * big, 1);
    const arma::uword first = hits(0);
    EXPECT_GT(v(first).real(), 0.0);
  }
  // Independent construction: the span of the orbitals is that of the 4 lowest eigenvectors of K_F + U_F^trap
  // written out in this test (an excited level instead of a low one fails this, not the residual above).
  const arma::mat hF = ring_one_body(128, 0.125, m.fermions.mass, 4.0);
  EXPECT_LT(arma::abs(Phi * Phi.t() - lowest_projector(hF, 4)).max(), 1e-10);
  const arma::cx_vec phi0 = condensate(m, ops);
  EXPECT_NEAR(arma::norm(phi0), 1.0, 1e-14);
  const arma::mat hB = ring_one_body(128, 0.125, m.bosons.mass, 2.0);
  const double mu = std::real(arma::cdot(phi0, hB * phi0));
  EXPECT_LT(arma::norm(hB * phi0 - mu * phi0), 1e-10);
  EXPECT_LT(arma::abs(phi0 * phi0.t() - lowest_projector(hB, 1)).max(), 1e-10);
  EXPECT_NEAR(mu, 0.5 * std::sqrt(2.0 / m.bosons.mass), 0.01);
}

TEST(InitialData, OpenShellThrowsAndClosedShellFills) {
  // No trap, hopping kinetic on a ring of 8: levels 0, then the pair +-k1, ... (two-fold).
  Model m = base_model({8}, 1.0, 2, 1);
  m.source = "ring.toml";
  const ModelOperators ops = build_operators(m);
  try {
    fermion_orbitals(m, ops);
    FAIL() << "an open shell must throw";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "fermions.init");
    EXPECT_EQ(e.file(), "ring.toml");
    EXPECT_NE(e.reason().find("open shell"), std::string::npos);
  }
  m.fermions.init.kind = InitKind::PlaneWaves;
  EXPECT_THROW(fermion_orbitals(m, ops), InputError);
  m.fermions.number = 3;
  const ModelOperators ops3 = build_operators(m);
  for (const InitKind kind : {InitKind::Trap, InitKind::PlaneWaves}) {
    m.fermions.init.kind = kind;
    const arma::cx_mat Phi = fermion_orbitals(m, ops3);
    EXPECT_LT(orthonormality_error(Phi), 1e-13) << to_string(kind);
    // Independent number: the kinetic energy of the sea k in {0, +-2 pi/8}: 2 * (hbar^2/(m h^2)) (1 - cos(pi/4)).
    const double e = std::real(arma::trace(Phi.t() * ops3.kinetic_F * Phi));
    EXPECT_NEAR(e, 2.0 * (1.0 / 0.5) * (1.0 - std::cos(pi / 4.0)), 1e-12) << to_string(kind);
  }
  // A filled band (M = L) is never ambiguous.
  m.fermions.number = 8;
  m.fermions.init.kind = InitKind::Trap;
  const ModelOperators ops8 = build_operators(m);
  const arma::cx_mat full = fermion_orbitals(m, ops8);
  EXPECT_LT(arma::abs(full * full.t() - arma::eye<arma::cx_mat>(8, 8)).max(), 1e-13);
  // M = 0: no orbitals.
  m.fermions.number = 0;
  const ModelOperators ops0 = build_operators(m);
  EXPECT_EQ(fermion_orbitals(m, ops0).n_cols, 0u);
}

TEST(InitialData, PlaneWavesGiveCirculantOmegaWithKnownKernel) {
  const Index L = 10;
  const double h = 0.5, ell = L * h;
  Model m = base_model({L}, h, 3, 1);
  m.fermions.init.kind = InitKind::PlaneWaves;
  const ModelOperators ops = build_operators(m);
  for (const int kick : {0, 2}) {  // kick p = hbar 2 pi kick / ell, on the Fourier grid
    const double p = 2.0 * pi * kick / ell;
    m.fermions.init.momentum = {p};
    const arma::cx_mat Phi = fermion_orbitals(m, ops);
    EXPECT_LT(orthonormality_error(Phi), 1e-13);
    const arma::cx_mat omega = Phi * Phi.t();
    double err_circ = 0.0, err_formula = 0.0;
    for (Index x = 0; x < L; ++x)
      for (Index y = 0; y < L; ++y) {
        err_circ = std::max(err_circ, std::abs(omega((x + 1) % L, (y + 1) % L) - omega(x, y)));
        // omega(x, y) = (1/L) e^{i p (x-y)} (1 + 2 cos(2 pi (x - y)/L)) for the sea {0, +-1}.
        const double r = static_cast<double>(x - y) * h;
        const cplx expect = std::polar(1.0, p * r) * (1.0 + 2.0 * std::cos(2.0 * pi * r / ell)) / static_cast<double>(L);
        err_formula = std::max(err_formula, std::abs(omega(x, y) - expect));
      }
    EXPECT_LT(err_circ, 1e-14) << "kick " << kick;
    EXPECT_LT(err_formula, 1e-14) << "kick " << kick;
    // Kinetic energy of the shifted sea j = kick + {-1, 0, 1}: sum (hbar^2/(m h^2)) (1 - cos(k h)).
    double e_expect = 0.0;
    for (int j = kick - 1; j <= kick + 1; ++j) e_expect += (1.0 / (0.5 * h * h)) * (1.0 - std::cos(2.0 * pi * j / ell * h));
    EXPECT_NEAR(std::real(arma::trace(Phi.t() * ops.kinetic_F * Phi)), e_expect, 1e-12);
  }
  // 2D 4 x 4: shells of size 1, 4, ...: M = 5 is closed, M = 3 is open.
  Model m2 = base_model({4, 4}, 1.0, 5, 1);
  m2.fermions.init.kind = InitKind::PlaneWaves;
  const ModelOperators ops2 = build_operators(m2);
  const arma::cx_mat Phi2 = fermion_orbitals(m2, ops2);
  EXPECT_LT(orthonormality_error(Phi2), 1e-13);
  const arma::cx_mat omega2 = Phi2 * Phi2.t();
  const Lattice lat = ops2.lattice;
  double err2 = 0.0;
  for (Index s = 0; s < 16; ++s)
    for (Index t = 0; t < 16; ++t) {
      auto cs = lat.coords(s), ct = lat.coords(t);
      cs[1] += 1;
      ct[1] += 1;
      err2 = std::max(err2, std::abs(omega2(lat.site(cs), lat.site(ct)) - omega2(s, t)));
    }
  EXPECT_LT(err2, 1e-14);
  EXPECT_NEAR(std::real(arma::trace(omega2)), 5.0, 1e-13);
  EXPECT_NEAR(omega2(3, 3).real(), 5.0 / 16.0, 1e-14);
  m2.fermions.number = 3;
  const ModelOperators ops3 = build_operators(m2);
  EXPECT_THROW(fermion_orbitals(m2, ops3), InputError);
}

TEST(InitialData, PacketHasRequestedWidthCentreAndMomentum) {
  const double h = 0.125, w = 1.0, c = 6.0, p = 2.0;
  Model m = base_model({128}, h, 3, 1);
  m.fermions.init.kind = InitKind::Packet;
  m.fermions.init.width = w;
  m.fermions.init.centre = {c};
  m.fermions.init.momentum = {p};
  const ModelOperators ops = build_operators(m);
  const arma::cx_mat Phi = fermion_orbitals(m, ops);
  EXPECT_LT(orthonormality_error(Phi), 1e-13);
  const arma::cx_vec g = Phi.col(0);
  double mean = 0.0, second = 0.0;
  arma::cx_vec gauss(128);
  for (Index s = 0; s < 128; ++s) {
    const double x = static_cast<double>(s) * h;
    mean += (x - c) * std::norm(g(s));
    second += (x - c) * (x - c) * std::norm(g(s));
    gauss(s) = std::polar(std::exp(-(x - c) * (x - c) / (2.0 * w * w)), p * (x - c));
  }
  gauss /= arma::norm(gauss);
  EXPECT_NEAR(mean, 0.0, 1e-12);
  EXPECT_NEAR(second, 0.5 * w * w, 0.005);  // continuum value w^2/2, lattice correction O(h^2/w^2)
  EXPECT_GT(std::abs(arma::cdot(gauss, g)), 0.9999);
  EXPECT_NEAR(spectral_momentum_1d(g, h, 1.0), p, 1e-6);
  // Every orbital carries the same kick: the mean momentum of omega is M p.
  double ptot = 0.0;
  for (arma::uword j = 0; j < 3; ++j) ptot += spectral_momentum_1d(Phi.col(j), h, 1.0);
  EXPECT_NEAR(ptot, 3.0 * p, 1e-5);

  // A 2D boson packet with the default centre (box centre) and a 2D kick.
  Model b = base_model({32, 32}, 0.25, 0, 5);
  b.bosons.init.kind = InitKind::Packet;
  b.bosons.init.width = 1.0;
  b.bosons.init.momentum = {1.0, -0.5};
  const ModelOperators opsb = build_operators(b);
  const arma::cx_vec phi0 = condensate(b, opsb);
  EXPECT_NEAR(arma::norm(phi0), 1.0, 1e-13);
  double sx = 0.0, sy = 0.0, px = 0.0, py = 0.0;
  const Lattice lat = opsb.lattice;
  // Momentum by a central-difference-free route: <P_a> = hbar Im <phi, d_a phi> with spectral d_a via 2D FFT.
  arma::cx_mat grid(32, 32);
  for (Index s = 0; s < 1024; ++s) {
    const auto r = lat.displacement(lat.position(s), {4.0, 4.0, 0.0});
    sx += r[0] * r[0] * std::norm(phi0(s));
    sy += r[1] * r[1] * std::norm(phi0(s));
    const auto cc = lat.coords(s);
    grid(cc[0], cc[1]) = phi0(s);
  }
  const arma::cx_mat f = arma::fft2(grid);
  double norm = 0.0;
  for (int a = 0; a < 32; ++a)
    for (int bb = 0; bb < 32; ++bb) {
      const int ja = a <= 16 ? a : a - 32, jb = bb <= 16 ? bb : bb - 32;
      const double wgt = std::norm(f(a, bb));
      px += 2.0 * pi * ja / 8.0 * wgt;
      py += 2.0 * pi * jb / 8.0 * wgt;
      norm += wgt;
    }
  EXPECT_NEAR(sx, 0.5, 0.01);
  EXPECT_NEAR(sy, 0.5, 0.01);
  EXPECT_NEAR(px / norm, 1.0, 1e-6);
  EXPECT_NEAR(py / norm, -0.5, 1e-6);
  // Bad packet parameters name the key.
  b.bosons.init.width = -1.0;
  EXPECT_THROW(condensate(b, opsb), InputError);
  b.bosons.init.width = 1.0;
  b.bosons.init.centre = {1.0};
  try {
    condensate(b, opsb);
    FAIL() << "a centre with the wrong number of axes must throw";
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "bosons.init.centre");
  }
}

TEST(InitialData, FileRoundTripAndLoewdinOrthonormalisation) {
  const auto dir = scratch_dir();
  Model m = base_model({16}, 0.5, 3, 4);
  m.fermions.trap = {PotentialKind::Harmonic, 1.0, 1.0, {}, {}};
  m.fermions.init.momentum = {};
  const ModelOperators ops = build_operators(m);
  // Round trip of orthonormal complex orbitals (trap orbitals times a non-trivial phase field).
  arma::cx_mat Phi = fermion_orbitals(m, ops);
  for (arma::uword s = 0; s < 16; ++s) Phi.row(s) *= std::polar(1.0, 0.3 * s);
  write_table(dir / "orbitals.txt", Phi);
  Model mf = m;
  mf.fermions.init.kind = InitKind::File;
  mf.fermions.init.file = (dir / "orbitals.txt").string();
  const arma::cx_mat back = fermion_orbitals(mf, ops);
  EXPECT_LT(arma::abs(back - Phi).max(), 1e-14);

  // Non-orthogonal columns: Loewdin's A (A^* A)^{-1/2}, computed here independently by sqrtmat_sympd.
  arma::arma_rng::set_seed(7);
  const arma::cx_mat A = arma::randn<arma::cx_mat>(16, 3) + 0.5;
  write_table(dir / "raw.txt", A);
  mf.fermions.init.file = (dir / "raw.txt").string();
  const arma::cx_mat Q = fermion_orbitals(mf, ops);
  const arma::cx_mat S = A.t() * A;
  const arma::cx_mat expect = A * arma::inv_sympd(arma::sqrtmat_sympd(S));
  EXPECT_LT(orthonormality_error(Q), 1e-13);
  EXPECT_LT(arma::abs(Q - expect).max(), 1e-12);

  // Bosons: 2 columns, normalised.
  const arma::cx_vec b = 3.0 * arma::randn<arma::cx_vec>(16);
  write_table(dir / "phi.txt", arma::cx_mat(b));
  Model mb = m;
  mb.bosons.init.kind = InitKind::File;
  mb.bosons.init.file = (dir / "phi.txt").string();
  const arma::cx_vec phi0 = condensate(mb, ops);
  EXPECT_NEAR(arma::norm(phi0), 1.0, 1e-14);
  EXPECT_LT(arma::abs(phi0 - b / arma::norm(b)).max(), 1e-14);
}

TEST(InitialData, BadFilesThrowNamingFileAndKey) {
  const auto dir = scratch_dir();
  Model m = base_model({4}, 1.0, 1, 1);
  m.source = "tables.toml";
  m.fermions.init.kind = InitKind::File;
  const ModelOperators ops = build_operators(m);
  auto expect_error = [&](const std::string& name, const std::string& content, const std::string& fragment) {
    const auto path = dir / name;
    if (!content.empty()) std::ofstream(path) << content;
    m.fermions.init.file = path.string();
    try {
      fermion_orbitals(m, ops);
      ADD_FAILURE() << name << " must throw";
    } catch (const InputError& e) {
      EXPECT_EQ(e.key(), "fermions.init.file") << name;
      EXPECT_EQ(e.file(), "tables.toml") << name;
      EXPECT_NE(e.reason().find(path.string()), std::string::npos) << name << ": " << e.what();
      EXPECT_NE(e.reason().find(fragment), std::string::npos) << name << ": " << e.what();
    }
  };
  expect_error("does_not_exist.txt", "", "cannot open");
  expect_error("three_columns.txt", "1 0\n1 0 1\n1 0\n1 0\n", "columns");
  expect_error("short.txt", "1 0\n1 0\n1 0\n", "3 data rows");
  expect_error("long.txt", "1 0\n1 0\n1 0\n1 0\n1 0\n", "more than");
  expect_error("nan.txt", "1 0\n1 x\n1 0\n1 0\n", "not a finite number");
  expect_error("zero.txt", "0 0\n0 0\n0 0\n0 0\n", "linearly dependent");
  m.fermions.number = 2;
  const ModelOperators ops2 = build_operators(m);
  m.fermions.init.file = (dir / "dependent.txt").string();
  std::ofstream(dir / "dependent.txt") << "1 0 2 0\n1 1 2 2\n0 0 0 0\n1 0 2 0\n";
  EXPECT_THROW(fermion_orbitals(m, ops2), InputError);
  m.fermions.init.file.clear();
  EXPECT_THROW(fermion_orbitals(m, ops2), InputError);
}

TEST(InitialData, PlaneWavesAreNoCondensateRecipe) {
  // Unknown names are rejected by the model reader (tests/io/test_model.cpp, ModelErrors.UnknownNames).
  Model m = base_model({6}, 1.0, 1, 1);
  m.source = "x.toml";
  const ModelOperators ops = build_operators(m);
  m.bosons.init.kind = InitKind::PlaneWaves;  // not a condensate recipe
  try {
    condensate(m, ops);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "bosons.init.kind");
    EXPECT_EQ(e.file(), "x.toml");
  }
  try {
    initial_data(m, ops);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "bosons.init.kind");
    EXPECT_EQ(e.file(), "x.toml");
  }
  try {
    validate(m);
    FAIL();
  } catch (const InputError& e) {
    EXPECT_EQ(e.key(), "bosons.init.kind");
  }
}

TEST(InitialData, HartreeKindIsTheSelfConsistentGroundState) {
  Model m = base_model({24}, 0.5, 3, 8);
  m.lambda = 0.1;
  m.interaction = {InteractionKind::Gaussian, 1.0, 1.0, 1.0, {}};
  m.fermions.trap = {PotentialKind::Harmonic, 1.0, 1.0, {}, {}};
  m.bosons.trap = {PotentialKind::Harmonic, 0.5, 1.0, {5.5}, {}};
  m.fermions.init.kind = InitKind::Hartree;
  m.bosons.init.kind = InitKind::Hartree;
  const ModelOperators ops = build_operators(m);
  const InitialData d = initial_data(m, ops);
  EXPECT_LT(orthonormality_error(d.orbitals), 1e-13);
  EXPECT_NEAR(arma::norm(d.phi0), 1.0, 1e-13);

  // The fixed point of SPEC §4's stationary equations, checked with matrices written out here: the
  // fermion trap K_F + U_F^trap (c = ell/2), the boson trap K_B + U_B^trap with its centre at 5.5, and
  // V(x - y) = exp(-r^2/2) (minimum image), with the dense eig_sym of this test:
  // omega = the projector on the M lowest eigenvectors of h_F = K_F + U_F^trap + lambda N V |phi0|^2
  // (aufbau: the lowest, not any M eigenvectors), and phi0 the ground state of
  // h_B = K_B + U_B^trap + lambda M V rho_F = ... + lambda V diag(omega).
  const Index L = 24;
  const double h = 0.5, ell = L * h;
  auto min_image = [ell](double r) {
    while (r > 0.5 * ell) r -= ell;
    while (r <= -0.5 * ell) r += ell;
    return r;
  };
  arma::mat V(L, L);
  for (Index x = 0; x < L; ++x)
    for (Index y = 0; y < L; ++y) {
      const double r = min_image(static_cast<double>(x - y) * h);
      V(x, y) = std::exp(-0.5 * r * r);
    }
  const arma::mat trap_F = ring_one_body(L, h, m.fermions.mass, 1.0);
  arma::mat trap_B = ring_one_body(L, h, m.bosons.mass, 0.0);
  for (Index x = 0; x < L; ++x) {
    const double r = min_image(static_cast<double>(x) * h - 5.5);
    trap_B(x, x) += 0.25 * r * r;
  }
  const arma::mat hF = trap_F + arma::diagmat(m.lambda * 8.0 * (V * arma::square(arma::abs(d.phi0))));
  const arma::cx_mat omega = d.orbitals * d.orbitals.t();
  EXPECT_LT(arma::abs(omega - lowest_projector(hF, 3)).max(), 1e-9);
  const arma::mat hB = trap_B + arma::diagmat(m.lambda * (V * arma::real(omega.diag())));
  EXPECT_LT(arma::abs(d.phi0 * d.phi0.t() - lowest_projector(hB, 1)).max(), 1e-9);

  // Mixed recipes: the fermions keep the Hartree–Hartree half (the same omega), the condensate is the trap
  // ground state of K_B + U_B^trap, built here (not the self-consistent phi0 above).
  m.bosons.init.kind = InitKind::Trap;
  const InitialData mixed = initial_data(m, ops);
  EXPECT_LT(arma::abs(mixed.orbitals * mixed.orbitals.t() - omega).max(), 1e-12);
  EXPECT_LT(arma::abs(mixed.phi0 * mixed.phi0.t() - lowest_projector(trap_B, 1)).max(), 1e-10);
  EXPECT_GT(arma::abs(mixed.phi0 * mixed.phi0.t() - d.phi0 * d.phi0.t()).max(), 1e-3);
}
