// The Hartree–Hartree solver behind the solver seam (SPEC §4): orbitals and condensate in the orbital
// gauge, omega and N |phi><phi| as the one-body view.
#include <fmt/format.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "fockmix/app/solver.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/io/h5.hpp"
#include "fockmix/meanfield/hartree.hpp"
#include "fockmix/meanfield/initial_data.hpp"
#include "fockmix/model/model_operators.hpp"

namespace fockmix {

namespace {

class HartreeSolver final : public Solver {
 public:
  explicit HartreeSolver(const SolverContext& c)
      : hh_(c.ops, HartreeOptions{.dt = c.model.hartree.dt, .tolerance = c.model.hartree.tolerance, .scheme = c.model.hartree.scheme}),
        scheme_(c.model.hartree.scheme),
        M_(c.ops.M),
        N_(c.ops.N) {
    state_.orbitals = c.init.orbitals;
    state_.phi = c.init.phi0;
  }

  std::string name() const override { return "hartree"; }
  std::string label() const override { return "Hartree–Hartree"; }

  std::string describe(const h5::Group& g) const override {
    g.set_attr("dt", hh_.options().dt);
    g.set_attr("scheme", describe_scheme());
    g.set_attr("tolerance", hh_.options().tolerance);
    return fmt::format("dt = {}, {}", hh_.options().dt, describe_scheme());
  }

  /// HartreeHartree::evolve_to reads `stop` between its steps; on a stop the state goes back to the copy taken
  /// at the start of the interval (the previous output time).
  StepStatus advance_to(double t, const std::atomic<bool>* stop) override {
    std::optional<HartreeState> start;
    if (stop != nullptr) start = state_;
    const HartreeStepInfo info = hh_.evolve_to(state_, t, stop);
    if (info.stopped) {
      state_ = std::move(*start);
      StepStatus st;
      st.interrupted = st.at_previous_output = true;
      return st;
    }
    iterations_ = info.iterations;
    converged_ = info.converged;
    residual_ = info.max_residual;
    StepStatus st;
    st.converged = info.converged;
    st.steps = info.steps;
    st.error_estimate = info.max_residual;
    return st;
  }

  void save_state(const h5::Group& g) const override {
    g.set_attr("t", state_.t);
    g.write("orbitals", state_.orbitals);
    g.write("phi", state_.phi);
    g.set_attr("iterations", iterations_);
    g.set_attr("converged", converged_);
    g.set_attr("fixed_point_residual", residual_);
  }

  void restore_state(const h5::Group& g) override {
    HartreeState s;
    s.t = g.attr_double("t");
    s.orbitals = g.read_cx_mat("orbitals");
    s.phi = g.read_cx_vec("phi");
    if (s.orbitals.n_rows != state_.orbitals.n_rows || s.orbitals.n_cols != state_.orbitals.n_cols || s.phi.n_elem != state_.phi.n_elem)
      throw IoError("checkpoint " + g.path() + ": the Hartree–Hartree state does not fit this model's grid and particle numbers");
    state_ = std::move(s);
    iterations_ = static_cast<int>(g.attr_int("iterations"));
    converged_ = g.attr_bool("converged");
    residual_ = g.attr_double("fixed_point_residual");
  }

  Record observe() const override {
    Record r;
    const arma::cx_mat omega = state_.omega();
    r.put("energy", hh_.energy(state_));
    r.put("trace_omega", arma::trace(omega).real());
    // M = 0 (pure bosons): no orbitals, nothing to be non-orthonormal (the max of an empty matrix is NaN)
    const arma::cx_mat& Phi = state_.orbitals;
    const arma::cx_mat G = M_ > 0 ? arma::cx_mat(Phi.t() * Phi - arma::eye<arma::cx_mat>(M_, M_)) : arma::cx_mat();
    // omega^2 - omega = Phi (Phi* Phi - 1) Phi* (omega = Phi Phi*): O(L^2 M) instead of the O(L^3) product omega omega
    r.put("idempotency", M_ > 0 ? arma::abs(Phi * arma::cx_mat(G * Phi.t())).max() : 0.0);
    r.put("orthonormality", M_ > 0 ? arma::abs(G).max() : 0.0);
    r.put("norm_phi", arma::norm(state_.phi));
    r.put("iterations", static_cast<double>(iterations_));
    r.put("converged", converged_ ? 1.0 : 0.0);
    r.put("fixed_point_residual", residual_);
    r.put("omega", omega);
    r.put("phi", state_.phi);
    r.put("rho_F", arma::vec(state_.fermion_density() / std::max<double>(1, M_)));
    r.put("rho_B", state_.boson_density());
    return r;
  }

  OneBodyView view() const override {
    return {M_, N_, state_.omega(), static_cast<double>(N_) * (state_.phi * state_.phi.t()), state_.phi, true};
  }

  std::vector<SummaryColumn> summary_columns() const override { return {{"energy", "dE_HH", true}}; }

 private:
  std::string describe_scheme() const { return fockmix::describe(scheme_); }

  HartreeHartree hh_;
  HartreeScheme scheme_;
  Index M_, N_;
  HartreeState state_;
  int iterations_ = 0;
  bool converged_ = true;
  double residual_ = 0.0;
};

}  // namespace

std::unique_ptr<Solver> make_hartree_solver(const SolverContext& c) { return std::make_unique<HartreeSolver>(c); }

}  // namespace fockmix
