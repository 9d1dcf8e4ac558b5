#include "fockmix/distributed/mfn_propagator.hpp"

#include <algorithm>
#include <cmath>

namespace fockmix {

MfnStatus mfn_status(MFNConvergedReason reason) noexcept {
  switch (reason) {
    case MFN_CONVERGED_TOL:
    case MFN_CONVERGED_ITS:
      return MfnStatus::Converged;
    case MFN_DIVERGED_ITS:
      return MfnStatus::IterationLimit;
    default:
      return MfnStatus::Breakdown;
  }
}

MfnPropagator::MfnPropagator(DistributedHamiltonian& H, MfnOptions opt) : H_(H), opt_(opt) {
  if (!(opt_.tolerance > 0.0)) throw InputError("", "tolerance", "must be positive");
  if (opt_.max_dim < 4) throw InputError("", "max_dim", "must be at least 4");
  if (opt_.max_restarts < 1) throw InputError("", "max_restarts", "must be at least 1");
  if (!(opt_.hbar > 0.0)) throw InputError("", "hbar", "must be positive");
  petsc_check(MFNCreate(H_.comm(), &mfn_), "MFNCreate");
  petsc_check(MFNSetOperator(mfn_, H_.matrix()), "MFNSetOperator");
  petsc_check(MFNSetType(mfn_, MFNKRYLOV), "MFNSetType");
  FN f = nullptr;
  petsc_check(MFNGetFN(mfn_, &f), "MFNGetFN");
  petsc_check(FNSetType(f, FNEXP), "FNSetType");
  petsc_check(MFNSetDimensions(mfn_, static_cast<PetscInt>(opt_.max_dim)), "MFNSetDimensions");
  petsc_check(MFNSetErrorIfNotConverged(mfn_, PETSC_FALSE), "MFNSetErrorIfNotConverged");
  // -mfn_* and -bv_* options on the command line or in PETSC_OPTIONS override the above (tuning, -mfn_view)
  petsc_check(MFNSetFromOptions(mfn_), "MFNSetFromOptions");
  work_ = H_.create_vector();
}

MfnPropagator::~MfnPropagator() {
  if (mfn_ != nullptr) MFNDestroy(&mfn_);
}

MfnResult MfnPropagator::propagate(Vec psi, double t) {
  MfnResult res;
  if (t == 0.0) return res;
  FN f = nullptr;
  petsc_check(MFNGetFN(mfn_, &f), "MFNGetFN");
  // f(H) = beta exp(alpha H) with alpha = -i t / hbar
  petsc_check(FNSetScale(f, PetscScalar(0.0, -t / opt_.hbar), PetscScalar(1.0)), "FNSetScale");
  const double tol = std::max(opt_.tolerance * std::abs(t), 1e-15);
  petsc_check(MFNSetTolerances(mfn_, tol, static_cast<PetscInt>(opt_.max_restarts)), "MFNSetTolerances");
  const Index before = H_.matvecs();
  petsc_check(MFNSolve(mfn_, psi, work_.get()), "MFNSolve");
  res.matvecs = H_.matvecs() - before;
  MFNConvergedReason reason = MFN_CONVERGED_ITERATING;
  petsc_check(MFNGetConvergedReason(mfn_, &reason), "MFNGetConvergedReason");
  res.status = mfn_status(reason);
  PetscInt its = 0;
  petsc_check(MFNGetIterationNumber(mfn_, &its), "MFNGetIterationNumber");
  res.restarts = its;
  petsc_check(VecCopy(work_.get(), psi), "VecCopy");
  return res;
}

}  // namespace fockmix
