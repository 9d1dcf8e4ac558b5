// ghost_volume: the communication volume per matvec of the distributed exact engine (docs/distributed.md) for
// sectors too large to build, counted from the boson basis alone (no move tables): for P contiguous blocks of
// boson columns, the columns outside each block that a boson move with t_B(y', y) != 0 reaches. The MPI test
// checks this way of counting against the engine's own ghost sets on small sectors.
//   ghost_volume EXTENT M N KINETIC P...     e.g.  ghost_volume 16 8 8 hopping 2 4 8 16
// EXTENT is "L" or "LxL'"; KINETIC is hopping or spectral. Prints one line per P.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <sstream>
#include <string>
#include <vector>

#include "fockmix/fock/binomial.hpp"
#include "fockmix/fock/boson_basis.hpp"
#include "fockmix/grid/one_body.hpp"

using namespace fockmix;

int main(int argc, char** argv) {
  try {
    if (argc < 6) {
      std::fprintf(stderr, "usage: ghost_volume EXTENT M N hopping|spectral P...\n");
      return 2;
    }
    std::vector<Index> extent;
    std::stringstream ss(argv[1]);
    for (std::string part; std::getline(ss, part, 'x');) extent.push_back(std::stoll(part));
    const Index M = std::stoll(argv[2]), N = std::stoll(argv[3]);
    const Lattice lat(extent, 1.0);
    const Index L = lat.sites();
    const arma::mat tB = kinetic(lat, kinetic_kind_from(argv[4]), 1.0, 1.0);
    const BosonBasis B(L, N);
    const Index DB = B.size();
    const double DF = static_cast<double>(binomial(L, M));
    const double state_bytes = 16.0 * DF * static_cast<double>(DB);
    std::printf("# L=%lld M=%lld N=%lld %s: D_F=%.0f D_B=%lld D=%.4g, state %.4g GB\n", static_cast<long long>(L),
                static_cast<long long>(M), static_cast<long long>(N), argv[4], DF, static_cast<long long>(DB),
                DF * static_cast<double>(DB), state_bytes / 1e9);
    std::printf("# P  ghost_columns_total  max_per_rank  bytes_per_matvec_total  max_bytes_per_rank  fraction_of_state\n");
    std::vector<std::uint8_t> n(static_cast<std::size_t>(L));
    for (int a = 5; a < argc; ++a) {
      const Index P = std::stoll(argv[a]);
      Index total = 0, worst = 0;
      std::vector<char> seen(static_cast<std::size_t>(DB));
      for (Index r = 0; r < P; ++r) {
        const Index j0 = DB * r / P, j1 = DB * (r + 1) / P;
        std::fill(seen.begin(), seen.end(), 0);
        Index count = 0;
        for (Index j = j0; j < j1; ++j) {
          std::copy(B.occupations(j), B.occupations(j) + L, n.begin());
          for (Index y = 0; y < L; ++y) {
            if (n[y] == 0) continue;
            for (Index yp = 0; yp < L; ++yp) {
              if (yp == y || tB(yp, y) == 0.0) continue;
              --n[y];
              ++n[yp];
              const Index t = B.rank(n.data());
              ++n[y];
              --n[yp];
              if ((t < j0 || t >= j1) && !seen[t]) {
                seen[t] = 1;
                ++count;
              }
            }
          }
        }
        total += count;
        worst = std::max(worst, count);
      }
      std::printf("%lld %lld %lld %.4g %.4g %.4f\n", static_cast<long long>(P), static_cast<long long>(total),
                  static_cast<long long>(worst), 16.0 * DF * static_cast<double>(total), 16.0 * DF * static_cast<double>(worst),
                  16.0 * DF * static_cast<double>(total) / state_bytes);
    }
    return 0;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ghost_volume: %s\n", e.what());
    return 1;
  }
}
