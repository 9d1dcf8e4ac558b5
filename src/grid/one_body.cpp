#include "fockmix/grid/one_body.hpp"

#include <cmath>

#include "fockmix/core/error.hpp"

namespace fockmix {

namespace {

constexpr double pi = 3.14159265358979323846;

/// 1D -Delta on L points of spacing h.
arma::mat laplacian_1d(Index L, double h, KineticKind kind) {
  arma::mat A(L, L, arma::fill::zeros);
  if (L == 1) return A;  // a single site has no kinetic energy
  if (kind == KineticKind::Hopping) {
    for (Index i = 0; i < L; ++i) {
      A(i, i) += 2.0;
      A(i, (i + 1) % L) -= 1.0;
      A(i, (i + L - 1) % L) -= 1.0;
    }
    return A / (h * h);
  }
  // Spectral: A(x, x') = (1/L) sum_j k_j^2 cos(k_j (x - x')), k_j = 2 pi j / (L h),
  // j = -floor((L-1)/2) .. floor(L/2); the Nyquist mode (even L) has k^2 = (pi/h)^2.
  const double ell = static_cast<double>(L) * h;
  for (Index n = 0; n < L; ++n) {
    double s = 0.0;
    for (Index j = -(L - 1) / 2; j <= L / 2; ++j) {
      const double k = 2.0 * pi * static_cast<double>(j) / ell;
      s += k * k * std::cos(2.0 * pi * static_cast<double>(j * n) / static_cast<double>(L));
    }
    s /= static_cast<double>(L);
    for (Index i = 0; i < L; ++i) A(i, (i + n) % L) = s;
  }
  return A;
}

double gaussian(double r2, double w) { return std::exp(-r2 / (2.0 * w * w)); }

std::array<double, 3> centre_of(const Lattice& lat, const std::vector<double>& c, const std::string& key) {
  std::array<double, 3> out{0.0, 0.0, 0.0};
  if (c.empty()) {
    for (int a = 0; a < lat.dim(); ++a) out[a] = 0.5 * lat.box(a);
    return out;
  }
  if (static_cast<int>(c.size()) != lat.dim())
    throw InputError("", key, "needs one entry per axis (" + std::to_string(lat.dim()) + "), got " + std::to_string(c.size()));
  for (int a = 0; a < lat.dim(); ++a) out[a] = c[a];
  return out;
}

}  // namespace

arma::mat laplacian(const Lattice& lat, KineticKind kind) {
  // -Delta = sum_a 1 (x) ... (x) A_a (x) ... (x) 1 in row-major order (axis 0 slowest).
  arma::mat out(lat.sites(), lat.sites(), arma::fill::zeros);
  for (int a = 0; a < lat.dim(); ++a) {
    arma::mat term(1, 1, arma::fill::ones);
    for (int b = 0; b < lat.dim(); ++b) {
      const Index L = lat.extent()[b];
      term = arma::kron(term, b == a ? laplacian_1d(L, lat.spacing(), kind) : arma::mat(arma::eye(L, L)));
    }
    out += term;
  }
  return out;
}

arma::mat kinetic(const Lattice& lat, KineticKind kind, double hbar, double mass) {
  if (!(hbar > 0.0)) throw InputError("", "physics.hbar", "must be positive");
  if (!(mass > 0.0)) throw InputError("", "mass", "must be positive");
  return (hbar * hbar / (2.0 * mass)) * laplacian(lat, kind);
}

double dispersion(const Lattice& lat, KineticKind kind, double hbar, double mass, const std::array<double, 3>& p) {
  const double h = lat.spacing();
  double e = 0.0;
  for (int a = 0; a < lat.dim(); ++a) {
    if (lat.extent()[a] == 1) continue;
    if (kind == KineticKind::Hopping)
      e += (hbar * hbar / (mass * h * h)) * (1.0 - std::cos(p[a] * h / hbar));
    else
      e += p[a] * p[a] / (2.0 * mass);
  }
  return e;
}

arma::vec potential(const Lattice& lat, const PotentialSpec& spec) {
  const Index L = lat.sites();
  arma::vec U(L, arma::fill::zeros);
  if (spec.kind == PotentialKind::None) return U;
  if (spec.kind == PotentialKind::Table) {
    if (static_cast<Index>(spec.table.size()) != L)
      throw InputError("", "potential.table", "needs " + std::to_string(L) + " values, got " + std::to_string(spec.table.size()));
    for (Index s = 0; s < L; ++s) U(s) = spec.table[s];
    return U;
  }
  if (spec.kind == PotentialKind::Gaussian && !(spec.width > 0.0))
    throw InputError("", "potential.width", "must be positive");
  const auto c = centre_of(lat, spec.centre, "potential.centre");
  for (Index s = 0; s < L; ++s) {
    const auto x = lat.position(s);
    switch (spec.kind) {
      case PotentialKind::Harmonic:
        U(s) = 0.5 * spec.strength * norm2(lat.displacement(x, c), lat.dim());
        break;
      case PotentialKind::Cosine:
        for (int a = 0; a < lat.dim(); ++a) U(s) += spec.strength * (1.0 - std::cos(2.0 * pi * (x[a] - c[a]) / lat.box(a)));
        break;
      case PotentialKind::Gaussian:
        U(s) = spec.strength * gaussian(norm2(lat.displacement(x, c), lat.dim()), spec.width);
        break;
      default:
        break;
    }
  }
  return U;
}

arma::vec interaction_profile(const Lattice& lat, const InteractionSpec& spec) {
  const Index L = lat.sites();
  arma::vec v(L, arma::fill::zeros);
  if (spec.kind == InteractionKind::Gaussian && !(spec.width > 0.0))
    throw InputError("", "interaction.width", "must be positive");
  if (spec.kind == InteractionKind::SoftCoulomb && !(spec.epsilon > 0.0))
    throw InputError("", "interaction.epsilon", "must be positive");
  if (spec.kind == InteractionKind::Table && static_cast<Index>(spec.table.size()) != L)
    throw InputError("", "interaction.table", "needs " + std::to_string(L) + " values, got " + std::to_string(spec.table.size()));
  const std::array<double, 3> origin{0.0, 0.0, 0.0};
  for (Index s = 0; s < L; ++s) {
    const auto r = lat.displacement(lat.position(s), origin);
    const double r2 = norm2(r, lat.dim());
    switch (spec.kind) {
      case InteractionKind::Gaussian: v(s) = spec.amplitude * gaussian(r2, spec.width); break;
      case InteractionKind::Cosine:
        for (int a = 0; a < lat.dim(); ++a) v(s) += spec.amplitude * std::cos(2.0 * pi * r[a] / lat.box(a));
        break;
      case InteractionKind::Constant: v(s) = spec.amplitude; break;
      case InteractionKind::SoftCoulomb: v(s) = spec.amplitude / std::sqrt(r2 + spec.epsilon * spec.epsilon); break;
      case InteractionKind::Table: v(s) = spec.table[s]; break;
    }
  }
  // Evenness: V at site s must equal V at the mirrored site -s.
  for (Index s = 0; s < L; ++s) {
    auto c = lat.coords(s);
    for (int a = 0; a < lat.dim(); ++a) c[a] = -c[a];
    const Index m = lat.site(c);
    const double scale = std::max({1.0, std::abs(v(s)), std::abs(v(m))});
    if (std::abs(v(s) - v(m)) > 1e-12 * scale)
      throw InputError("", "interaction", "V must be even, V(-r) = V(r), but differs at site " + std::to_string(s) +
                                             " (" + std::to_string(v(s)) + " vs " + std::to_string(v(m)) + ")");
  }
  return v;
}

arma::mat interaction_matrix(const Lattice& lat, const InteractionSpec& spec) {
  const arma::vec v = interaction_profile(lat, spec);
  const Index L = lat.sites();
  arma::mat V(L, L);
  for (Index x = 0; x < L; ++x) {
    const auto cx = lat.coords(x);
    for (Index y = 0; y < L; ++y) {
      const auto cy = lat.coords(y);
      std::array<Index, 3> d{cx[0] - cy[0], cx[1] - cy[1], cx[2] - cy[2]};
      V(x, y) = v(lat.site(d));
    }
  }
  return V;
}

KineticKind kinetic_kind_from(const std::string& name, const std::string& key) {
  if (name == "hopping") return KineticKind::Hopping;
  if (name == "spectral") return KineticKind::Spectral;
  throw InputError("", key, "unknown kinetic operator '" + name + "' (expected hopping or spectral)");
}

PotentialKind potential_kind_from(const std::string& name, const std::string& key) {
  if (name == "none") return PotentialKind::None;
  if (name == "harmonic") return PotentialKind::Harmonic;
  if (name == "cosine") return PotentialKind::Cosine;
  if (name == "gaussian") return PotentialKind::Gaussian;
  if (name == "table") return PotentialKind::Table;
  throw InputError("", key, "unknown potential '" + name + "' (expected none, harmonic, cosine, gaussian or table)");
}

InteractionKind interaction_kind_from(const std::string& name, const std::string& key) {
  if (name == "gaussian") return InteractionKind::Gaussian;
  if (name == "cosine") return InteractionKind::Cosine;
  if (name == "constant") return InteractionKind::Constant;
  if (name == "softcoulomb") return InteractionKind::SoftCoulomb;
  if (name == "table") return InteractionKind::Table;
  throw InputError("", key, "unknown interaction '" + name + "' (expected gaussian, cosine, constant, softcoulomb or table)");
}

std::string to_string(KineticKind k) { return k == KineticKind::Hopping ? "hopping" : "spectral"; }
std::string to_string(PotentialKind k) {
  switch (k) {
    case PotentialKind::None: return "none";
    case PotentialKind::Harmonic: return "harmonic";
    case PotentialKind::Cosine: return "cosine";
    case PotentialKind::Gaussian: return "gaussian";
    case PotentialKind::Table: return "table";
  }
  return "?";
}
std::string to_string(InteractionKind k) {
  switch (k) {
    case InteractionKind::Gaussian: return "gaussian";
    case InteractionKind::Cosine: return "cosine";
    case InteractionKind::Constant: return "constant";
    case InteractionKind::SoftCoulomb: return "softcoulomb";
    case InteractionKind::Table: return "table";
  }
  return "?";
}

}  // namespace fockmix
