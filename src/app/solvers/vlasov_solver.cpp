// The Vlasov–Hartree solver behind the solver seam (SPEC §5): f on sites x momenta and the condensate;
// M Op(f) and N |phi><phi| as the one-body view, the (2.24) norm against a Hartree–Hartree state.
#include <fmt/format.h>

#include <cmath>
#include <memory>
#include <optional>

#include "fockmix/analysis/phase_space.hpp"
#include "fockmix/app/solver.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/io/h5.hpp"
#include "fockmix/meanfield/initial_data.hpp"
#include "fockmix/meanfield/vlasov_hartree.hpp"
#include "fockmix/model/model_operators.hpp"

namespace fockmix {

namespace {

VlasovOptions options_of(const VlasovSpec& v) {
  VlasovOptions o;
  o.momentum_points = v.momentum_points;
  o.momentum_box = v.momentum_box;
  o.dt = v.dt;
  o.scheme = v.scheme;
  return o;
}

class VlasovSolver final : public Solver {
 public:
  explicit VlasovSolver(const SolverContext& c)
      : vh_(c.ops, options_of(c.model.vlasov)), M_(c.ops.M), N_(c.ops.N), hbar_(c.ops.hbar), initial_(c.model.vlasov.initial) {
    if (initial_ == VlasovInitial::Wigner) {
      state_ = vh_.wigner_state(c.init.orbitals * c.init.orbitals.t(), c.init.phi0);
    } else if (initial_ == VlasovInitial::ThomasFermi) {
      state_ = vh_.thomas_fermi_state(c.init.phi0);
    } else {
      arma::mat f0;
      if (!f0.load(c.model.vlasov.file, arma::raw_ascii)) throw IoError(c.model.vlasov.file + ": cannot read the f_0 table");
      const double mass = arma::accu(f0) * std::pow(vh_.lattice().spacing(), vh_.lattice().dim()) * vh_.momentum_grid().cell();
      if (!(std::abs(mass) > 0.0)) throw IoError(c.model.vlasov.file + ": the f_0 table integrates to zero");
      state_ = vh_.state_from_array(f0 / mass, c.init.phi0);
    }
  }

  std::string name() const override { return "vlasov"; }
  std::string label() const override { return "Vlasov–Hartree"; }

  std::string describe(const h5::Group& g) const override {
    const MomentumGrid& grid = vh_.momentum_grid();
    g.set_attr("dt", vh_.options().dt);
    g.set_attr("scheme", vh_.options().scheme == VlasovScheme::Strang2 ? "Strang splitting of exact shifts (order 2)"
                                                                         : "triple jump of the Strang splitting (order 4)");
    g.set_attr("initial", initial_ == VlasovInitial::Wigner ? "wigner" : initial_ == VlasovInitial::ThomasFermi ? "thomas_fermi" : "file");
    g.set_attr("momentum_points", grid.size());
    const int d = vh_.lattice().dim();
    arma::mat p(static_cast<arma::uword>(grid.size()), static_cast<arma::uword>(d));
    for (Index j = 0; j < grid.size(); ++j)
      for (int a = 0; a < d; ++a) p(static_cast<arma::uword>(j), static_cast<arma::uword>(a)) = grid.momentum(j)[a];
    g.write("momenta", p);
    g.set_attr("cell", grid.cell());
    return fmt::format("{} sites x {} momenta, dt = {}, f_0 {}", vh_.lattice().sites(), grid.size(), vh_.options().dt,
                       initial_ == VlasovInitial::Wigner ? "= W[omega_0]/M" : initial_ == VlasovInitial::ThomasFermi ? "Thomas–Fermi" : "from a file");
  }

  /// VlasovHartree::evolve_to reads `stop` between its steps; on a stop the state goes back to the copy taken
  /// at the start of the interval (the previous output time).
  StepStatus advance_to(double t, const std::atomic<bool>* stop) override {
    std::optional<VlasovState> start;
    if (stop != nullptr) start = state_;
    const VlasovStepInfo info = vh_.evolve_to(state_, t, stop);
    StepStatus st;
    if (info.stopped) {
      state_ = std::move(*start);
      st.interrupted = st.at_previous_output = true;
      return st;
    }
    st.steps = info.steps;
    return st;
  }


  void save_state(const h5::Group& g) const override {
    g.set_attr("t", state_.t);
    g.write("f", state_.f);
    g.write("phi", state_.phi);
  }

  void restore_state(const h5::Group& g) override {
    VlasovState s;
    s.t = g.attr_double("t");
    s.f = g.read_mat("f");
    s.phi = g.read_cx_vec("phi");
    if (s.f.n_rows != state_.f.n_rows || s.f.n_cols != state_.f.n_cols || s.phi.n_elem != state_.phi.n_elem)
      throw IoError("checkpoint " + g.path() + ": the Vlasov–Hartree state does not fit this model's phase space");
    state_ = std::move(s);
  }

  Record observe() const override {
    Record r;
    const VlasovDiagnostics d = vh_.diagnostics(state_);
    r.put("energy", d.energy);
    r.put("mass", d.mass);
    r.put("f2", d.f2);
    r.put("min_f", d.min_f);
    r.put("max_occupation", d.max_occupation);
    r.put("norm_phi", d.phi_norm);
    r.put("phi", state_.phi);
    r.put("rho_F", vh_.fermion_density(state_));
    r.put("rho_B", vh_.boson_density(state_));
    r.put("f", state_.f);
    return r;
  }

  OneBodyView view() const override {
    return {M_, N_, vh_.fermion_density_matrix(state_), static_cast<double>(N_) * (state_.phi * state_.phi.t()), state_.phi, false};
  }

  /// The Fourier-based norm |f^hbar - f|_1 of (2.24) against a Hartree–Hartree omega.
  void compare_with(const Solver&, const OneBodyView& other, Record& out) const override {
    if (!other.fermion_projection) return;
    out.put("fourier_norm", fourier_distance(other.gamma_F, M_, state_.f, vh_.lattice(), hbar_, vh_.momentum_grid()));
  }

  std::vector<SummaryColumn> summary_columns() const override { return {{"energy", "dE_VH", true}}; }

 private:
  VlasovHartree vh_;
  Index M_, N_;
  double hbar_;
  VlasovInitial initial_;
  VlasovState state_;
};

}  // namespace

std::unique_ptr<Solver> make_vlasov_solver(const SolverContext& c) { return std::make_unique<VlasovSolver>(c); }

}  // namespace fockmix
