#include "fockmix/distributed/environment.hpp"

#include <slepcsys.h>

#include <string>

namespace fockmix {

MpiSession::MpiSession(int* argc, char*** argv) {
  int initialised = 0;
  MPI_Initialized(&initialised);
  if (!initialised) {
    int provided = 0;
    // OpenMP threads run inside the kernels only; MPI is called from the main thread.
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS) throw Error("MPI_Init_thread failed");
    owns_mpi_ = true;
  }
  // before SlepcInitialize: PETSc must leave SIGINT, SIGTERM and SIGSEGV to the program
  petsc_check(PetscOptionsSetValue(nullptr, "-no_signal_handler", nullptr), "PetscOptionsSetValue");
  petsc_check(SlepcInitialize(argc, argv, nullptr, nullptr), "SlepcInitialize");
  MPI_Comm_rank(MPI_COMM_WORLD, &rank_);
  MPI_Comm_size(MPI_COMM_WORLD, &size_);
}

MpiSession::~MpiSession() {
  SlepcFinalize();
  if (owns_mpi_) MPI_Finalize();
}

void petsc_check(PetscErrorCode code, const char* what) {
  if (code != 0) throw Error(std::string("PETSc/SLEPc: ") + what + " failed (error code " + std::to_string(static_cast<int>(code)) + ")");
}

}  // namespace fockmix
