#pragma once
/// \file The scan HDF5 file (docs/scaling.md): the scan's description, one row per finished point, every
/// scan quantity (analysis/scan_quantities.hpp) per point and the fits, rebuilt from a ScanResult.
#include "fockmix/analysis/scan_results.hpp"
#include "fockmix/model/scan_spec.hpp"

namespace fockmix {

/// Write the scan HDF5 file spec.output from a result; atomically (temporary file + rename), so a
/// reader never sees a half-written scan file.
void write_scan_file(const ScanSpec& spec, const ScanResult& result);

}  // namespace fockmix
