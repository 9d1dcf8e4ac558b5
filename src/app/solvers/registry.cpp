// The solvers fockmix knows, in the order they run and pair up for comparisons. Adding a solver:
// its file in this folder and one line here (docs/architecture.md).
#include "fockmix/app/solver.hpp"
#include "fockmix/model/model.hpp"

namespace fockmix {

std::unique_ptr<Solver> make_exact_solver(const SolverContext& c);
std::unique_ptr<Solver> make_hartree_solver(const SolverContext& c);
std::unique_ptr<Solver> make_vlasov_solver(const SolverContext& c);
std::unique_ptr<Solver> make_fluct_solver(const SolverContext& c);
#ifdef FOCKMIX_HAVE_MPI
bool distributed_engine_active();
std::unique_ptr<Solver> make_distributed_exact_solver(const SolverContext& c);
#endif

bool exact_solver_distributed() {
#ifdef FOCKMIX_HAVE_MPI
  return distributed_engine_active();
#else
  return false;
#endif
}

namespace {
/// The exact solver on the distributed engine when the process runs under MPI (a build with FOCKMIX_MPI started
/// by mpirun, any number of ranks including one: docs/distributed.md), else the serial one.
std::unique_ptr<Solver> make_exact(const SolverContext& c) {
#ifdef FOCKMIX_HAVE_MPI
  if (exact_solver_distributed()) return make_distributed_exact_solver(c);
#endif
  return make_exact_solver(c);
}
}  // namespace

const std::vector<SolverEntry>& solver_registry() {
  static const std::vector<SolverEntry> registry{
      {"exact", [](const Model& m) { return m.exact.enabled; }, make_exact},
      {"hartree", [](const Model& m) { return m.hartree.enabled; }, make_hartree_solver},
      {"vlasov", [](const Model& m) { return m.vlasov.enabled; }, make_vlasov_solver},
      {"fluct", [](const Model& m) { return m.fluct.enabled; }, make_fluct_solver},
  };
  return registry;
}

std::vector<SummaryColumn> comparison_columns() {
  return {{"eF_trace", "e_F(Tr)"}, {"eB_trace", "e_B(Tr)"}, {"eF_hs", "e_F(HS)"},
          {"eB_hs", "e_B(HS)"},    {"nF_exc", "N_F^exc"},   {"nB_exc", "N_B^exc"}};
}

}  // namespace fockmix
