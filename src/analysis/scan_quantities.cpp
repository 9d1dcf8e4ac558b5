// The scan quantities (include/fockmix/analysis/scan_quantities.hpp): the one place that lists them.
#include "fockmix/analysis/scan_quantities.hpp"

#include <array>

namespace fockmix {

namespace {

// clang-format off
constexpr std::array quantities{
  //           name        run file                               column    theorem              optimal  doc
  ScanQuantity{"eF_trace", "comparison/exact_hartree/eF_trace", "eF_Tr",  "<= -1/2 (2.16)",    "-1", "e_F = ||gamma_F - omega||_Tr / M (2.16)"},
  ScanQuantity{"eB_trace", "comparison/exact_hartree/eB_trace", "eB_Tr",  "<= -1/2 (2.17)",    "-1", "e_B = ||gamma_B - N |phi><phi| ||_Tr / N (2.17)"},
  ScanQuantity{"eF_hs",    "comparison/exact_hartree/eF_hs",    "eF_HS",  "<= -1/2 (HS<=Tr)",  "-1", "e_F with the Hilbert–Schmidt norm (at most the trace-norm one)"},
  ScanQuantity{"eB_hs",    "comparison/exact_hartree/eB_hs",    "eB_HS",  "<= -1/2 (HS<=Tr)",  "-1", "e_B with the Hilbert–Schmidt norm (at most the trace-norm one)"},
  ScanQuantity{"nF_exc",   "comparison/exact_hartree/nF_exc",   "nF_exc", "0 (Thm 3: O(1))",   "0",  "<N_F^exc> = 2 (M - Re Tr[omega gamma_F]) (particles plus holes)"},
  ScanQuantity{"nB_exc",   "comparison/exact_hartree/nB_exc",   "nB_exc", "0 (Thm 3: O(1))",   "0",  "<N_B^exc> = N - <phi, gamma_B phi> (bosons outside the condensate)"},
  // Hartree–Hartree vs Vlasov–Hartree (Theorem 2): exponents of hbar, fitted with fit_against = "hbar"
  ScanQuantity{"vh_eF_trace",  "comparison/hartree_vlasov/eF_trace",     "vhF_Tr",  ">= +1/2 hbar (Thm 2)", "+1", "||omega - M Op(f)||_Tr / M (HH vs VH fermions)"},
  ScanQuantity{"vh_rhoF_l1",   "comparison/hartree_vlasov/rhoF_l1",      "vh_rhoF", ">= +1/2 hbar (Thm 2)", "+1", "||rho_F^HH - rho_F^VH||_1 (site-normalised densities)"},
  ScanQuantity{"vh_eB_trace",  "comparison/hartree_vlasov/eB_trace",     "vhB_Tr",  ">= +1/2 hbar (2.29)", "+1", "|| |phi><phi| - |phi^hbar><phi^hbar| ||_Tr <= 2 ||phi - phi^hbar|| (2.29)"},
  ScanQuantity{"vh_fourier",   "comparison/hartree_vlasov/fourier_norm", "vh_|f|1", ">= +1/2 hbar (Thm 2)", "+1", "|f^hbar - f|_1 of (2.24) (Fourier-based norm, HH vs VH)"},
};
// clang-format on

}  // namespace

std::span<const ScanQuantity> scan_quantities() { return quantities; }

const ScanQuantity* find_scan_quantity(std::string_view name) {
  for (const auto& q : quantities)
    if (q.name == name) return &q;
  return nullptr;
}

}  // namespace fockmix
