#pragma once
/// \file psi <- exp(-i t H / hbar) psi for a distributed state with SLEPc's MFN (restarted Krylov, MFNKRYLOV),
/// H the MATSHELL of a DistributedHamiltonian. SLEPc's solver is used as is; this file maps fockmix's options onto
/// it and its convergence reason onto a status.
#include <slepcmfn.h>

#include "fockmix/distributed/distributed_hamiltonian.hpp"

namespace fockmix {

/// Options of the MFN propagator (the meaning of KrylovOptions where they overlap).
struct MfnOptions {
  double tolerance = 1e-10;  ///< allowed error per unit time relative to ||psi|| (> 0); MFN gets tolerance |t|, at least 1e-15
  /// Krylov basis size per restart (MFNSetDimensions), >= 4. SLEPc's MFNKRYLOV orthogonalises every new vector
  /// against all earlier ones of the restart (about m vector passes per matvec at size m), so a small basis with
  /// more restarts is cheaper than the serial Lanczos' 30: docs/distributed.md has the measurement.
  Index max_dim = 8;
  Index max_restarts = 100;  ///< restarts before giving up (MFNSetTolerances' maxit), >= 1
  double hbar = 1.0;         ///< Planck's constant (> 0)
};

/// Outcome of one propagation, from MFNGetConvergedReason.
enum class MfnStatus {
  Converged,       ///< MFN_CONVERGED_TOL (or MFN_CONVERGED_ITS: an exact Krylov subspace)
  IterationLimit,  ///< MFN_DIVERGED_ITS: max_restarts reached before the tolerance
  Breakdown        ///< MFN_DIVERGED_BREAKDOWN, or any other reason
};

struct MfnResult {
  MfnStatus status = MfnStatus::Converged;
  Index restarts = 0;  ///< MFNGetIterationNumber
  Index matvecs = 0;   ///< applications of H during the solve (this rank's count; every rank takes part in each)
};

/// Maps a SLEPc convergence reason onto MfnStatus.
MfnStatus mfn_status(MFNConvergedReason reason) noexcept;

class MfnPropagator {
 public:
  /// Collective on H.comm(). Throws InputError for options out of range. Keeps H by reference.
  MfnPropagator(DistributedHamiltonian& H, MfnOptions opt);
  MfnPropagator(const MfnPropagator&) = delete;
  MfnPropagator& operator=(const MfnPropagator&) = delete;
  ~MfnPropagator();

  /// psi <- exp(-i t H/hbar) psi (collective; t of either sign; t = 0 leaves psi as it is).
  MfnResult propagate(Vec psi, double t);

 private:
  DistributedHamiltonian& H_;
  MfnOptions opt_;
  MFN mfn_ = nullptr;
  PetscVec work_;
};

}  // namespace fockmix
