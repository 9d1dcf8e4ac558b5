#pragma once
// The one-body view of the exact solvers (serial and distributed), computed once per output time on first use after
// a step: in the same pass over psi as the fluctuation moments about the first paired solver with a mean-field
// state (a Hartree–Hartree one, read then: Solver::pair_with), or alone if there is none.
#include <functional>
#include <vector>

#include "fockmix/analysis/comparisons.hpp"
#include "fockmix/app/solver.hpp"
#include "fockmix/core/record.hpp"
#include "fockmix/exact/observables.hpp"

namespace fockmix {

class ExactView {
 public:
  /// One pass over the solver's psi now: the RDMs (ObserveParts::View), the moments about omega, phi (::Moments), or
  /// both (::All), as observe (exact/observables.hpp).
  using Pass = std::function<SectorObservables(const arma::cx_mat& omega, const arma::cx_vec& phi, ObserveParts parts)>;

  ExactView(Index M, Index N, Pass pass) : M_(M), N_(N), pass_(std::move(pass)) {}

  /// Whether a view is a mean-field state the fluctuation moments are measured about.
  static bool has_mean_field_state(const OneBodyView& v) { return v.fermion_projection && !v.phi.is_empty(); }

  void pair_with(const Solver& other) {
    if (other.has_view()) partners_.push_back(&other);
  }
  /// psi changed: the next get() computes the view again.
  void invalidate() { current_ = false; }

  /// The view of psi now (the pass runs if psi changed since the last call).
  const OneBodyView& get() {
    if (current_) return view_;
    const Solver* mf = nullptr;
    OneBodyView mfv;
    for (const Solver* p : partners_) {
      mfv = p->view();
      if (has_mean_field_state(mfv)) {
        mf = p;
        break;
      }
    }
    SectorObservables o = mf != nullptr ? pass_(mfv.gamma_F, mfv.phi, ObserveParts::All) : pass_(arma::cx_mat(), arma::cx_vec(), ObserveParts::View);
    view_.M = M_;
    view_.N = N_;
    view_.gamma_F = std::move(o.gamma_F);
    view_.gamma_B = std::move(o.gamma_B);
    partner_ = mf;
    moments_ = o.moments;
    current_ = true;
    return view_;
  }

  /// An exact solver's compare_with: the second moments of the fluctuation numbers about `other`'s mean-field state
  /// `mf` (SPEC §6; nothing if `mf` is none), from this output's view pass when it measured them about `other`, else
  /// from a moments pass of their own.
  void put_moments(const Solver& other, const OneBodyView& mf, Record& out) {
    if (!has_mean_field_state(mf)) return;
    get();
    const FluctuationMoments mom = partner_ == &other ? moments_ : pass_(mf.gamma_F, mf.phi, ObserveParts::Moments).moments;
    out.put("nF_exc2", mom.nF2);
    out.put("nB_exc2", mom.nB2);
  }

 private:
  Index M_, N_;
  Pass pass_;
  std::vector<const Solver*> partners_;
  bool current_ = false;
  OneBodyView view_;
  const Solver* partner_ = nullptr;  // whose mean-field state moments_ were measured about
  FluctuationMoments moments_;
};

}  // namespace fockmix
