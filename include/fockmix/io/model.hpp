#pragma once
/// \file Model files: read a TOML model into a Model and validate it (models/README.md documents every key).
#include <string>

#include "fockmix/model/model.hpp"

namespace fockmix {

/// Read and validate a model file. Every problem throws InputError(file, key, reason) before any work.
Model load_model(const std::string& path);

/// Check the values of a model (types were checked by the parser): impossible values, M > L, missing
/// particles, a cap below N/L, a sector too big for memory. Throws InputError naming `model.source`.
void validate(const Model& model);

}  // namespace fockmix
