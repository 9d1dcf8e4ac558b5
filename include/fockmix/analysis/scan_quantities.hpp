#pragma once
/// \file The quantities a scan records, as one table (src/analysis/scan_quantities.cpp): where each is
/// read in a point's run file, what the theorems say about its rate, how it is shown. Reading point
/// files, fits, the scan HDF5 file and the terminal tables all loop over this table, in its order.
///
/// Adding a quantity (e.g. of a new solver or comparison): one row in the table. A point whose run
/// file lacks the dataset (e.g. a scan without the exact solver) simply has no value for it.
#include <span>
#include <string_view>

namespace fockmix {

/// One row of the table.
struct ScanQuantity {
  std::string_view name;      ///< dataset name in the scan file and in the tables, e.g. "eF_trace"
  std::string_view run_path;  ///< the time series in a run file, e.g. "comparison/exact_hartree/eF_trace"
  std::string_view column;    ///< short header of the terminal table, e.g. "eF_Tr"
  std::string_view theorem;   ///< the theorems' exponent b of X^b, with its source, e.g. "<= -1/2 (2.16)" (X = N or M),
                              ///< ">= +1/2 hbar (Thm 2)" (X = hbar: the Hartree–Vlasov quantities)
  std::string_view optimal;   ///< the known or conjectured optimal exponent, e.g. "-1"
  std::string_view doc;       ///< one line: what it is (SPEC §6)
};

/// Every scan quantity, in the order used everywhere (fits, scan file, tables).
std::span<const ScanQuantity> scan_quantities();

/// The row named `name`, or nullptr.
const ScanQuantity* find_scan_quantity(std::string_view name);

}  // namespace fockmix
