// The exact Fock-space solver behind the solver seam: the sector state psi evolved by the Krylov
// propagator (SPEC §3), its RDMs as the one-body view.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <memory>

#include "fockmix/app/solver.hpp"
#include "exact_record.hpp"
#include "exact_view.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/model/footprint.hpp"
#include "fockmix/exact/initial_state.hpp"
#include "fockmix/exact/observables.hpp"
#include "fockmix/exact/sector.hpp"
#include "fockmix/exact/sector_hamiltonian.hpp"
#include "fockmix/io/h5.hpp"
#include "fockmix/linalg/eigensolvers.hpp"
#include "fockmix/linalg/chebyshev.hpp"
#include "fockmix/linalg/krylov.hpp"
#include "fockmix/linalg/vector_ops.hpp"
#include "fockmix/meanfield/initial_data.hpp"
#include "fockmix/model/model_operators.hpp"

#include <fmt/format.h>

namespace fockmix {

namespace {

class ExactSolver final : public Solver {
 public:
  explicit ExactSolver(const SolverContext& c)
      : sector_(c.ops.lattice.sites(), c.ops.M, c.ops.N, c.model.bosons.max_per_site), H_(sector_, c.ops),
        view_(c.ops.M, c.ops.N, [this](const arma::cx_mat& omega, const arma::cx_vec& phi, ObserveParts parts) {
          return fockmix::observe(sector_, psi_.memptr(), omega, phi, parts, parts == ObserveParts::View ? nullptr : &scratch_);
        }) {
    const ExactFootprint fp = exact_footprint(c.model);
    if (!fp.fits) throw CapacityError("the exact solver does not fit its memory limit (" + format_bytes(fp.total_bytes) + " needed)");
    psi_ = c.model.exact.initial == ExactInitial::Product ? product_state(sector_, c.init.orbitals, c.init.phi0) : ground_state(c.ops);
    const double n2 = vec::norm2(sector_.size(), psi_.memptr());
    truncated_weight_ = 1.0 - n2;
    vec::scale(sector_.size(), 1.0 / std::sqrt(n2), psi_.memptr());
    tolerance_ = c.model.exact.tolerance;
    hbar_ = c.ops.hbar;
    plan_ = OutputPlan{c.model.output_every, c.model.t_final};
    output_times_ = c.model.output_times();
    window_ = fp.propagator == PropagatorKind::Chebyshev ? std::max<Index>(fp.chebyshev_window, 1) : 1;
    make_propagator(fp.propagator, fp.krylov_dim, nullptr);
  }

  std::string name() const override { return "exact"; }
  std::string label() const override { return "exact"; }

  std::string describe(const h5::Group& g) const override {
    g.set_attr("dim_fermions", sector_.dim_fermions());
    g.set_attr("dim_bosons", sector_.dim_bosons());
    g.set_attr("dim", sector_.size());
    g.set_attr("propagator", lanczos_ ? "lanczos" : "chebyshev");
    g.set_attr("krylov_dim", krylov_dim_);
    g.set_attr("boson_cap_truncates", sector_.bosons().truncated());
    g.set_attr("truncated_weight", truncated_weight_);
    g.set_attr("threads", omp_get_max_threads());
    return fmt::format("D_F = {}, D_B = {}, D = {}{}, {}", sector_.dim_fermions(), sector_.dim_bosons(), sector_.size(),
                       sector_.bosons().truncated() ? fmt::format(" (boson cap: truncated weight {:.1e})", truncated_weight_) : "",
                       lanczos_ ? fmt::format("Krylov dimension {}", krylov_dim_) : std::string("Chebyshev propagator"));
  }

  StepStatus advance_to(double t, const std::atomic<bool>* stop) override {
    StepStatus st;
    if (t > t_) {
      if (lanczos_) {
        const KrylovResult kr = lanczos_->advance(psi_.memptr(), t_, t, plan_, stop);
        if (kr.status == KrylovStatus::Stopped) return interrupted();
        if (kr.status != KrylovStatus::Converged)
          throw Error(fmt::format("Krylov propagation could not meet tolerance {} at t = {}", tolerance_, t));
        st.matvecs = kr.matvecs;
        st.steps = kr.substeps;
        st.error_estimate = kr.error_estimate;
      } else if (window_ > 1 && serve_from_window(t, st)) {
        // a state of the current window (no matvec)
      } else if (window_ > 1 && open_window(t, stop, st)) {
        if (st.interrupted) return st;
      } else {
        const ChebyshevResult cr = chebyshev_->propagate(psi_.memptr(), t - t_, stop);
        bounds_known_ = true;  // estimated by the first propagation (and kept by the propagator)
        if (cr.status == ChebyshevStatus::Stopped) return interrupted();
        if (cr.status != ChebyshevStatus::Converged)
          throw Error(fmt::format("Chebyshev propagation left its spectral bounds at t = {} (the result would be unreliable)", t));
        st.matvecs = cr.matvecs + bound_matvecs_;
        bound_matvecs_ = 0;
        st.steps = cr.substeps;
        st.error_estimate = cr.error_estimate;
        window_times_.clear();  // psi_ moved on without the window
        next_ = 0;
      }
      matvecs_ += st.matvecs;
      krylov_error_ += st.error_estimate;
      t_ = t;
      view_.invalidate();
    }
    return st;
  }

  Record observe() const override {
    return exact_record(H_.expectation(psi_.memptr()),
                        std::sqrt(vec::norm2(sector_.size(), psi_.memptr())), matvecs_, krylov_error_, view_.get());
  }

  /// psi (straight from the solver's memory), the time, the counters of observe() and the propagator:
  /// its kind, the Krylov dimension and, for Chebyshev, the spectral bounds it estimated at its first use
  /// (so that the continued run uses the same ones and does not estimate them again).
  void save_state(const h5::Group& g) const override {
    g.set_attr("t", t_);
    g.set_attr("dim", sector_.size());
    g.set_attr("propagator", lanczos_ ? "lanczos" : "chebyshev");
    g.set_attr("krylov_dim", krylov_dim_);
    g.set_attr("bounds_known", bounds_known_);
    if (chebyshev_ && bounds_known_) {
      const SpectralBounds b = chebyshev_->bounds();
      g.set_attr("bounds", std::vector<double>{b.lower, b.upper});
    }
    g.set_attr("matvecs", matvecs_);
    g.set_attr("krylov_error", krylov_error_);
    g.set_attr("truncated_weight", truncated_weight_);
    g.write("psi", psi_);
    g.set_attr("psi_fingerprint", static_cast<std::int64_t>(vec::fingerprint(sector_.size(), psi_.memptr())));
    // the Chebyshev window's start: a resumed run recomputes the same window from it, so it continues bitwise
    if (chebyshev_ && next_ > 0 && next_ < window_times_.size() && window_start_ < t_) {
      g.set_attr("window_start_time", window_start_);
      g.set_attr("window_times", window_times_);
      g.set_attr("window_error_base", window_error_base_);
      g.write("window_start", window_states_.at(0));
    }
    // the live Lanczos basis's start: a resumed run rebuilds the same basis from it, so it continues bitwise
    if (lanczos_ && lanczos_->has_live_basis() && lanczos_->basis_start_time() < t_) {
      g.set_attr("basis_start_time", lanczos_->basis_start_time());
      g.set_attr("basis_first_target", lanczos_->basis_first_target());
      g.write("basis_start", arma::cx_vec(const_cast<cplx*>(lanczos_->basis_start_state()), psi_.n_elem, false, true));
    }
  }

  void restore_state(const h5::Group& g) override {
    if (g.attr_int("dim") != sector_.size())
      throw IoError(fmt::format("checkpoint {}: a state of {} entries, this model's sector has {}", g.path(), g.attr_int("dim"), sector_.size()));
    const std::string kind = g.attr_string("propagator");
    if (kind != "lanczos" && kind != "chebyshev") throw IoError("checkpoint " + g.path() + ": unknown propagator '" + kind + "'");
    const bool known = g.attr_bool("bounds_known");
    SpectralBounds b;
    if (kind == "chebyshev" && known) {
      const std::vector<double> v = g.attr_doubles("bounds");
      if (v.size() != 2 || !(v[1] > v[0])) throw IoError("checkpoint " + g.path() + ": the spectral bounds are not an interval");
      b = {v[0], v[1]};
    }
    make_propagator(kind == "lanczos" ? PropagatorKind::Lanczos : PropagatorKind::Chebyshev, g.attr_int("krylov_dim"),
                    kind == "chebyshev" && known ? &b : nullptr);
    bounds_known_ = known;
    t_ = g.attr_double("t");
    window_times_.clear();
    next_ = 0;
    // psi from the span it was computed in when that reproduces it bitwise, else as checkpointed
    const bool replayed = (lanczos_ && g.has("basis_start") && replay_basis(g)) ||
                          (chebyshev_ && window_ > 1 && g.has("window_start") && replay_window(g));
    if (!replayed) g.read_into("psi", psi_);
    matvecs_ = g.attr_int("matvecs");
    krylov_error_ = g.attr_double("krylov_error");
    truncated_weight_ = g.attr_double("truncated_weight");
    view_.invalidate();
  }

  OneBodyView view() const override { return view_.get(); }
  void pair_with(const Solver& other) override { view_.pair_with(other); }
  /// Second moments of the fluctuation numbers about a mean-field state (ExactView::put_moments).
  void compare_with(const Solver& other, const OneBodyView& mf, Record& out) const override { view_.put_moments(other, mf, out); }

  std::vector<SummaryColumn> summary_columns() const override { return {{"energy", "dE_exact", true}}; }

 private:
  /// Chebyshev window: the next output times after t_ from the model's list, starting with t, at most window_ of
  /// them and within one expansion's reach. Empty if t is not the next output time of the list.
  std::vector<double> window_for(double t) {
    std::vector<double> times;
    auto it = std::upper_bound(output_times_.begin(), output_times_.end(), t_);
    if (it == output_times_.end() || *it != t) return times;
    const double reach = chebyshev_->window_reach(&bound_matvecs_);
    for (; it != output_times_.end() && static_cast<Index>(times.size()) < window_ && *it - t_ <= reach; ++it) times.push_back(*it);
    return times;
  }
  /// The expansion of psi_ (at window_start_ = t_) to window_times_ into window_states_; psi_ is kept, so that the
  /// first served state is swapped in and window_states_[0] then holds the window's start. false on a stop.
  bool expand_window(const std::atomic<bool>* stop, StepStatus& st) {
    const Index n = sector_.size();
    window_states_.reserve(static_cast<std::size_t>(window_));  // a reallocation would copy states
    while (static_cast<Index>(window_states_.size()) < window_) window_states_.emplace_back(n);
    std::vector<double> taus(window_times_.size());
    std::vector<cplx*> outs(window_times_.size());
    for (std::size_t m = 0; m < taus.size(); ++m) {
      taus[m] = window_times_[m] - window_start_;
      outs[m] = window_states_[m].memptr();
    }
    const ChebyshevResult cr = chebyshev_->propagate_window(psi_.memptr(), taus, outs.data(), &window_errors_, stop);
    bounds_known_ = true;
    if (cr.status == ChebyshevStatus::Stopped) {
      window_times_.clear();
      next_ = 0;
      return false;
    }
    if (cr.status != ChebyshevStatus::Converged)
      throw Error(fmt::format("Chebyshev propagation left its spectral bounds after t = {} (the result would be unreliable)", window_start_));
    st.matvecs = cr.matvecs + bound_matvecs_;
    bound_matvecs_ = 0;
    st.steps = cr.substeps;
    next_ = 0;
    return true;
  }
  /// Swap in the window's state for t (the next one), its error the window's bound at t.
  bool serve_from_window(double t, StepStatus& st) {
    if (next_ == 0 || next_ >= window_times_.size() || window_times_[next_] != t) return false;
    psi_.swap(window_states_[next_]);
    st.error_estimate = window_error_base_ + window_errors_[next_] - krylov_error_;
    ++next_;
    return true;
  }
  /// A new window from psi_ at t_ through t and the next output times (false: t is not the next output time or
  /// only one fits: the caller propagates). On a stop, st.interrupted with psi_ unchanged.
  bool open_window(double t, const std::atomic<bool>* stop, StepStatus& st) {
    window_times_ = window_for(t);
    next_ = 0;
    if (window_times_.size() < 2) {
      window_times_.clear();
      return false;
    }
    window_start_ = t_;
    window_error_base_ = krylov_error_;
    if (!expand_window(stop, st)) {
      st = interrupted();
      return true;
    }
    psi_.swap(window_states_[0]);  // window_states_[0] now holds the window's start
    st.error_estimate = window_errors_[0];
    next_ = 1;
    return true;
  }
  /// The checkpointed run's window, recomputed from its start with the same times into psi_ and the window's
  /// states. true if its state at t_ is the checkpointed psi bitwise (same arithmetic); otherwise the window is
  /// dropped and psi_ is left for the caller to read.
  bool replay_window(const h5::Group& g) {
    window_start_ = g.attr_double("window_start_time");
    window_times_ = g.attr_doubles("window_times");
    window_error_base_ = g.attr_double("window_error_base");
    if (window_times_.empty() || !(window_start_ < window_times_.front()) || static_cast<Index>(window_times_.size()) > window_)
      throw IoError("checkpoint " + g.path() + ": the Chebyshev window's times are not in order");
    auto at = std::find(window_times_.begin(), window_times_.end(), t_);
    if (at == window_times_.end()) throw IoError("checkpoint " + g.path() + ": the state's time is not in its Chebyshev window");
    const std::size_t k = static_cast<std::size_t>(at - window_times_.begin());
    // no second state: psi_ takes the window's start, and the replayed state at t_ is checked by its fingerprint
    g.read_into("window_start", psi_);
    StepStatus st;
    if (expand_window(nullptr, st) && fingerprint_matches(g, window_states_[k])) {
      psi_.swap(window_states_[k]);                        // the state at t_; [k] the window's start
      if (k != 0) window_states_[0].swap(window_states_[k]);  // as after open_window: [0] the start
      next_ = k + 1;
      return true;
    }
    window_times_.clear();
    next_ = 0;
    return false;
  }
  /// Whether x is bitwise the checkpointed psi (its fingerprint).
  bool fingerprint_matches(const h5::Group& g, const arma::cx_vec& x) const {
    return g.has_attr("psi_fingerprint") &&
           static_cast<std::uint64_t>(g.attr_int("psi_fingerprint")) == vec::fingerprint(sector_.size(), x.memptr());
  }
  /// The checkpointed run's live basis, rebuilt into psi_ from its start state with the same first target and
  /// plan. true if the state it gives at t_ is the checkpointed psi bitwise (same build, same thread count);
  /// otherwise the basis is dropped and psi_ is left for the caller to read.
  bool replay_basis(const h5::Group& g) {
    const double tb = g.attr_double("basis_start_time"), first = g.attr_double("basis_first_target");
    if (!(tb < t_) || !(first > tb) || !(first <= t_))
      throw IoError("checkpoint " + g.path() + ": the Lanczos basis times do not precede the state's time");
    // no second state: psi_ takes the basis's start and becomes the replayed state at t_, checked by its fingerprint
    g.read_into("basis_start", psi_);
    lanczos_->advance(psi_.memptr(), tb, first, plan_);
    if (first < t_) lanczos_->advance(psi_.memptr(), first, t_, plan_);
    if (fingerprint_matches(g, psi_)) return true;
    lanczos_->restart();
    return false;
  }
  /// A stop between sub-steps: psi is at an intermediate time, so the run ends without writing it.
  static StepStatus interrupted() {
    StepStatus st;
    st.interrupted = true;
    return st;
  }
  arma::cx_vec ground_state(const ModelOperators& ops) const {
    const SectorHamiltonian Htrap(sector_, ops, true);
    const RealView<SectorHamiltonian> real{Htrap};
    const EigenResult gs = lowest_eigenpair_spectra(operator_ref(real), {0, 1e-12, 5000});
    if (gs.status != EigenStatus::Converged) throw Error("the exact ground state of the trapped Hamiltonian did not converge");
    return arma::conv_to<arma::cx_vec>::from(gs.vector);
  }
  /// The Lanczos propagator of Krylov dimension `krylov_dim`, or the Chebyshev one (with `bounds`, if given:
  /// those of a checkpointed run). The old propagator's workspace is freed first.
  void make_propagator(PropagatorKind kind, Index krylov_dim, const SpectralBounds* bounds) {
    lanczos_.reset();
    chebyshev_.reset();
    if (kind == PropagatorKind::Lanczos) {
      krylov_dim_ = krylov_dim;
      lanczos_ = std::make_unique<KrylovPropagator<SectorHamiltonian>>(H_, KrylovOptions{tolerance_, krylov_dim_, hbar_});
    } else {
      krylov_dim_ = 0;
      ChebyshevOptions o;
      o.tolerance = tolerance_;
      o.hbar = hbar_;
      if (bounds != nullptr) {
        o.given_bounds = true;
        o.bounds = *bounds;
      }
      chebyshev_ = std::make_unique<ChebyshevPropagator<SectorHamiltonian>>(H_, o);
    }
  }

  Sector sector_;
  SectorHamiltonian H_;
  Index krylov_dim_ = 0;
  double truncated_weight_ = 0.0;
  arma::cx_vec psi_;
  std::unique_ptr<KrylovPropagator<SectorHamiltonian>> lanczos_;     // one of the two, by the footprint
  std::unique_ptr<ChebyshevPropagator<SectorHamiltonian>> chebyshev_;
  double tolerance_ = 0.0;
  double hbar_ = 1.0;
  OutputPlan plan_;            ///< the run's output times, for the Lanczos basis's dense output
  std::vector<double> output_times_;  ///< the model's output times (Chebyshev windows)
  Index window_ = 1;                  ///< Chebyshev: output times per expansion (the footprint's)
  std::vector<arma::cx_vec> window_states_;  ///< the window's states; [0] its start once the first is served
  std::vector<double> window_times_, window_errors_;
  std::size_t next_ = 0;              ///< the window's next state to serve (0: no window)
  double window_start_ = 0.0;         ///< the window's start time
  double window_error_base_ = 0.0;    ///< krylov_error_ at the window's start
  Index bound_matvecs_ = 0;           ///< bound estimate done by window_for, counted with the next expansion
  bool bounds_known_ = false;  ///< the Chebyshev propagator has estimated its spectral bounds
  double t_ = 0.0;
  Index matvecs_ = 0;
  double krylov_error_ = 0.0;
  mutable ObserveScratch scratch_;  ///< the moments' b(phi) psi, kept from output to output
  mutable ExactView view_;          ///< of psi_ at t_, computed on first use after each step
};

}  // namespace

std::unique_ptr<Solver> make_coherent_exact_solver(const SolverContext& c);

std::unique_ptr<Solver> make_exact_solver(const SolverContext& c) {
  if (c.model.exact.initial == ExactInitial::Coherent) return make_coherent_exact_solver(c);
  return std::make_unique<ExactSolver>(c);
}

}  // namespace fockmix
