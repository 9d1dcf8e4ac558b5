// The exact solver on the distributed engine (FOCKMIX_MPI, docs/distributed.md): the sector state spread over the
// MPI ranks in blocks of boson columns, propagated by SLEPc's MFN (MfnPropagator) and observed by MPI-reduced
// RDMs (DistributedObserver). Every rank runs the same driver; every call below that touches the state is
// collective, and every rank gets the full gamma_F, gamma_B, energy and moments, so the comparisons with the
// (replicated) mean-field solvers are computed alike everywhere. The registry chooses it instead of the serial
// exact solver when the process runs under MPI (distributed_engine_active()).
#include <mpi.h>
#include <omp.h>

#include <cmath>
#include <memory>

#include <fmt/format.h>

#include "fockmix/app/solver.hpp"
#include "exact_record.hpp"
#include "exact_view.hpp"
#include "fockmix/core/error.hpp"
#include "fockmix/distributed/distributed_footprint.hpp"
#include "fockmix/distributed/distributed_hamiltonian.hpp"
#include "fockmix/distributed/distributed_observables.hpp"
#include "fockmix/distributed/mfn_propagator.hpp"
#include "fockmix/exact/sector.hpp"
#include "fockmix/exact/sector_hamiltonian.hpp"
#include "fockmix/io/h5.hpp"
#include "fockmix/meanfield/initial_data.hpp"
#include "fockmix/model/footprint.hpp"
#include "fockmix/model/model.hpp"
#include "fockmix/model/model_operators.hpp"

namespace fockmix {

namespace {

/// The ranks of MPI_COMM_WORLD.
int world_size() {
  int size = 1;
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

/// `H` after checking that the rank needing the most memory (distributed_footprint: its block of the state in the
/// MFN basis and work vectors, its ghost buffers, the replicated tables) fits exact.memory_limit_gib (0: the
/// physical memory), per rank. Every rank finds the same answer, so all throw alike.
const SectorHamiltonian& fits_per_rank(const SectorHamiltonian& H, const Model& m) {
  const double limit = m.exact.memory_limit_gib > 0 ? m.exact.memory_limit_gib * 1024.0 * 1024.0 * 1024.0 : physical_memory_bytes();
  const DistributedFootprint fp = distributed_footprint(H, world_size(), MfnOptions{}.max_dim, exact_footprint(m).table_bytes);
  if (fp.largest.total_bytes > limit)
    throw CapacityError(fmt::format("the distributed exact solver needs {} on its largest rank, over the limit {} a rank (exact.memory_limit_gib; "
                                    "more ranks need less each: fockmix info --ranks P)",
                                    format_bytes(fp.largest.total_bytes), format_bytes(limit)));
  return H;
}

class DistributedExactSolver final : public Solver {
 public:
  explicit DistributedExactSolver(const SolverContext& c)
      : sector_(c.ops.lattice.sites(), c.ops.M, c.ops.N, c.model.bosons.max_per_site),
        H_(sector_, c.ops),
        dH_(fits_per_rank(H_, c.model), MPI_COMM_WORLD),
        tolerance_(c.model.exact.tolerance),
        view_(c.ops.M, c.ops.N, [this](const arma::cx_mat& omega, const arma::cx_vec& phi, ObserveParts parts) {
          return observer_->observe(psi_.get(), omega, phi, parts != ObserveParts::View);  // collective: every rank in step
        }) {
    psi_ = distributed_product_state(dH_, c.init.orbitals, c.init.phi0);
    PetscReal norm = 0.0;
    petsc_check(VecNorm(psi_.get(), NORM_2, &norm), "VecNorm");
    truncated_weight_ = 1.0 - norm * norm;
    petsc_check(VecScale(psi_.get(), 1.0 / norm), "VecScale");
    scratch_ = dH_.create_vector();
    MfnOptions o;
    o.tolerance = tolerance_;
    o.hbar = c.ops.hbar;
    mfn_dim_ = o.max_dim;
    mfn_ = std::make_unique<MfnPropagator>(dH_, o);
    observer_ = std::make_unique<DistributedObserver>(dH_);
  }

  std::string name() const override { return "exact"; }
  std::string label() const override { return "exact"; }

  std::string describe(const h5::Group& g) const override {
    const int ranks = world_size();
    g.set_attr("dim_fermions", sector_.dim_fermions());
    g.set_attr("dim_bosons", sector_.dim_bosons());
    g.set_attr("dim", sector_.size());
    g.set_attr("propagator", "mfn");
    g.set_attr("krylov_dim", mfn_dim_);
    g.set_attr("boson_cap_truncates", sector_.bosons().truncated());
    g.set_attr("truncated_weight", truncated_weight_);
    g.set_attr("threads", omp_get_max_threads());
    g.set_attr("ranks", ranks);
    // rank 0's block: the one whose file this is (the largest rank differs by at most one column)
    g.set_attr("ghost_bytes_per_matvec", dH_.ghost_bytes());
    return fmt::format("D_F = {}, D_B = {}, D = {}{}, distributed over {} rank{} (SLEPc MFN, basis {})", sector_.dim_fermions(),
                       sector_.dim_bosons(), sector_.size(),
                       sector_.bosons().truncated() ? fmt::format(" (boson cap: truncated weight {:.1e})", truncated_weight_) : "",
                       ranks, ranks == 1 ? "" : "s", mfn_dim_);
  }

  /// The stop flag it reads is the one the ranks agreed on (RunHooks::any_process): a stop leaves psi untouched
  /// at the previous output time. One MFN solve covers the interval; it cannot be interrupted.
  StepStatus advance_to(double t, const std::atomic<bool>* stop) override {
    StepStatus st;
    if (stop != nullptr && stop->load()) {
      st.interrupted = true;
      st.at_previous_output = true;
      return st;
    }
    if (t > t_) {
      const MfnResult r = mfn_->propagate(psi_.get(), t - t_);  // the same reason on every rank
      if (r.status != MfnStatus::Converged)
        throw Error(fmt::format("SLEPc MFN propagation could not meet tolerance {} at t = {} ({})", tolerance_, t,
                                r.status == MfnStatus::IterationLimit ? "restart limit reached" : "breakdown"));
      st.matvecs = r.matvecs;
      st.steps = r.restarts;
      st.error_estimate = tolerance_ * (t - t_);  // MFN reports no estimate: the bound it was asked to meet
      matvecs_ += st.matvecs;
      krylov_error_ += st.error_estimate;
      t_ = t;
      view_.invalidate();
    }
    return st;
  }

  Record observe() const override {
    const double energy = distributed_energy(dH_, psi_.get(), scratch_.get());
    PetscReal norm = 0.0;
    petsc_check(VecNorm(psi_.get(), NORM_2, &norm), "VecNorm");
    return exact_record(energy, static_cast<double>(norm), matvecs_, krylov_error_, view_.get());
  }

  /// The serial exact solver's layout (psi as one vector, propagator "mfn"), on one rank only: with several
  /// ranks the state is spread over them and the driver writes no checkpoint (RunHooks::checkpoints).
  void save_state(const h5::Group& g) const override {
    if (world_size() > 1) throw Error("checkpoints of a distributed run on more than one rank are not supported yet");
    g.set_attr("t", t_);
    g.set_attr("dim", sector_.size());
    g.set_attr("propagator", "mfn");
    g.set_attr("krylov_dim", mfn_dim_);
    g.set_attr("bounds_known", false);
    g.set_attr("matvecs", matvecs_);
    g.set_attr("krylov_error", krylov_error_);
    g.set_attr("truncated_weight", truncated_weight_);
    const PetscScalar* a = nullptr;
    petsc_check(VecGetArrayRead(psi_.get(), &a), "VecGetArrayRead");
    const arma::cx_vec psi(const_cast<cplx*>(reinterpret_cast<const cplx*>(a)), static_cast<arma::uword>(sector_.size()), false, true);
    g.write("psi", psi);
    petsc_check(VecRestoreArrayRead(psi_.get(), &a), "VecRestoreArrayRead");
  }

  /// Accepts the checkpoint of this solver and that of the serial exact solver (the same psi): the run continues
  /// with MFN from that state.
  void restore_state(const h5::Group& g) override {
    if (world_size() > 1) throw Error("resuming a distributed run on more than one rank is not supported yet");
    if (g.attr_int("dim") != sector_.size())
      throw IoError(fmt::format("checkpoint {}: a state of {} entries, this model's sector has {}", g.path(), g.attr_int("dim"), sector_.size()));
    PetscScalar* a = nullptr;
    petsc_check(VecGetArrayWrite(psi_.get(), &a), "VecGetArrayWrite");
    arma::cx_vec psi(reinterpret_cast<cplx*>(a), static_cast<arma::uword>(sector_.size()), false, true);
    try {
      g.read_into("psi", psi);
    } catch (...) {
      VecRestoreArrayWrite(psi_.get(), &a);
      throw;
    }
    petsc_check(VecRestoreArrayWrite(psi_.get(), &a), "VecRestoreArrayWrite");
    t_ = g.attr_double("t");
    matvecs_ = g.attr_int("matvecs");
    krylov_error_ = g.attr_double("krylov_error");
    truncated_weight_ = g.attr_double("truncated_weight");
    view_.invalidate();
  }

  OneBodyView view() const override { return view_.get(); }
  void pair_with(const Solver& other) override { view_.pair_with(other); }
  /// Second moments of the fluctuation numbers about a mean-field state, reduced over the ranks (ExactView::put_moments).
  void compare_with(const Solver& other, const OneBodyView& mf, Record& out) const override { view_.put_moments(other, mf, out); }

  std::vector<SummaryColumn> summary_columns() const override { return {{"energy", "dE_exact", true}}; }

 private:
  Sector sector_;
  SectorHamiltonian H_;                  // the serial kernel: tables replicated on every rank
  mutable DistributedHamiltonian dH_;    // its MATSHELL on blocks of boson columns
  double tolerance_;
  Index mfn_dim_ = 0;
  double truncated_weight_ = 0.0;
  PetscVec psi_;
  PetscVec scratch_;
  std::unique_ptr<MfnPropagator> mfn_;
  std::unique_ptr<DistributedObserver> observer_;  // used from const observe()/compare_with(): collective, no visible state
  double t_ = 0.0;
  Index matvecs_ = 0;
  double krylov_error_ = 0.0;
  mutable ExactView view_;  // of psi_ at t_, computed on first use after each step (every rank observes in the same order)
};

}  // namespace

bool distributed_engine_active() {
  int initialised = 0, finalised = 0;
  MPI_Initialized(&initialised);
  MPI_Finalized(&finalised);
  return initialised != 0 && finalised == 0;
}

std::unique_ptr<Solver> make_distributed_exact_solver(const SolverContext& c) {
  if (c.model.exact.initial != ExactInitial::Product)
    throw InputError(c.model.source, "exact.initial",
                     "the distributed engine (mpirun) starts from the product state only; 'ground_state' and 'coherent' need the "
                     "serial engine (run without mpirun)");
  return std::make_unique<DistributedExactSolver>(c);
}

}  // namespace fockmix
