#pragma once
/// \file `fockmix run`: the exact solver and Hartree–Hartree on one model, compared at every output time
/// (SPEC §6) and streamed to one self-describing HDF5 file (docs/output.md). The command line is a thin
/// layer over this function.
#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "fockmix/analysis/norms.hpp"
#include "fockmix/io/model.hpp"

namespace fockmix {

/// What one output time recorded (the terminal summary reads these; the HDF5 file holds more).
struct RunRecord {
  double t = 0.0;
  double exact_energy = 0.0, exact_norm = 1.0;    ///< <H>, ||psi|| (exact solver)
  double hartree_energy = 0.0;                    ///< E_HH
  MeanFieldComparison cmp;                        ///< errors and fluctuation numbers (both solvers on)
  double nF2 = 0.0, nB2 = 0.0;                    ///< second moments <(N_F^exc)^2>, <(N_B^exc)^2>
  Index matvecs = 0;                              ///< cumulative applications of H
  double krylov_error = 0.0;                      ///< cumulative a-posteriori Krylov error estimate
};

/// Outcome of a run.
enum class RunStatus { Completed, Interrupted };

struct RunSummary {
  RunStatus status = RunStatus::Completed;
  std::string output;                   ///< the HDF5 file written
  bool exact = false, hartree = false;  ///< which solvers ran
  Index dim_fermions = 0, dim_bosons = 0, dim = 0, krylov_dim = 0;
  bool boson_cap_truncates = false;
  double truncated_weight = 0.0;        ///< 1 - ||psi_0||^2 lost to the per-site cap (renormalised)
  double seconds_exact = 0.0, seconds_hartree = 0.0, seconds_total = 0.0;
  std::vector<RunRecord> records;
};

/// Hooks for the caller: progress (fraction of the horizon done, current record), and a flag that, once
/// set (e.g. by a signal handler), ends the run cleanly after the current output time.
struct RunHooks {
  std::function<void(double fraction, const RunRecord& latest)> progress;
  const std::atomic<bool>* stop = nullptr;
};

/// Run the solvers the model enables, writing model.output. Validates the model first.
RunSummary run_model(const Model& model, const RunHooks& hooks = {});

/// Echo a model into HDF5 attributes of `group` (every key of models/README.md, dotted names).
namespace h5 {
class Group;
}
void write_model_attributes(const Model& model, const h5::Group& group);

/// Pin the BLAS behind Armadillo to one thread (OpenBLAS's own pool otherwise spins next to our OpenMP
/// kernels) and set the OpenMP thread count (0 = leave the default). Called once by the command line.
void configure_threads(int openmp_threads);

}  // namespace fockmix
