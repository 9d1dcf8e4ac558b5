#pragma once
/// \file The plan of a scan: its points (models along the regime, model/scan_spec.hpp), their
/// parameter-derived ids and fingerprints, the point files that hold finished points, and the relative
/// cost of a point for time estimates.
///
/// Every finished point is its own run file `<output stem>_points/<point id>.h5`, whose name is derived
/// from the point's parameters; a restarted scan reuses every completed point file whose parameters
/// match (docs/scaling.md).
#include <optional>
#include <string>
#include <vector>

#include "fockmix/analysis/scan_results.hpp"
#include "fockmix/model/scan_spec.hpp"

namespace fockmix {

/// The points, in the order of `values`. Throws InputError(scan file, key, reason) for a point the
/// rules cannot make (no boson left after rounding, a lattice with the wrong number of axes, ...).
std::vector<ScanPoint> scan_plan(const ScanSpec& spec);
/// Just their models.
std::vector<Model> scan_points(const ScanSpec& spec);

/// The finished point in `file`, if it is a completed run of exactly this point's parameters (else
/// nothing: missing, unreadable, interrupted or another point's file). Each quantity of
/// scan_quantities() is read from its run-file path; a quantity the file lacks has no value.
std::optional<ScanPointResult> read_point_file(const ScanSpec& spec, const ScanPoint& p, const std::string& file);

/// Relative cost of a point for the time estimate: D (M + N + 1) (matvecs scale with the spectral width);
/// without the exact solver L^3 per mean-field step (dense eigen-decompositions).
double point_cost(const ScanPoint& p);

/// Whether a point counts as small (runs side by side with others when parallel_points > 1): the exact
/// solver's sector has D <= parallel_max_dim. Points without the exact solver always run alone.
bool scan_point_is_small(const ScanSpec& spec, const ScanPoint& p);

}  // namespace fockmix
