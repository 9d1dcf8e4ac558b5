#pragma once
// The one-body view of the exact solvers (serial and distributed), computed once per output time on first use after
// a step: in the same pass over psi as the fluctuation moments about the first paired solver with a mean-field
// state (a Hartree–Hartree one, read then: Solver::pair_with), or alone if there is none.
#include <vector>

#include "fockmix/analysis/comparisons.hpp"
#include "fockmix/app/solver.hpp"
#include "fockmix/exact/observables.hpp"

namespace fockmix {

class ExactView {
 public:
  ExactView(Index M, Index N) : M_(M), N_(N) {}

  /// Whether a view is a mean-field state the fluctuation moments are measured about.
  static bool has_mean_field_state(const OneBodyView& v) { return v.fermion_projection && !v.phi.is_empty(); }

  void pair_with(const Solver& other) {
    if (other.has_view()) partners_.push_back(&other);
  }
  /// psi changed: the next get() computes the view again.
  void invalidate() { current_ = false; }

  /// The view of psi now: `pass(omega, phi, moments)` (a SectorObservables with the RDMs, and with `moments` the
  /// fluctuation moments about omega, phi) runs if psi changed since the last call.
  template <class Pass>
  const OneBodyView& get(Pass&& pass) {
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
    SectorObservables o = mf != nullptr ? pass(mfv.gamma_F, mfv.phi, true) : pass(arma::cx_mat(), arma::cx_vec(), false);
    view_.M = M_;
    view_.N = N_;
    view_.gamma_F = std::move(o.gamma_F);
    view_.gamma_B = std::move(o.gamma_B);
    partner_ = mf;
    moments_ = o.moments;
    current_ = true;
    return view_;
  }

  /// The moments about `other`'s state from the last get(), or null if that pass did not measure them about it.
  const FluctuationMoments* moments_about(const Solver& other) const { return current_ && partner_ == &other ? &moments_ : nullptr; }

 private:
  Index M_, N_;
  std::vector<const Solver*> partners_;
  bool current_ = false;
  OneBodyView view_;
  const Solver* partner_ = nullptr;  // whose mean-field state moments_ were measured about
  FluctuationMoments moments_;
};

}  // namespace fockmix
