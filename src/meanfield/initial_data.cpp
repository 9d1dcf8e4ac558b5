#include "fockmix/meanfield/initial_data.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <numeric>
#include <sstream>
#include <vector>

#include "fockmix/core/error.hpp"
#include "fockmix/meanfield/hartree.hpp"

namespace fockmix {

namespace {

constexpr double pi = 3.14159265358979323846;

/// Which species a recipe is for: fixes the keys in messages, the mass and the one-body operators.
struct SpeciesContext {
  std::string prefix;  ///< "fermions" or "bosons"
  const InitSpec& init;
  double mass;
  const arma::mat& kinetic;
};

std::array<double, 3> vector_arg(const Lattice& lat, const std::vector<double>& v, bool default_centre,
                                 const std::string& file, const std::string& key) {
  std::array<double, 3> out{0.0, 0.0, 0.0};
  if (v.empty()) {
    if (default_centre)
      for (int a = 0; a < lat.dim(); ++a) out[a] = 0.5 * lat.box(a);
    return out;
  }
  if (static_cast<int>(v.size()) != lat.dim())
    throw InputError(file, key, "needs one entry per axis (" + std::to_string(lat.dim()) + "), got " + std::to_string(v.size()));
  for (int a = 0; a < lat.dim(); ++a) {
    if (!std::isfinite(v[a])) throw InputError(file, key, "entries must be finite numbers");
    out[a] = v[a];
  }
  return out;
}

/// The `count` lowest eigenvectors of a harmonic trap of width w around c, times e^{i p.(x-c)/hbar}.
arma::cx_mat packet_states(const Model& model, const ModelOperators& ops, const SpeciesContext& sp, Index count) {
  const Lattice& lat = ops.lattice;
  const std::string key = sp.prefix + ".init";
  const double w = sp.init.width;
  if (!(w > 0.0) || !std::isfinite(w)) throw InputError(model.source, key + ".width", "must be a positive number");
  const auto c = vector_arg(lat, sp.init.centre, true, model.source, key + ".centre");
  const auto p = vector_arg(lat, sp.init.momentum, false, model.source, key + ".momentum");
  const double kappa = ops.hbar * ops.hbar / (sp.mass * w * w * w * w);
  const Index L = lat.sites();
  arma::vec U(L);
  arma::vec phase(L);
  for (Index s = 0; s < L; ++s) {
    const auto r = lat.displacement(lat.position(s), c);
    U(s) = 0.5 * kappa * norm2(r, lat.dim());
    double ph = 0.0;
    for (int a = 0; a < lat.dim(); ++a) ph += p[a] * r[a];
    phase(s) = ph / ops.hbar;
  }
  const Spectrum spec = canonical_eig(sp.kinetic + arma::diagmat(U));
  require_closed_shell(spec.values, count, model.source, key);
  arma::cx_vec kick(L);
  for (Index s = 0; s < L; ++s) kick(s) = std::polar(1.0, phase(s));
  arma::cx_mat out(L, count);
  for (Index j = 0; j < count; ++j) out.col(j) = kick % arma::conv_to<arma::cx_vec>::from(spec.vectors.col(j));
  return out;
}

/// M plane waves of lowest dispersion (a Fermi sea), times the kick e^{i p.x/hbar}.
arma::cx_mat plane_wave_states(const Model& model, const ModelOperators& ops, const SpeciesContext& sp, Index count) {
  const Lattice& lat = ops.lattice;
  const std::string key = sp.prefix + ".init";
  const auto p = vector_arg(lat, sp.init.momentum, false, model.source, key + ".momentum");
  const Index L = lat.sites();
  const int d = lat.dim();
  // Fourier indices j_a = -floor((L_a-1)/2) .. floor(L_a/2) on every axis, enumerated row-major
  // (axis 0 slowest) in ascending j_a: this order breaks ties of the dispersion deterministically.
  std::vector<std::array<Index, 3>> modes;
  modes.reserve(static_cast<std::size_t>(L));
  std::array<Index, 3> lo{0, 0, 0}, j{0, 0, 0};
  for (int a = 0; a < d; ++a) lo[a] = -(lat.extent()[a] - 1) / 2;
  for (Index n = 0; n < L; ++n) {
    Index rest = n;
    for (int a = d - 1; a >= 0; --a) {
      j[a] = lo[a] + rest % lat.extent()[a];
      rest /= lat.extent()[a];
    }
    modes.push_back(j);
  }
  std::vector<double> eps(modes.size());
  for (std::size_t m = 0; m < modes.size(); ++m) {
    std::array<double, 3> mom{0.0, 0.0, 0.0};
    for (int a = 0; a < d; ++a) mom[a] = ops.hbar * 2.0 * pi * static_cast<double>(modes[m][a]) / lat.box(a);
    eps[m] = dispersion(lat, model.kinetic, ops.hbar, sp.mass, mom);
  }
  std::vector<std::size_t> order(modes.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return eps[a] < eps[b]; });
  arma::vec sorted(modes.size());
  for (std::size_t m = 0; m < order.size(); ++m) sorted(m) = eps[order[m]];
  require_closed_shell(sorted, count, model.source, key);

  arma::cx_mat out(L, count);
  const double norm = 1.0 / std::sqrt(static_cast<double>(L));
  for (Index col = 0; col < count; ++col) {
    const auto& jj = modes[order[static_cast<std::size_t>(col)]];
    for (Index s = 0; s < L; ++s) {
      const auto c = lat.coords(s);
      const auto x = lat.position(s);
      // Exact lattice phase 2 pi j_a c_a / L_a (no round-off from k x), plus the kick.
      double ph = 0.0;
      for (int a = 0; a < d; ++a) {
        const Index r = (jj[a] * c[a]) % lat.extent()[a];
        ph += 2.0 * pi * static_cast<double>(r) / static_cast<double>(lat.extent()[a]) + p[a] * x[a] / ops.hbar;
      }
      out(s, col) = std::polar(norm, ph);
    }
  }
  return out;
}

/// Read an L x (2 count) table of Re, Im columns and orthonormalise it (Loewdin).
arma::cx_mat read_states(const Model& model, const ModelOperators& ops, const SpeciesContext& sp, Index count) {
  const std::string key = sp.prefix + ".init.file";
  if (sp.init.file.empty()) throw InputError(model.source, key, "is required for init kind 'file'");
  const std::string& path = sp.init.file;
  const std::string& src = model.source;
  const std::string table = "table file '" + path + "'";
  std::ifstream in(path);
  std::error_code ec;
  if (!in || std::filesystem::is_directory(path, ec)) throw InputError(src, key, "cannot open the " + table);
  const Index L = ops.lattice.sites();
  const Index columns = 2 * count;
  arma::cx_mat A(L, count, arma::fill::zeros);
  std::string line;
  Index row = 0, line_no = 0;
  while (std::getline(in, line)) {
    ++line_no;
    const auto first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line[first] == '#') continue;
    if (row >= L)
      throw InputError(src, key, table + " has more than L = " + std::to_string(L) + " data rows (line " + std::to_string(line_no) + ")");
    std::istringstream tokens(line);
    std::string tok;
    std::vector<double> values;
    while (tokens >> tok) {
      char* end = nullptr;
      const double v = std::strtod(tok.c_str(), &end);
      if (end == tok.c_str() || *end != '\0' || !std::isfinite(v))
        throw InputError(src, key, table + " line " + std::to_string(line_no) + ": '" + tok + "' is not a finite number");
      values.push_back(v);
    }
    if (static_cast<Index>(values.size()) != columns)
      throw InputError(src, key, table + " line " + std::to_string(line_no) + " has " + std::to_string(values.size()) +
                                      " columns, expected " + std::to_string(columns) + " (Re, Im of " +
                                      std::to_string(count) + " state(s))");
    for (Index j = 0; j < count; ++j) A(row, j) = cplx(values[2 * j], values[2 * j + 1]);
    ++row;
  }
  if (row != L)
    throw InputError(src, key, table + " has " + std::to_string(row) + " data rows, expected L = " + std::to_string(L));
  if (count == 0) return A;
  // Loewdin: A S^{-1/2}, S = A^* A; rejects (numerically) linearly dependent columns.
  arma::vec s;
  arma::cx_mat Q;
  const arma::cx_mat S = A.t() * A;
  if (!arma::eig_sym(s, Q, arma::cx_mat(0.5 * (S + S.t()))))
    throw InputError(src, key, table + ": the overlap matrix of the states could not be diagonalised");
  if (!(s.min() > 1e-10 * std::max(1.0, s.max())))
    throw InputError(src, key, table + ": the states are linearly dependent or zero (smallest overlap eigenvalue " +
                                    std::to_string(s.min()) + ")");
  return A * (Q * arma::diagmat(1.0 / arma::sqrt(s)) * Q.t());
}

arma::cx_mat states_by_kind(const Model& model, const ModelOperators& ops, const SpeciesContext& sp, Index count,
                            bool allow_plane_waves) {
  const std::string expected =
      allow_plane_waves ? "trap, plane_waves, packet, hartree or file" : "trap, packet, hartree or file";
  switch (sp.init.kind) {
    case InitKind::Trap: {
      const arma::mat& h = sp.prefix == "fermions" ? ops.trap_one_body_F() : ops.trap_one_body_B();
      const Spectrum spec = canonical_eig(h);
      require_closed_shell(spec.values, count, model.source, sp.prefix + ".init");
      if (count == 0) return arma::cx_mat(h.n_rows, 0);
      return arma::conv_to<arma::cx_mat>::from(arma::mat(spec.vectors.cols(0, count - 1)));
    }
    case InitKind::Packet: return packet_states(model, ops, sp, count);
    case InitKind::File: return read_states(model, ops, sp, count);
    case InitKind::PlaneWaves:
      if (allow_plane_waves) return plane_wave_states(model, ops, sp, count);
      throw InputError(model.source, sp.prefix + ".init.kind",
                       "initial state 'plane_waves' is not available for " + sp.prefix + " (expected " + expected + ")");
    case InitKind::Hartree: break;  // the callers take the Hartree ground state before getting here
  }
  throw InputError(model.source, sp.prefix + ".init.kind",
                   "initial state '" + to_string(sp.init.kind) + "' cannot be built one species at a time (expected " +
                       expected + ")");
}

/// hartree_ground_state with the model file named in its errors.
HartreeGroundState ground_state_of(const Model& model, const ModelOperators& ops) {
  HartreeGroundState gs;
  try {
    gs = hartree_ground_state(ops);
  } catch (const InputError& e) {
    throw InputError(model.source, e.key(), e.reason());
  }
  if (!gs.converged) {
    const std::string key = model.fermions.init.kind == InitKind::Hartree ? "fermions.init" : "bosons.init";
    throw InputError(model.source, key,
                     "the Hartree-Hartree ground state did not converge in " + std::to_string(gs.iterations) +
                         " iterations (density residual " + std::to_string(gs.residual) + ")");
  }
  return gs;
}

}  // namespace

void require_closed_shell(const arma::vec& values, Index count, const std::string& file, const std::string& key) {
  const Index n = static_cast<Index>(values.n_elem);
  if (count < 0 || count > n)
    throw InputError(file, key, "needs " + std::to_string(count) + " states but only " + std::to_string(n) + " exist");
  if (count == 0 || count == n) return;
  const double scale = std::max(1.0, arma::abs(values).max());
  const double gap = values(count) - values(count - 1);
  if (std::abs(gap) <= 1e-9 * scale) {
    std::ostringstream msg;
    msg.precision(12);
    msg << "open shell: level " << count << " (" << values(count - 1) << ") and level " << count + 1 << " ("
        << values(count) << ") are degenerate, so the state of the " << count
        << " lowest levels is ambiguous; change the particle number or break the symmetry";
    throw InputError(file, key, msg.str());
  }
}

arma::cx_mat fermion_orbitals(const Model& model, const ModelOperators& ops) {
  const Index M = ops.M;
  if (M < 0 || M > ops.lattice.sites())
    throw InputError(model.source, "fermions.number", "must lie in 0..L = " + std::to_string(ops.lattice.sites()));
  if (model.fermions.init.kind == InitKind::Hartree) return ground_state_of(model, ops).state.orbitals;
  const SpeciesContext sp{"fermions", model.fermions.init, model.fermions.mass, ops.kinetic_F};
  return states_by_kind(model, ops, sp, M, true);
}

arma::cx_vec condensate(const Model& model, const ModelOperators& ops) {
  if (model.bosons.init.kind == InitKind::Hartree) return ground_state_of(model, ops).state.phi;
  const SpeciesContext sp{"bosons", model.bosons.init, model.bosons.mass, ops.kinetic_B};
  return states_by_kind(model, ops, sp, 1, false).col(0);
}

InitialData initial_data(const Model& model, const ModelOperators& ops) {
  if (model.fermions.init.kind == InitKind::Hartree && model.bosons.init.kind == InitKind::Hartree) {
    if (ops.M < 0 || ops.M > ops.lattice.sites())
      throw InputError(model.source, "fermions.number", "must lie in 0..L = " + std::to_string(ops.lattice.sites()));
    HartreeGroundState gs = ground_state_of(model, ops);
    return InitialData{std::move(gs.state.orbitals), std::move(gs.state.phi)};
  }
  return InitialData{fermion_orbitals(model, ops), condensate(model, ops)};
}

}  // namespace fockmix
