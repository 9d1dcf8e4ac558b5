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
  std::string checkpoint;                ///< the checkpoint left for --resume (interrupted runs; "" if none)
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
  /// Called once the header (model echo, grid, initial data) is on disk, before any solver is built.
  std::function<void()> started;
  const std::atomic<bool>* stop = nullptr;
  /// false (what `fockmix run` passes without --overwrite): an existing model.output is refused
  /// (IoError) and the file is created exclusively, never truncating a file another run holds.
  /// true: the run writes `.NAME.partial-PID` in the same folder and renames it over model.output when
  /// it completes or is interrupted cleanly, so an old file stays intact until the new one is whole; on
  /// an error the partial file is removed and the old one kept. The default keeps library callers that
  /// re-run into a fixed path (tests, scans) working.
  bool overwrite = true;
  /// Continue the run in model.output from its checkpoint `model.output + ".ckpt"` (`fockmix run --resume`,
  /// docs/output.md "Checkpoint"): refused with an InputError, before any work, if the file or its
  /// checkpoint is missing, the run completed, the checkpoint belongs to another file, or the model differs
  /// in a key that changes the numbers or in the solvers it enables. Needs overwrite = false. Output times
  /// after the checkpoint's are dropped from the file and computed again; the file stays valid throughout.
  bool resume = false;
  /// false: the process runs the model like the others of a distributed run, in lock step, but writes
  /// nothing: its run file lives in memory (h5::File::create_in_memory), model.output is neither checked nor
  /// touched, no checkpoint is written, and resume is refused. In a distributed run every rank but 0
  /// (docs/distributed.md).
  bool write_output = true;
  /// false: no checkpoint is written. A distributed run on several ranks passes false on every rank: the
  /// exact state is spread over them (docs/distributed.md, "What is not supported yet").
  bool checkpoints = true;
  /// For processes that run in lock step (MPI ranks): true on every process if `flag` is true on any of
  /// them (a collective call). The driver asks it, at every output time, whether to stop and whether a
  /// checkpoint is due, so that all processes decide alike, and gives the solvers the agreed stop flag
  /// (a stop is then honoured at output times only). Empty (one process): each flag is used as it is.
  std::function<bool(bool)> any_process;
};

/// Run the solvers the model enables, writing model.output. Validates the model first. A run that writes
/// in place (overwrite = false) also writes a checkpoint `model.output + ".ckpt"` at output times, every
/// model.checkpoint_minutes of wall-clock time and when the stop flag ends it at an output time, and
/// removes it when the run completes (hooks.resume continues from it). The status is
/// Interrupted only if the stop flag ended the run before its last output time was written; an I/O
/// error (disk full) throws IoError after marking the file "failed", and `times` then lists only
/// output times whose records are complete.
RunSummary run_model(const Model& model, const RunHooks& hooks = {});

/// Pin the BLAS behind Armadillo to one thread (OpenBLAS's own pool otherwise spins next to our OpenMP
/// kernels) and set the OpenMP thread count (0 = leave the default). Called once by the command line.
void configure_threads(int openmp_threads);

}  // namespace fockmix
