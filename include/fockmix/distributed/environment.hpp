#pragma once
/// \file MPI and PETSc/SLEPc for the distributed exact engine (built with FOCKMIX_MPI): the session that starts and
/// ends them, PETSc error codes turned into exceptions, and move-only owners of PETSc objects.
#include <mpi.h>
#include <petscis.h>
#include <petscmat.h>
#include <petscvec.h>

#include <utility>

#include "fockmix/core/error.hpp"

namespace fockmix {

/// Starts MPI (unless the caller already did: then the caller also ends it) and SLEPc, hence PETSc, on
/// MPI_COMM_WORLD; ends them in reverse order. One per process, created before any other PETSc object and
/// outliving all of them. PETSc's signal handlers are not installed (the run driver owns SIGINT).
class MpiSession {
 public:
  /// argc, argv: the program's, or null (PETSc then reads options only from PETSC_OPTIONS).
  MpiSession(int* argc = nullptr, char*** argv = nullptr);
  ~MpiSession();
  MpiSession(const MpiSession&) = delete;
  MpiSession& operator=(const MpiSession&) = delete;

  int rank() const noexcept { return rank_; }
  int size() const noexcept { return size_; }

 private:
  bool owns_mpi_ = false;
  int rank_ = 0, size_ = 1;
};

/// Throws fockmix::Error naming `what` when a PETSc/SLEPc call returned a nonzero code.
void petsc_check(PetscErrorCode code, const char* what);

/// Owner of one PETSc object (Vec, Mat, IS, VecScatter, ...): destroys it with `Destroy`, move-only.
template <class Handle, PetscErrorCode (*Destroy)(Handle*)>
class PetscOwner {
 public:
  PetscOwner() = default;
  explicit PetscOwner(Handle h) : h_(h) {}
  ~PetscOwner() { reset(); }
  PetscOwner(PetscOwner&& o) noexcept : h_(std::exchange(o.h_, nullptr)) {}
  PetscOwner& operator=(PetscOwner&& o) noexcept {
    if (this != &o) {
      reset();
      h_ = std::exchange(o.h_, nullptr);
    }
    return *this;
  }
  PetscOwner(const PetscOwner&) = delete;
  PetscOwner& operator=(const PetscOwner&) = delete;

  Handle get() const noexcept { return h_; }
  /// Address for PETSc's create functions (the current object, if any, is destroyed first).
  Handle* out() {
    reset();
    return &h_;
  }
  void reset() noexcept {
    if (h_ != nullptr) Destroy(&h_);
    h_ = nullptr;
  }

 private:
  Handle h_ = nullptr;
};

using PetscVec = PetscOwner<Vec, VecDestroy>;
using PetscMat = PetscOwner<Mat, MatDestroy>;
using PetscIS = PetscOwner<IS, ISDestroy>;
using PetscScatter = PetscOwner<VecScatter, VecScatterDestroy>;

}  // namespace fockmix
