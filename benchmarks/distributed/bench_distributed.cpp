// bench_distributed: time the distributed exact engine on one sector (docs/distributed.md), run under mpiexec:
//   mpiexec -n P bench_distributed EXTENT M N KINETIC [REPEATS]      e.g. mpiexec -n 2 bench_distributed 11 5 6 hopping 10
// Reports per matvec (median) the wall time, its ghost exchange and local kernel parts (slowest rank), the bytes
// received, one unit-time MFN step with MfnOptions' defaults (skipped with -no_mfn; -mfn_* / -bv_* options tune it)
// and one distributed observe, and with one rank the serial apply on the same sector, timed in alternation. The Hamiltonian is the MPI test's (trap, cosine potential, Gaussian V).
#include <algorithm>
#include <cstdio>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

#include "fockmix/distributed/distributed_hamiltonian.hpp"
#include "fockmix/distributed/distributed_observables.hpp"
#include "fockmix/distributed/mfn_propagator.hpp"
#include "fockmix/grid/one_body.hpp"

using namespace fockmix;

namespace {

double max_over_ranks(double v) {
  MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return v;
}
double sum_over_ranks(double v) {
  MPI_Allreduce(MPI_IN_PLACE, &v, 1, MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD);
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  MpiSession session(&argc, &argv);
  try {
    if (argc < 5) {
      if (session.rank() == 0) std::fprintf(stderr, "usage: bench_distributed EXTENT M N hopping|spectral [REPEATS]\n");
      return 2;
    }
    std::vector<Index> extent;
    std::stringstream ss(argv[1]);
    for (std::string part; std::getline(ss, part, 'x');) extent.push_back(std::stoll(part));
    const Index M = std::stoll(argv[2]), N = std::stoll(argv[3]);
    const KineticKind kind = kinetic_kind_from(argv[4]);
    const int repeats = argc > 5 ? std::stoi(argv[5]) : 10;
    const Lattice lat(extent, 0.7);
    const arma::mat tF = kinetic(lat, kind, 1.1, 0.6) + arma::diagmat(potential(lat, {PotentialKind::Harmonic, 0.3, 1.0, {}, {}}));
    const arma::mat tB = kinetic(lat, kind, 1.1, 0.9) + arma::diagmat(potential(lat, {PotentialKind::Cosine, 0.2, 1.0, {}, {}}));
    const arma::mat V = interaction_matrix(lat, InteractionSpec{InteractionKind::Gaussian, 1.3, 0.8, 1.0, {}});
    const double t_setup = MPI_Wtime();
    const Sector sector(lat.sites(), M, N);
    SectorHamiltonian H(sector, tF, tB, V, 1.0);
    DistributedHamiltonian Hd(H, MPI_COMM_WORLD);
    const double setup = max_over_ranks(MPI_Wtime() - t_setup);
    PetscVec x = Hd.create_vector(), y = Hd.create_vector();
    petsc_check(VecSet(x.get(), PetscScalar(1.0, 0.5)), "VecSet");
    PetscReal nrm = 0;
    petsc_check(VecNormalize(x.get(), &nrm), "VecNormalize");
    petsc_check(MatMult(Hd.matrix(), x.get(), y.get()), "MatMult");  // warm-up (first touch)
    // with one rank, the serial apply on the same sector, timed in alternation with the MatMult
    std::vector<cplx> a, b;
    if (session.size() == 1) {
      a.assign(static_cast<std::size_t>(H.rows()), cplx(0.3, 0.1));
      b.resize(a.size());
      H.apply(a.data(), b.data());
    }
    std::vector<double> wall, exch, kern, ser;
    for (int r = 0; r < repeats; ++r) {
      const double ex0 = Hd.exchange_seconds(), k0 = Hd.kernel_seconds();
      MPI_Barrier(MPI_COMM_WORLD);
      const double t0 = MPI_Wtime();
      petsc_check(MatMult(Hd.matrix(), x.get(), y.get()), "MatMult");
      MPI_Barrier(MPI_COMM_WORLD);
      wall.push_back(MPI_Wtime() - t0);
      exch.push_back(max_over_ranks(Hd.exchange_seconds() - ex0));
      kern.push_back(max_over_ranks(Hd.kernel_seconds() - k0));
      if (session.size() == 1) {
        const double t1 = MPI_Wtime();
        H.apply(a.data(), b.data());
        ser.push_back(MPI_Wtime() - t1);
      }
    }
    auto median = [](std::vector<double> v) {
      std::sort(v.begin(), v.end());
      return v.empty() ? 0.0 : v[v.size() / 2];
    };
    const double per = median(wall), exchange = median(exch), kernel = median(kern), serial = median(ser);
    const double bytes = sum_over_ranks(Hd.ghost_bytes());
    const double ghosts = sum_over_ranks(static_cast<double>(Hd.ghost_columns().size()));

    PetscBool no_mfn = PETSC_FALSE;
    petsc_check(PetscOptionsGetBool(nullptr, nullptr, "-no_mfn", &no_mfn, nullptr), "PetscOptionsGetBool");
    MfnResult res;
    double step = 0.0;
    if (!no_mfn) {
      MfnPropagator mfn(Hd, MfnOptions{});
      MPI_Barrier(MPI_COMM_WORLD);
      const double t1 = MPI_Wtime();
      res = mfn.propagate(x.get(), 1.0);
      step = max_over_ranks(MPI_Wtime() - t1);
    }

    DistributedObserver obs(Hd);
    const Index L = lat.sites();
    arma::cx_mat omega(L, L, arma::fill::eye);
    arma::cx_vec phi(L, arma::fill::ones);
    phi /= arma::norm(phi);
    MPI_Barrier(MPI_COMM_WORLD);
    const double t2 = MPI_Wtime();
    obs.observe(x.get(), omega, phi, true);
    const double observe = max_over_ranks(MPI_Wtime() - t2);
    const double observe_bytes = sum_over_ranks(obs.ghost_bytes());

    if (session.rank() == 0) {
      std::printf("sector %s M=%lld N=%lld %s: D_F=%lld D_B=%lld D=%lld, P=%d, OMP threads per rank from OMP_NUM_THREADS\n", argv[1],
                  static_cast<long long>(M), static_cast<long long>(N), argv[4], static_cast<long long>(sector.dim_fermions()),
                  static_cast<long long>(sector.dim_bosons()), static_cast<long long>(H.rows()), session.size());
      std::printf("  set-up (tables, ghost scatter)      %.3f s\n", setup);
      std::printf("  matvec (MatMult, median of %d)      %.2f ms  [exchange %.2f ms, kernel %.2f ms: slowest rank each]\n", repeats,
                  1e3 * per, 1e3 * exchange, 1e3 * kernel);
      std::printf("  ghost columns (all ranks)           %.0f = %.4g MB per matvec (%.3f of the state)\n", ghosts, bytes / 1e6,
                  bytes / (16.0 * static_cast<double>(H.rows())));
      if (!no_mfn)
        std::printf("  MFN unit step (1e-10, defaults)     %.3f s, %lld matvecs (%.2f s of them), %lld restarts, status %s\n", step,
                    static_cast<long long>(res.matvecs), static_cast<double>(res.matvecs) * per, static_cast<long long>(res.restarts),
                    res.status == MfnStatus::Converged ? "converged" : "NOT converged");
      std::printf("  observe (gamma_F, gamma_B, moments) %.2f ms = %.2f matvecs; its ghost columns %.4g MB (%.3f of the state)\n",
                  1e3 * observe, observe / per, observe_bytes / 1e6, observe_bytes / (16.0 * static_cast<double>(H.rows())));
      if (session.size() == 1) std::printf("  serial SectorHamiltonian::apply     %.2f ms (median, alternating with MatMult)\n", 1e3 * serial);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench_distributed (rank %d): %s\n", session.rank(), e.what());
    MPI_Abort(MPI_COMM_WORLD, 1);
    return 1;
  }
}
