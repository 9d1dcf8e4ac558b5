#pragma once
/// \file The solver seam: the one interface every time-dependent solver of a run implements (exact,
/// Hartree–Hartree; Vlasov–Hartree and the fluctuation dynamics plug in the same way). `run_model` is a
/// loop over the enabled solvers and the output times; it knows no solver by name.
///
/// Adding a solver: write `src/app/solvers/<name>_solver.cpp` with a class implementing `Solver` and a
/// factory, and add one line to the registry in `src/app/solvers/registry.cpp` (docs/architecture.md).
#include <armadillo>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "fockmix/analysis/comparisons.hpp"
#include "fockmix/core/record.hpp"
#include "fockmix/core/types.hpp"

namespace fockmix {

struct Model;
struct ModelOperators;
struct InitialData;
namespace h5 {
class Group;
}

/// Cost and outcome of one advance (since the previous output time).
struct StepStatus {
  bool converged = true;        ///< every step met its tolerance (Krylov error, fixed point, ...)
  Index matvecs = 0;            ///< applications of a many-body operator
  Index steps = 0;              ///< time steps or sub-steps
  double error_estimate = 0.0;  ///< a-posteriori error estimate, if the solver has one
  bool interrupted = false;     ///< stopped early on request (see Solver::advance_to)
  bool at_previous_output = false;  ///< with interrupted: the state is exactly the one at the previous output time
};

/// A column of the terminal summary: the scalar `key` of a record, shown under `header`, either as it
/// is or as a drift relative to its value at t = 0.
struct SummaryColumn {
  std::string key;     ///< scalar name in the solver's (or comparison's) record
  std::string header;  ///< e.g. "e_F(Tr)", "dE_exact"
  bool drift = false;  ///< print (x(t) - x(0)) / max(1, |x(0)|)
};

/// The interface every time-dependent solver implements.
class Solver {
 public:
  virtual ~Solver() = default;
  /// Short name: the HDF5 group and the key prefix ("exact", "hartree").
  virtual std::string name() const = 0;
  /// Name for people ("exact", "Hartree–Hartree").
  virtual std::string label() const = 0;
  /// Write the solver's setup (dimensions, scheme, options actually used) as attributes of `group`,
  /// and return one line for the terminal ("" for none).
  virtual std::string describe(const h5::Group& group) const = 0;
  /// Advance to time t >= the current time. Reads `stop` (if not null) between its own time steps; on a
  /// stop it returns with `interrupted` set. The mean-field, fluctuation and coherent solvers are then back
  /// at the time they started from (the previous output), with exactly that state; the exact solver's
  /// state is at an intermediate time (a copy of a state of gigabytes is not kept), so the run ends without
  /// writing it.
  virtual StepStatus advance_to(double t, const std::atomic<bool>* stop) = 0;
  /// Write the full dynamical state at the current (output) time into `group` of a checkpoint
  /// (io/checkpoint.hpp): everything restore_state needs to continue bitwise-identically (state vectors,
  /// time, the counters that feed observe(), the propagator's choices). Large vectors are written straight
  /// from the solver's memory.
  virtual void save_state(const h5::Group& group) const = 0;
  /// Continue from a state written by save_state of the same solver of the same model (the caller checks
  /// the model echo). Throws IoError naming the object if the group does not fit this solver.
  virtual void restore_state(const h5::Group& group) = 0;
  /// Energy, conserved quantities and the state's one-body data at the current time.
  virtual Record observe() const = 0;
  /// Whether view() is meaningful (a solver of the fluctuation space has none).
  virtual bool has_view() const { return true; }
  virtual OneBodyView view() const = 0;
  /// Quantities this solver can add to its comparison with `other` (whose view is `other_view`), e.g. the
  /// exact solver's second moments of the fluctuation numbers about a Hartree–Hartree state, or the
  /// Vlasov–Hartree (2.24) norm against one. Called on both solvers of a pair. Default: none.
  virtual void compare_with(const Solver& other, const OneBodyView& other_view, Record& out) const {}
  /// Called once per pair before the first output, on both solvers: this solver will be compared with `other` at
  /// every output time. At an output the driver advances every solver before it observes any, so a solver may read
  /// other.view() when it observes, and compute its comparison quantities in the same pass as its own view (the exact
  /// solver's fluctuation moments, read with its RDMs). Default: nothing to prepare.
  virtual void pair_with(const Solver& other) {}
  /// Warnings for the end of the run (e.g. a truncation diagnostic over its threshold). Default: none.
  virtual std::vector<std::string> warnings() const { return {}; }
  /// Summary columns of this solver's own record.
  virtual std::vector<SummaryColumn> summary_columns() const = 0;
  /// Seconds spent in this solver so far (set-up included).
  double seconds = 0.0;
};

/// What every solver is built from: the model (for its own options section), its one-body operators
/// and the shared initial data (so that all solvers start from the same state).
struct SolverContext {
  const Model& model;
  const ModelOperators& ops;
  const InitialData& init;
};

/// One registered solver: its name, whether a model enables it, and how to build it.
struct SolverEntry {
  std::string name;
  bool (*enabled)(const Model&);
  std::unique_ptr<Solver> (*make)(const SolverContext&);
};

/// Every solver fockmix knows, in the order they run and pair up for comparisons
/// (src/app/solvers/registry.cpp).
const std::vector<SolverEntry>& solver_registry();

/// Whether the registry builds the exact solver on the distributed engine: a FOCKMIX_MPI build whose process runs
/// under MPI (docs/distributed.md). Its memory is then checked per rank when it is built, not by validate().
bool exact_solver_distributed();

/// Summary columns of a comparison (analysis/comparisons.hpp: compare_views) on the terminal.
std::vector<SummaryColumn> comparison_columns();

}  // namespace fockmix
