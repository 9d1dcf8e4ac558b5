#pragma once
/// \file `fockmix run`: the solvers a model enables (app/solver.hpp), advanced together over the output
/// times, each pair of one-body views compared (SPEC §6), all streamed to one self-describing HDF5 file
/// (docs/output.md). The command line is a thin layer over this function.
#include <atomic>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "fockmix/app/solver.hpp"
#include "fockmix/io/model.hpp"

namespace fockmix {

/// What one output time recorded: every scalar the solvers and comparisons reported, keyed by
/// "<group>/<name>" as in the HDF5 file ("exact/energy", "hartree/energy",
/// "comparison/exact_hartree/eF_trace"). The file holds more (matrices, densities).
struct RunRecord {
  double t = 0.0;
  std::vector<std::pair<std::string, double>> values;
  /// The scalar `key`; NaN if no solver reported it.
  double value(const std::string& key) const;
};

/// Outcome of a run.
enum class RunStatus { Completed, Interrupted };

struct RunSummary {
  RunStatus status = RunStatus::Completed;
  std::string output;                    ///< the HDF5 file written
  std::vector<std::string> solvers;      ///< the solvers that ran ("exact", "hartree"), in order
  std::vector<std::string> comparisons;  ///< the comparison groups written ("exact_hartree")
  std::vector<std::string> setup_lines;  ///< one line per solver describing its set-up (terminal)
  std::vector<std::string> warnings;     ///< the solvers' warnings at the end of the run
  std::vector<SummaryColumn> columns;    ///< summary columns, keys as in RunRecord::values
  std::vector<std::pair<std::string, double>> seconds;  ///< seconds per solver
  double seconds_total = 0.0;
  Index unconverged_steps = 0;           ///< output intervals in which a solver missed its tolerance
  std::vector<RunRecord> records;
  bool ran(const std::string& solver) const;
};

/// Hooks for the caller: progress (fraction of the horizon done, current record), and a flag that, once
/// set (e.g. by a signal handler), ends the run cleanly after the current output time.
struct RunHooks {
  std::function<void(double fraction, const RunRecord& latest)> progress;
  const std::atomic<bool>* stop = nullptr;
};

/// Run the solvers the model enables, writing model.output. Validates the model first.
RunSummary run_model(const Model& model, const RunHooks& hooks = {});

/// Pin the BLAS behind Armadillo to one thread (OpenBLAS's own pool otherwise spins next to our OpenMP
/// kernels) and set the OpenMP thread count (0 = leave the default). Called once by the command line.
void configure_threads(int openmp_threads);

}  // namespace fockmix
