#include "fockmix/app/run.hpp"

#include <dlfcn.h>
#include <omp.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>

#include "fockmix/core/error.hpp"
#include "fockmix/exact/footprint.hpp"
#include "fockmix/linalg/eigensolvers.hpp"
#include "fockmix/exact/initial_state.hpp"
#include "fockmix/linalg/krylov.hpp"
#include "fockmix/exact/observables.hpp"
#include "fockmix/exact/sector_hamiltonian.hpp"
#include "fockmix/linalg/vector_ops.hpp"
#include "fockmix/model/model_operators.hpp"
#include "fockmix/io/h5.hpp"
#include "fockmix/meanfield/hartree.hpp"
#include "fockmix/meanfield/initial_data.hpp"
#include "fockmix/version.hpp"

namespace fockmix {

void configure_threads(int openmp_threads) {
  using SetThreads = void (*)(int);
  if (auto f = reinterpret_cast<SetThreads>(dlsym(RTLD_DEFAULT, "openblas_set_num_threads"))) f(1);
  if (openmp_threads > 0) omp_set_num_threads(openmp_threads);
}

namespace {

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

std::vector<std::int64_t> as_int64(const std::vector<Index>& v) { return {v.begin(), v.end()}; }

void write_potential(const h5::Group& g, const std::string& key, const PotentialSpec& p) {
  g.set_attr(key + ".kind", to_string(p.kind));
  g.set_attr(key + ".strength", p.strength);
  g.set_attr(key + ".width", p.width);
  if (!p.centre.empty()) g.set_attr(key + ".centre", p.centre);
  if (!p.table.empty()) g.set_attr(key + ".table", p.table);
}

void write_species(const h5::Group& g, const std::string& s, const SpeciesSpec& sp) {
  g.set_attr(s + ".number", static_cast<std::int64_t>(sp.number));
  g.set_attr(s + ".mass", sp.mass);
  write_potential(g, s + ".trap", sp.trap);
  write_potential(g, s + ".potential", sp.potential);
  g.set_attr(s + ".init.kind", to_string(sp.init.kind));
  if (!sp.init.centre.empty()) g.set_attr(s + ".init.centre", sp.init.centre);
  g.set_attr(s + ".init.width", sp.init.width);
  if (!sp.init.momentum.empty()) g.set_attr(s + ".init.momentum", sp.init.momentum);
  if (!sp.init.file.empty()) g.set_attr(s + ".init.file", sp.init.file);
  if (s == "bosons") g.set_attr(s + ".max_per_site", static_cast<std::int64_t>(sp.max_per_site));
}

/// Appendable series of one solver group, created on first use.
class Recorder {
 public:
  explicit Recorder(const h5::Group& g) : g_(g) {}
  template <class T>
  void put(const std::string& name, const T& value) {
    auto it = series_.find(name);
    if (it == series_.end()) it = series_.emplace(name, g_.series(name, shape_of(value), is_complex(value))).first;
    it->second.append(value);
  }
  const h5::Group& group() const { return g_; }

 private:
  static std::vector<std::int64_t> shape_of(double) { return {}; }
  static std::vector<std::int64_t> shape_of(const arma::vec& v) { return {static_cast<std::int64_t>(v.n_elem)}; }
  static std::vector<std::int64_t> shape_of(const arma::cx_vec& v) { return {static_cast<std::int64_t>(v.n_elem)}; }
  static std::vector<std::int64_t> shape_of(const arma::cx_mat& A) {
    return {static_cast<std::int64_t>(A.n_rows), static_cast<std::int64_t>(A.n_cols)};
  }
  static bool is_complex(double) { return false; }
  static bool is_complex(const arma::vec&) { return false; }
  static bool is_complex(const arma::cx_vec&) { return true; }
  static bool is_complex(const arma::cx_mat&) { return true; }
  const h5::Group& g_;
  std::map<std::string, h5::Series> series_;
};

/// The exact solver's state and machinery.
struct ExactRun {
  Sector sector;
  SectorHamiltonian H;
  arma::cx_vec psi, scratch;
  std::unique_ptr<KrylovPropagator<SectorHamiltonian>> prop;
  ExactRun(const ModelOperators& ops, Index cap) : sector(ops.lattice.sites(), ops.M, ops.N, cap), H(sector, ops) {}
  double energy() {
    H.apply(psi.memptr(), scratch.memptr());
    return vec::dot(H.rows(), psi.memptr(), scratch.memptr()).real();
  }
};

}  // namespace

void write_model_attributes(const Model& m, const h5::Group& g) {
  g.set_attr("name", m.name);
  g.set_attr("source", m.source);
  g.set_attr("grid.sites", as_int64(m.sites));
  g.set_attr("grid.spacing", m.spacing);
  g.set_attr("grid.kinetic", to_string(m.kinetic));
  g.set_attr("physics.hbar", m.hbar);
  g.set_attr("physics.lambda", m.lambda);
  g.set_attr("interaction.kind", to_string(m.interaction.kind));
  g.set_attr("interaction.amplitude", m.interaction.amplitude);
  g.set_attr("interaction.width", m.interaction.width);
  g.set_attr("interaction.epsilon", m.interaction.epsilon);
  if (!m.interaction.table.empty()) g.set_attr("interaction.table", m.interaction.table);
  write_species(g, "fermions", m.fermions);
  write_species(g, "bosons", m.bosons);
  g.set_attr("time.final", m.t_final);
  g.set_attr("time.output_every", m.output_every);
  g.set_attr("exact.enabled", m.exact.enabled);
  g.set_attr("exact.tolerance", m.exact.tolerance);
  g.set_attr("exact.krylov_dim", static_cast<std::int64_t>(m.exact.krylov_dim));
  g.set_attr("exact.initial", std::string(m.exact.initial == ExactInitial::Product ? "product" : "ground_state"));
  g.set_attr("exact.memory_limit_gib", m.exact.memory_limit_gib);
  g.set_attr("hartree.enabled", m.hartree.enabled);
  g.set_attr("hartree.dt", m.hartree.dt);
  g.set_attr("output.file", m.output);
  g.set_attr("output.threads", static_cast<std::int64_t>(m.threads));
}

RunSummary run_model(const Model& model, const RunHooks& hooks) {
  validate(model);
  const auto t_start = Clock::now();
  RunSummary sum;
  sum.output = model.output;
  sum.exact = model.exact.enabled;
  sum.hartree = model.hartree.enabled;
  const ModelOperators ops = build_operators(model);
  const InitialData init = initial_data(model, ops);
  const Index M = ops.M, N = ops.N, L = ops.lattice.sites();

  h5::File file = h5::File::create(model.output);
  const h5::Group root = file.root();
  root.set_attr("program", "fockmix");
  root.set_attr("version", version);
  root.set_attr("status", "running");
  root.set_attr("t_reached", 0.0);
  if (!model.source.empty()) {
    std::ifstream in(model.source);
    std::stringstream text;
    text << in.rdbuf();
    root.set_attr("model_toml", text.str());
  }
  write_model_attributes(model, root.group("model"));
  const h5::Group grid = root.group("grid");
  grid.write("V", ops.V);
  grid.write("one_body_F", ops.one_body_F());
  grid.write("one_body_B", ops.one_body_B());
  arma::mat positions(L, ops.lattice.dim());
  for (Index s = 0; s < L; ++s)
    for (int a = 0; a < ops.lattice.dim(); ++a) positions(s, a) = ops.lattice.position(s)[a];
  grid.write("positions", positions);
  grid.write("orbitals_0", init.orbitals);
  grid.write("phi_0", init.phi0);

  // exact solver
  std::optional<ExactRun> ex;
  if (model.exact.enabled) {
    const auto t0 = Clock::now();
    const ExactFootprint fp = exact_footprint(model);
    ex.emplace(ops, model.bosons.max_per_site);
    sum.dim_fermions = ex->sector.dim_fermions();
    sum.dim_bosons = ex->sector.dim_bosons();
    sum.dim = ex->sector.size();
    sum.krylov_dim = std::max<Index>(4, fp.krylov_dim);
    sum.boson_cap_truncates = ex->sector.bosons().truncated();
    if (model.exact.initial == ExactInitial::Product) {
      ex->psi = product_state(ex->sector, init.orbitals, init.phi0);
    } else {
      const SectorHamiltonian Htrap(ex->sector, ops, true);
      const RealView<SectorHamiltonian> real{Htrap};
      const EigenResult gs = lowest_eigenpair_spectra(operator_ref(real), {0, 1e-12, 5000});
      if (gs.status != EigenStatus::Converged) throw Error("the exact ground state of the trapped Hamiltonian did not converge");
      ex->psi = arma::conv_to<arma::cx_vec>::from(gs.vector);
    }
    const double n2 = vec::norm2(sum.dim, ex->psi.memptr());
    sum.truncated_weight = 1.0 - n2;
    vec::scale(sum.dim, 1.0 / std::sqrt(n2), ex->psi.memptr());
    ex->scratch.set_size(sum.dim);
    ex->prop = std::make_unique<KrylovPropagator<SectorHamiltonian>>(ex->H, KrylovOptions{model.exact.tolerance, sum.krylov_dim, model.hbar});
    const h5::Group g = root.group("exact");
    g.set_attr("dim_fermions", static_cast<std::int64_t>(sum.dim_fermions));
    g.set_attr("dim_bosons", static_cast<std::int64_t>(sum.dim_bosons));
    g.set_attr("dim", static_cast<std::int64_t>(sum.dim));
    g.set_attr("krylov_dim", static_cast<std::int64_t>(sum.krylov_dim));
    g.set_attr("boson_cap_truncates", sum.boson_cap_truncates);
    g.set_attr("truncated_weight", sum.truncated_weight);
    g.set_attr("threads", static_cast<std::int64_t>(omp_get_max_threads()));
    sum.seconds_exact += seconds_since(t0);
  }
  // Hartree–Hartree
  std::optional<HartreeHartree> hh;
  HartreeState hs;
  if (model.hartree.enabled) {
    hh.emplace(ops, HartreeOptions{model.hartree.dt});
    hs.orbitals = init.orbitals;
    hs.phi = init.phi0;
    root.group("hartree").set_attr("dt", model.hartree.dt);
    root.group("hartree").set_attr("scheme", "self-consistent exponential midpoint (order 2)");
  }

  // one group per solver (and one for the comparison), each only if it runs
  std::optional<h5::Group> g_exact, g_hartree, g_cmp;
  if (ex) g_exact = root.group("exact");
  if (hh) g_hartree = root.group("hartree");
  if (ex && hh) g_cmp = root.group("comparison");
  Recorder times(root);
  std::optional<Recorder> rex, rhh, rcmp;
  if (g_exact) rex.emplace(*g_exact);
  if (g_hartree) rhh.emplace(*g_hartree);
  if (g_cmp) rcmp.emplace(*g_cmp);
  const std::vector<double> ts = model.output_times();
  double t_prev = 0.0;
  for (double t : ts) {
    RunRecord rec;
    rec.t = t;
    arma::cx_mat gF, gB;
    if (ex) {
      const auto t0 = Clock::now();
      if (t > t_prev) {
        const KrylovResult kr = ex->prop->propagate(ex->psi.memptr(), t - t_prev);
        if (kr.status != KrylovStatus::Converged)
          throw Error("Krylov propagation could not meet tolerance " + std::to_string(model.exact.tolerance) + " at t = " + std::to_string(t));
        rec.matvecs = (sum.records.empty() ? 0 : sum.records.back().matvecs) + kr.matvecs;
        rec.krylov_error = (sum.records.empty() ? 0 : sum.records.back().krylov_error) + kr.error_estimate;
      }
      gF = rdm_fermions(ex->sector, ex->psi.memptr());
      gB = rdm_bosons(ex->sector, ex->psi.memptr());
      rec.exact_norm = std::sqrt(vec::norm2(sum.dim, ex->psi.memptr()));
      rec.exact_energy = ex->energy();
      rex->put("energy", rec.exact_energy);
      rex->put("norm", rec.exact_norm);
      rex->put("matvecs", static_cast<double>(rec.matvecs));
      rex->put("krylov_error", rec.krylov_error);
      rex->put("gamma_F", gF);
      rex->put("gamma_B", gB);
      rex->put("rho_F", arma::vec(arma::real(gF.diag()) / std::max<double>(1, M)));
      rex->put("rho_B", arma::vec(arma::real(gB.diag()) / std::max<double>(1, N)));
      sum.seconds_exact += seconds_since(t0);
    }
    if (hh) {
      const auto t0 = Clock::now();
      const HartreeStepInfo info = hh->evolve_to(hs, t);
      const arma::cx_mat omega = hs.omega();
      rec.hartree_energy = hh->energy(hs);
      rhh->put("energy", rec.hartree_energy);
      rhh->put("trace_omega", arma::trace(omega).real());
      rhh->put("idempotency", arma::abs(omega * omega - omega).max());
      rhh->put("orthonormality", arma::abs(hs.orbitals.t() * hs.orbitals - arma::eye<arma::cx_mat>(M, M)).max());
      rhh->put("norm_phi", arma::norm(hs.phi));
      rhh->put("iterations", static_cast<double>(info.iterations));
      rhh->put("omega", omega);
      rhh->put("phi", hs.phi);
      rhh->put("rho_F", arma::vec(hs.fermion_density() / std::max<double>(1, M)));
      rhh->put("rho_B", hs.boson_density());
      sum.seconds_hartree += seconds_since(t0);
      if (ex) {
        rec.cmp = compare(gF, gB, omega, hs.phi, M, N);
        const FluctuationMoments mom = fluctuation_moments(ex->sector, ex->psi.memptr(), omega, hs.phi);
        rec.nF2 = mom.nF2;
        rec.nB2 = mom.nB2;
        rcmp->put("eF_trace", rec.cmp.eF_trace);
        rcmp->put("eB_trace", rec.cmp.eB_trace);
        rcmp->put("eF_hs", rec.cmp.eF_hs);
        rcmp->put("eB_hs", rec.cmp.eB_hs);
        rcmp->put("rhoF_l1", rec.cmp.rhoF_l1);
        rcmp->put("rhoB_l1", rec.cmp.rhoB_l1);
        rcmp->put("nF_exc", rec.cmp.nF_exc);
        rcmp->put("nB_exc", rec.cmp.nB_exc);
        rcmp->put("nF_exc2", rec.nF2);
        rcmp->put("nB_exc2", rec.nB2);
      }
    }
    times.put("times", t);
    root.set_attr("t_reached", t);
    file.flush();
    sum.records.push_back(rec);
    t_prev = t;
    if (hooks.progress) hooks.progress(model.t_final > 0 ? t / model.t_final : 1.0, rec);
    if (hooks.stop && hooks.stop->load()) {
      sum.status = RunStatus::Interrupted;
      break;
    }
  }
  sum.seconds_total = seconds_since(t_start);
  root.set_attr("status", sum.status == RunStatus::Completed ? "completed" : "interrupted");
  root.set_attr("seconds", sum.seconds_total);
  file.flush();
  return sum;
}

}  // namespace fockmix
