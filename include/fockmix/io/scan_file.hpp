#pragma once
/// \file Scan files: TOML with a `[scan]` table (models/README.md, "Scan files"), read into a ScanSpec
/// (model/scan_spec.hpp) with the model reader's conventions: every problem throws
/// InputError(scan file, dotted key, reason) before any work.
#include <string>

#include "fockmix/model/scan_spec.hpp"

namespace fockmix {

/// Read a scan file: keys, types and ranges, the base model, the regime (no per-point memory check).
/// Every problem throws InputError(scan file, dotted key, reason).
ScanSpec parse_scan(const std::string& path);

/// Check every point of a parsed scan as a model (validate(Model)), memory included: the first point
/// that cannot run throws InputError(scan file, "scan.values[i]", the point and the model's reason).
void validate_scan(const ScanSpec& spec);

/// parse_scan + validate_scan: a scan that loads can run.
ScanSpec load_scan(const std::string& path);

/// Folder of the point files (one run file per finished point): `<output without extension>_points`.
std::string scan_points_dir(const ScanSpec& spec);

/// Whether a TOML file is a scan file (it parses and has a [scan] table).
bool is_scan_file(const std::string& path);

}  // namespace fockmix
