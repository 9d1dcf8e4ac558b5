// The fluctuation dynamics behind the solver seam (SPEC §7): U(t,0) Omega and the truncated U~(t,0) Omega
// around the Hartree–Hartree trajectory from the model's initial data. It has no one-body view.
#include <fmt/format.h>

#include <algorithm>
#include <memory>

#include "fockmix/app/solver.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/fluct/dynamics.hpp"
#include "fockmix/io/h5.hpp"
#include "fockmix/meanfield/initial_data.hpp"
#include "fockmix/model/model_operators.hpp"

namespace fockmix {

namespace {

FluctuationOptions options_of(const FluctSpec& f) {
  FluctuationOptions o;
  o.boson_cutoff = f.boson_cutoff;
  o.cutoff = f.cutoff;
  o.dt = f.dt;
  o.scheme = f.scheme == FluctScheme::Midpoint2 ? MagnusScheme::Midpoint2 : MagnusScheme::CommutatorFree4;
  o.krylov_tolerance = f.tolerance;
  return o;
}

void put_numbers(Record& r, const std::string& suffix, const FluctuationNumbers& n) {
  r.put("norm" + suffix, n.norm);
  r.put("nF" + suffix, n.nF);
  r.put("nB" + suffix, n.nB);
  r.put("N1" + suffix, n.N1);
  r.put("N2" + suffix, n.N2);
  r.put("N3" + suffix, n.N3);
  r.put("top_shell" + suffix, n.top_shell);
}

class FluctSolver final : public Solver {
 public:
  explicit FluctSolver(const SolverContext& c)
      : dyn_(c.ops, c.init.orbitals, c.init.phi0, options_of(c.model.fluct)),
        warn_at_(c.model.fluct.top_shell_warning),
        rate_(theorem3_rate(c.ops.lambda, static_cast<double>(c.ops.N), static_cast<double>(c.ops.M), c.ops.hbar)) {}

  std::string name() const override { return "fluct"; }
  std::string label() const override { return "fluctuations"; }

  std::string describe(const h5::Group& g) const override {
    const FluctuationOptions& o = dyn_.options();
    g.set_attr("dim", dyn_.space().size());
    g.set_attr("boson_cutoff", o.boson_cutoff);
    g.set_attr("cutoff", dyn_.cutoff());
    g.set_attr("dt", o.dt);
    g.set_attr("scheme", o.scheme == MagnusScheme::Midpoint2 ? "exponential midpoint (order 2)" : "commutator-free Magnus (order 4)");
    g.set_attr("theorem3_rate", rate_);
    return fmt::format("dimension {} (K_B = {}), cut-off c = {:.3g}, dt = {}", dyn_.space().size(), o.boson_cutoff, dyn_.cutoff(), o.dt);
  }

  /// On a stop both states and the trajectory are back at the previous output (FluctuationDynamics keeps a copy).
  StepStatus advance_to(double t, const std::atomic<bool>* stop) override {
    StepStatus st;
    if (t <= dyn_.time()) return st;
    const FluctuationStepInfo info = dyn_.evolve_to(t, stop);
    if (info.status == KrylovStatus::Stopped) {
      st.interrupted = st.at_previous_output = true;
      return st;
    }
    if (info.status != KrylovStatus::Converged)
      throw Error(fmt::format("fluctuation dynamics: a Krylov exponential could not meet tolerance {} before t = {}",
                              dyn_.options().krylov_tolerance, t));
    st.matvecs = info.matvecs;
    st.error_estimate = info.krylov_error;
    st.converged = info.hartree_converged;
    matvecs_ += info.matvecs;
    return st;
  }

  Record observe() const override {
    const FluctuationObservables o = dyn_.observables();
    Record r;
    put_numbers(r, "", o.exact);
    put_numbers(r, "_truncated", o.truncated);
    r.put("distance", o.distance);
    r.put("matvecs", static_cast<double>(matvecs_));
    top_shell_ = std::max({top_shell_, o.exact.top_shell, o.truncated.top_shell});
    return r;
  }

  /// Both states, the time, the Hartree–Hartree trajectory (state, mode matrix, accumulated diagnostics) and
  /// the counters of observe() and warnings().
  void save_state(const h5::Group& g) const override {
    g.set_attr("t", dyn_.time());
    g.write("psi", dyn_.state());
    g.set_attr("truncated", dyn_.options().truncated);
    if (dyn_.options().truncated) g.write("psi_truncated", dyn_.truncated_state());
    const ModeTrajectory& traj = dyn_.trajectory();
    g.set_attr("hartree_t", traj.hartree().t);
    g.write("orbitals", traj.hartree().orbitals);
    g.write("phi", traj.hartree().phi);
    g.write("modes", traj.modes());
    g.set_attr("hartree_steps", traj.info().steps);
    g.set_attr("hartree_iterations", traj.info().iterations);
    g.set_attr("hartree_converged", traj.info().converged);
    g.set_attr("hartree_max_residual", traj.info().max_residual);
    g.set_attr("matvecs", matvecs_);
    g.set_attr("top_shell", top_shell_);
  }

  void restore_state(const h5::Group& g) override {
    HartreeState hh;
    hh.t = g.attr_double("hartree_t");
    hh.orbitals = g.read_cx_mat("orbitals");
    hh.phi = g.read_cx_vec("phi");
    HartreeStepInfo info;
    info.steps = static_cast<int>(g.attr_int("hartree_steps"));
    info.iterations = static_cast<int>(g.attr_int("hartree_iterations"));
    info.converged = g.attr_bool("hartree_converged");
    info.max_residual = g.attr_double("hartree_max_residual");
    if (g.attr_bool("truncated") != dyn_.options().truncated)
      throw IoError("checkpoint " + g.path() + ": the truncated dynamics was " + (dyn_.options().truncated ? "not " : "") + "evolved");
    try {
      dyn_.restore(g.attr_double("t"), g.read_cx_vec("psi"), dyn_.options().truncated ? g.read_cx_vec("psi_truncated") : arma::cx_vec(), hh,
                   g.read_cx_mat("modes"), info);
    } catch (const InputError& e) {
      throw IoError("checkpoint " + g.path() + ": the fluctuation state does not fit this model (" + e.what() + ")");
    }
    matvecs_ = g.attr_int("matvecs");
    top_shell_ = g.attr_double("top_shell");
  }

  bool has_view() const override { return false; }
  OneBodyView view() const override { return {}; }

  std::vector<std::string> warnings() const override {
    if (top_shell_ <= warn_at_) return {};
    return {fmt::format("fluctuations: the weight in the top boson shell reached {:.2e} > fluct.top_shell_warning = {:.1e}: "
                        "raise fluct.boson_cutoff (K_B = {})",
                        top_shell_, warn_at_, dyn_.options().boson_cutoff)};
  }

  std::vector<SummaryColumn> summary_columns() const override {
    return {{"nF", "<N_F>_U"}, {"nB", "<N_B>_U"}, {"distance", "|U-U~|"}, {"top_shell", "top shell"}};
  }

 private:
  FluctuationDynamics dyn_;
  double warn_at_;
  double rate_;
  Index matvecs_ = 0;
  mutable double top_shell_ = 0.0;
};

}  // namespace

std::unique_ptr<Solver> make_fluct_solver(const SolverContext& c) { return std::make_unique<FluctSolver>(c); }

}  // namespace fockmix
