// The exact solver with coherent boson initial data (exact.initial = "coherent", SPEC §3, §7): the Slater
// determinant times W[sqrt(N) phi_0] Omega as a Poisson superposition of fixed-number sectors, each evolved
// exactly; gamma_F, gamma_B and the field <b_y> from the superposition.
#include <fmt/format.h>
#include <omp.h>

#include <cmath>
#include <memory>

#include "fockmix/app/solver.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/exact/coherent.hpp"
#include "fockmix/io/h5.hpp"
#include "fockmix/meanfield/initial_data.hpp"
#include "fockmix/model/model_operators.hpp"

namespace fockmix {

namespace {

CoherentOptions options_of(const Model& m) {
  CoherentOptions o;
  o.tolerance = m.exact.coherent_tolerance;
  o.krylov = KrylovOptions{m.exact.tolerance, m.exact.krylov_dim, m.hbar};
  o.cap = m.bosons.max_per_site;
  return o;
}

class CoherentExactSolver final : public Solver {
 public:
  explicit CoherentExactSolver(const SolverContext& c)
      : state_(c.ops, c.init.orbitals, c.init.phi0, options_of(c.model)), M_(c.ops.M), N_(c.ops.N) {
    refresh_view();
  }

  std::string name() const override { return "exact"; }
  std::string label() const override { return "exact"; }

  std::string describe(const h5::Group& g) const override {
    g.set_attr("initial", "coherent");
    g.set_attr("n_lo", state_.window().n_lo);
    g.set_attr("n_hi", state_.window().n_hi);
    g.set_attr("neglected_weight", state_.neglected_weight());
    g.set_attr("dim", state_.dimension());
    g.set_attr("threads", omp_get_max_threads());
    return fmt::format("coherent bosons: sectors n = {}..{} (neglected Poisson weight {:.1e}), {} states in all", state_.window().n_lo,
                       state_.window().n_hi, state_.neglected_weight(), state_.dimension());
  }

  /// On a stop every sector is back at the previous output (CoherentState::evolve_to keeps a copy).
  StepStatus advance_to(double t, const std::atomic<bool>* stop) override {
    StepStatus st;
    if (t <= state_.time()) return st;
    const CoherentEvolveInfo info = state_.evolve_to(t, stop);
    if (info.status == KrylovStatus::Stopped) {
      st.interrupted = st.at_previous_output = true;
      return st;
    }
    if (info.status != KrylovStatus::Converged) throw Error(fmt::format("coherent exact solver: Krylov propagation failed before t = {}", t));
    st.matvecs = info.matvecs;
    st.error_estimate = info.error_estimate;
    matvecs_ += info.matvecs;
    refresh_view();
    return st;
  }

  Record observe() const override {
    Record r;
    r.put("energy", state_.energy());
    r.put("norm", std::sqrt(state_.norm2()));
    r.put("matvecs", static_cast<double>(matvecs_));
    r.put("mean_bosons", state_.mean_bosons());
    r.put("gamma_F", view_.gamma_F);
    r.put("gamma_B", view_.gamma_B);
    r.put("field", state_.field());
    r.put("rho_F", arma::vec(arma::real(view_.gamma_F.diag()) / std::max<double>(1, M_)));
    r.put("rho_B", arma::vec(arma::real(view_.gamma_B.diag()) / std::max(1e-300, state_.mean_bosons())));
    return r;
  }

  /// The time, the matvec counter and every sector's state (n_lo .. n_hi), each written from its own memory.
  void save_state(const h5::Group& g) const override {
    g.set_attr("t", state_.time());
    g.set_attr("n_lo", state_.window().n_lo);
    g.set_attr("n_hi", state_.window().n_hi);
    g.set_attr("matvecs", matvecs_);
    for (Index k = 0; k < state_.sectors(); ++k) g.write(fmt::format("psi_{}", state_.window().n_lo + k), state_.state(k));
  }

  void restore_state(const h5::Group& g) override {
    if (g.attr_int("n_lo") != state_.window().n_lo || g.attr_int("n_hi") != state_.window().n_hi)
      throw IoError(fmt::format("checkpoint {}: boson numbers {}..{}, this model keeps {}..{}", g.path(), g.attr_int("n_lo"), g.attr_int("n_hi"),
                                state_.window().n_lo, state_.window().n_hi));
    for (Index k = 0; k < state_.sectors(); ++k) g.read_into(fmt::format("psi_{}", state_.window().n_lo + k), state_.state_to_restore(k));
    state_.set_time(g.attr_double("t"));
    matvecs_ = g.attr_int("matvecs");
    refresh_view();
  }

  OneBodyView view() const override { return view_; }

  /// The fluctuation numbers of the coherent exact state about a Hartree–Hartree state (SPEC §7 (a)):
  /// <N_F>_U = 2 (M - Tr gamma_F omega), <N_B>_U = <N_B> - 2 sqrt(N) Re <phi, <b>> + N.
  void compare_with(const Solver&, const OneBodyView& mf, Record& out) const override {
    if (!mf.fermion_projection || mf.phi.is_empty()) return;
    const double n = static_cast<double>(N_);
    out.put("nF_U", 2.0 * (static_cast<double>(M_) - std::real(arma::trace(view_.gamma_F * mf.gamma_F))));
    out.put("nB_U", state_.mean_bosons() - 2.0 * std::sqrt(n) * std::real(arma::cdot(mf.phi, state_.field())) + n);
  }

  std::vector<SummaryColumn> summary_columns() const override { return {{"energy", "dE_exact", true}}; }

 private:
  void refresh_view() {
    view_.M = M_;
    view_.N = N_;
    view_.gamma_F = state_.gamma_F();
    view_.gamma_B = state_.gamma_B();
  }

  CoherentState state_;
  Index M_, N_;
  Index matvecs_ = 0;
  OneBodyView view_;
};

}  // namespace

std::unique_ptr<Solver> make_coherent_exact_solver(const SolverContext& c) { return std::make_unique<CoherentExactSolver>(c); }

}  // namespace fockmix
