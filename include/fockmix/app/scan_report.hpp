#pragma once
/// \file The terminal side of a scan: the plan before it runs (`fockmix info SCAN.toml`) and the table
/// of results and fitted exponents after it (`fockmix scan`).
#include <iosfwd>

#include "fockmix/analysis/scan_results.hpp"
#include "fockmix/model/scan_spec.hpp"

namespace fockmix {

/// Print every point's parameters, dimensions, memory and whether it fits; returns whether all fit.
bool scan_info(const ScanSpec& spec, std::ostream& out);

/// The terminal table: one row per point, then the fitted exponents next to the theorems' rates
/// (analysis/scan_quantities.hpp).
void print_scan_summary(const ScanSpec& spec, const ScanResult& result, std::ostream& out);

}  // namespace fockmix
