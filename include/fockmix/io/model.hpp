#pragma once
/// \file Model files: read a TOML model into a Model and validate it (models/README.md documents every key).
#include <string>

#include "fockmix/model/model.hpp"

namespace fockmix {

/// What the validation checks of the exact solver's memory: the whole state in this process (the serial engine),
/// or only that the dimensions are countable (the distributed engine, under mpirun: it checks the block of the
/// rank that needs the most itself when it is built; docs/distributed.md).
enum class ExactMemoryCheck { WholeState, PerRankAtBuild };

/// Read and validate a model file. Every problem throws InputError(file, key, reason) before any work.
Model load_model(const std::string& path, ExactMemoryCheck memory = ExactMemoryCheck::WholeState);

/// Check the values of a model (types were checked by the parser): impossible values, M > L, missing
/// particles, a cap below N/L, a sector too big for memory (`memory`). Throws InputError naming `model.source`.
void validate(const Model& model, ExactMemoryCheck memory = ExactMemoryCheck::WholeState);

}  // namespace fockmix
